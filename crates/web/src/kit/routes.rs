//! The route table. Routes are added here with who may reach them; the router is built from the
//! table and the tests read it, so every route is checked for sign-in and tenant isolation.

use axum::Router;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{MethodFilter, MethodRouter, on};

use crate::AppState;

/// Who a route is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    /// Anyone, signed in or not (sign-in page, probes, assets, API docs).
    Public,
    /// Signed-in people, not about one practice.
    SignedIn,
    /// Signed-in people who may see the practice named by `{practice_id}` in the path.
    Practice,
}

#[derive(Clone, Debug)]
pub struct RouteInfo {
    pub method: Method,
    pub path: &'static str,
    pub reach: Reach,
}

#[derive(Default)]
pub struct Routes {
    router: Router<AppState>,
    list: Vec<RouteInfo>,
    pending: Vec<(&'static str, MethodRouter<AppState>)>,
}

impl Routes {
    /// Adds `handler` for `method` on `path`. A path's methods may be added in several calls.
    pub fn add<H, T>(
        &mut self,
        method: Method,
        path: &'static str,
        reach: Reach,
        handler: H,
    ) -> &mut Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let practice_scoped = path.contains("{practice_id}");
        assert_eq!(
            practice_scoped,
            reach == Reach::Practice,
            "{path}: practice routes, and only they, take {{practice_id}}"
        );
        let filter = MethodFilter::try_from(method.clone()).expect("a routable method");
        match self.pending.iter_mut().find(|(p, _)| *p == path) {
            Some((_, mr)) => *mr = std::mem::take(mr).on(filter, handler),
            None => self.pending.push((path, on(filter, handler))),
        }
        self.list.push(RouteInfo {
            method,
            path,
            reach,
        });
        self
    }

    pub fn get<H: Handler<T, AppState>, T: 'static>(
        &mut self,
        path: &'static str,
        reach: Reach,
        handler: H,
    ) -> &mut Self {
        self.add(Method::GET, path, reach, handler)
    }

    pub fn post<H: Handler<T, AppState>, T: 'static>(
        &mut self,
        path: &'static str,
        reach: Reach,
        handler: H,
    ) -> &mut Self {
        self.add(Method::POST, path, reach, handler)
    }

    pub fn put<H: Handler<T, AppState>, T: 'static>(
        &mut self,
        path: &'static str,
        reach: Reach,
        handler: H,
    ) -> &mut Self {
        self.add(Method::PUT, path, reach, handler)
    }

    pub fn delete<H: Handler<T, AppState>, T: 'static>(
        &mut self,
        path: &'static str,
        reach: Reach,
        handler: H,
    ) -> &mut Self {
        self.add(Method::DELETE, path, reach, handler)
    }

    /// A practice's pages: routes under `/practices/{practice_id}`, for those who may see it.
    pub fn pages(&mut self) -> InPractice<'_> {
        InPractice {
            routes: self,
            prefix: "/practices/{practice_id}",
        }
    }

    /// A practice's API: routes under `/api/v1/practices/{practice_id}`.
    pub fn api(&mut self) -> InPractice<'_> {
        InPractice {
            routes: self,
            prefix: "/api/v1/practices/{practice_id}",
        }
    }

    /// Every route, as added.
    pub fn list(&self) -> &[RouteInfo] {
        &self.list
    }

    pub fn into_router(mut self) -> Router<AppState> {
        for (path, mr) in self.pending.drain(..) {
            self.router = self.router.route(path, mr);
        }
        self.router
    }
}

/// The routes of one practice (see [`Routes::pages`] and [`Routes::api`]), written from the
/// practice down: `.get("/assets/{asset_id}", asset_page)`.
pub struct InPractice<'a> {
    routes: &'a mut Routes,
    prefix: &'static str,
}

impl InPractice<'_> {
    pub fn add<H: Handler<T, AppState>, T: 'static>(
        &mut self,
        method: Method,
        path: &str,
        handler: H,
    ) -> &mut Self {
        // Built once, when the router is; a route's path lives as long as the program.
        let full: &'static str = Box::leak(format!("{}{path}", self.prefix).into_boxed_str());
        self.routes.add(method, full, Reach::Practice, handler);
        self
    }

    pub fn get<H: Handler<T, AppState>, T: 'static>(
        &mut self,
        path: &str,
        handler: H,
    ) -> &mut Self {
        self.add(Method::GET, path, handler)
    }

    pub fn post<H: Handler<T, AppState>, T: 'static>(
        &mut self,
        path: &str,
        handler: H,
    ) -> &mut Self {
        self.add(Method::POST, path, handler)
    }

    pub fn put<H: Handler<T, AppState>, T: 'static>(
        &mut self,
        path: &str,
        handler: H,
    ) -> &mut Self {
        self.add(Method::PUT, path, handler)
    }

    pub fn delete<H: Handler<T, AppState>, T: 'static>(
        &mut self,
        path: &str,
        handler: H,
    ) -> &mut Self {
        self.add(Method::DELETE, path, handler)
    }
}
