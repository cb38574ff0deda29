//! The page layout every HTML page shares (navigation, practice switcher), the error page, and
//! rendering a template as a response.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use custodian_domain::{Access, Permission, Practice, PracticeRole, ProviderRole};

use crate::kit::session::SignedIn;
use crate::{AppError, HttpError};

/// Renders a template as an HTML response.
pub fn render(t: &impl Template) -> Response {
    match t.render() {
        Ok(body) => Html(body).into_response(),
        Err(e) => HttpError(AppError::Internal(format!("template: {e}"))).into_response(),
    }
}

pub fn render_with(status: StatusCode, t: &impl Template) -> Response {
    let mut r = render(t);
    *r.status_mut() = status;
    r
}

// ---- the layout -------------------------------------------------------------------------

pub struct NavItem {
    pub href: String,
    pub label: &'static str,
    pub current: bool,
}

pub struct SwitchItem {
    pub id: String,
    pub name: String,
    pub current: bool,
}

/// Where a practice's pages live. Templates build every link into a practice from
/// `practice.home()` (`{{ practice.home() }}/assets`), so the address is written once.
pub trait PracticeAddress {
    fn home(&self) -> String;
}

impl PracticeAddress for custodian_domain::PracticeId {
    fn home(&self) -> String {
        format!("/practices/{self}")
    }
}

impl PracticeAddress for Practice {
    fn home(&self) -> String {
        self.id.home()
    }
}

/// What the page frame shows: who is signed in, where they are, where they can go.
#[derive(Default)]
pub struct Layout {
    pub signed_in: bool,
    pub user_name: String,
    pub practice_name: Option<String>,
    pub nav: Vec<NavItem>,
    pub switcher: Vec<SwitchItem>,
    /// Unread notices, shown beside the link to the person's notifications.
    pub unread_notices: i64,
    /// Where "Report an incident" goes (every page, for everyone who works in a practice).
    pub report_incident: Option<String>,
}

impl Layout {
    pub fn anonymous() -> Self {
        Layout::default()
    }

    /// The frame for a signed-in person, optionally inside one practice; `here` is the path of
    /// the current page.
    pub fn new(user: &SignedIn, practice: Option<(&Practice, &Access)>, here: &str) -> Self {
        let mut nav = vec![NavItem {
            href: "/".into(),
            label: "Home",
            current: here == "/",
        }];
        let provider = user.provider_access();
        for page in crate::CAPABILITIES.iter().flat_map(|c| c.provider_pages) {
            if (page.opens)(&provider) {
                nav.push(NavItem {
                    href: page.path.into(),
                    label: page.label,
                    current: here == page.path,
                });
            }
        }
        if let Some((p, access)) = practice {
            let base = p.home();
            nav.push(NavItem {
                href: base.clone(),
                label: "Practice home",
                current: here == base,
            });
            if access.can(Permission::PeopleView) {
                let href = format!("{base}/people");
                nav.push(NavItem {
                    current: here.starts_with(&href),
                    href,
                    label: "Staff",
                });
            }
        }
        let mut switcher: Vec<SwitchItem> = user
            .memberships
            .iter()
            .map(|m| SwitchItem {
                id: m.practice.id.to_string(),
                name: m.practice.name.clone(),
                current: practice.is_some_and(|(p, _)| p.id == m.practice.id),
            })
            .collect();
        if let Some((p, _)) = practice
            && !switcher.iter().any(|s| s.current)
        {
            // Provider staff visiting a practice they are not a member of.
            switcher.insert(
                0,
                SwitchItem {
                    id: p.id.to_string(),
                    name: p.name.clone(),
                    current: true,
                },
            );
        }
        Layout {
            signed_in: true,
            user_name: user.session.full_name.clone(),
            practice_name: practice.map(|(p, _)| p.name.clone()),
            nav,
            switcher,
            unread_notices: user.unread_notices,
            report_incident: match practice {
                Some((p, access)) if access.can(Permission::IncidentReport) => {
                    Some(format!("{}/incidents/new", p.home()))
                }
                _ if !user.memberships.is_empty() => Some("/report-incident".into()),
                _ => None,
            },
        }
    }
}

pub fn roles_text(roles: &[PracticeRole]) -> String {
    if roles.is_empty() {
        "No roles".into()
    } else {
        roles
            .iter()
            .map(|r| r.label())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

pub fn provider_roles_text(roles: &[ProviderRole]) -> String {
    roles
        .iter()
        .map(|r| r.label())
        .collect::<Vec<_>>()
        .join(", ")
}

// ---- error page -------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "layout/error.html")]
pub struct ErrorPage {
    layout: Layout,
    title: String,
    detail: String,
    request_id: Option<String>,
}

impl ErrorPage {
    pub fn new(_status: StatusCode, title: &str, detail: &str, request_id: Option<&str>) -> Self {
        ErrorPage {
            layout: Layout::anonymous(),
            title: title.to_string(),
            detail: detail.to_string(),
            request_id: request_id.map(str::to_string),
        }
    }
    pub fn into_html(self) -> Html<String> {
        Html(
            self.render()
                .unwrap_or_else(|_| "<!doctype html><title>Error</title><h1>Error</h1>".into()),
        )
    }
}
