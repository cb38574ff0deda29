//! Custodian's HTTP face: server-rendered pages, the JSON API under `/api/v1` with its OpenAPI
//! document, health and readiness probes, and Prometheus metrics on their own listener.
//!
//! Handlers are thin: they extract who is asking ([`kit::session::SignedIn`], [`kit::session::PracticeScope`]),
//! call a domain rule and the store, and render. Cross-cutting rules live in layers that wrap
//! every route: request ids, logging, security headers, cross-site refusal, sessions, the body
//! limit and error rendering.

pub mod contract;
pub mod kit;
mod records;

/// Every capability of the web, one line each, in the order their rooms and pages are listed.
/// A new register adds its line here (see docs/architecture.md).
macro_rules! capabilities {
    ($($name:ident,)*) => {
        $(pub mod $name;)*
        /// Every capability, as listed above.
        pub const CAPABILITIES: &[kit::capability::Capability] = &[$($name::CAPABILITY),*];
    };
}

capabilities! {
    practices,
    identity,
    assets,
    imports,
    risks,
    risk_reports,
    incidents,
    evidence,
    actions,
    devices,
    notifications,
    audit,
    openapi,
}

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::HeaderName;
use axum::middleware;
use custodian_store::SharedStore;
use tower_http::LatencyUnit;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};

pub use custodian_app::{App, AppError, Clock, ManualClock, SystemClock};
pub use kit::error::HttpError;

/// The web server's settings (from the `[server]` and `[session]` sections of the config).
#[derive(Clone, Debug)]
pub struct WebConfig {
    /// The address people use to reach Custodian, e.g. `https://custodian.example.nhs.uk`.
    /// When it is `https://`, cookies are Secure and `__Host-` prefixed and HSTS is sent (TLS
    /// is terminated in front of Custodian).
    pub public_url: Option<String>,
    /// Signed-in sessions end after this long without a request (the policy's screen lock).
    pub session_idle_seconds: u64,
    /// Sessions end this long after sign-in, however active.
    pub session_lifetime_seconds: u64,
    /// The largest request body accepted, in bytes.
    pub max_body_bytes: usize,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            public_url: None,
            session_idle_seconds: 15 * 60,
            session_lifetime_seconds: 12 * 60 * 60,
            max_body_bytes: 1024 * 1024,
        }
    }
}

impl WebConfig {
    /// Whether people reach Custodian over HTTPS.
    pub fn secure(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"))
    }
}

/// What every handler can reach: the application (its store, clock, passwords and audit log,
/// reached through `Deref`, so `state.store` reads as before) and what only the web needs.
#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub config: Arc<WebConfig>,
    pub metrics: Arc<kit::metrics::Metrics>,
    /// Failed sign-ins per network address.
    pub throttle: Arc<kit::session::Throttle>,
}

impl AppState {
    /// A new application over `store` (see [`App::new`]) served with `config`.
    pub fn new(store: SharedStore, config: WebConfig) -> Self {
        Self::with_app(App::new(store), config)
    }

    pub fn with_app(app: App, config: WebConfig) -> Self {
        AppState {
            app,
            config: Arc::new(config),
            metrics: Arc::new(kit::metrics::Metrics::default()),
            throttle: Arc::new(kit::session::Throttle::new(
                30,
                std::time::Duration::from_secs(300),
            )),
        }
    }
}

impl std::ops::Deref for AppState {
    type Target = App;
    fn deref(&self) -> &App {
        &self.app
    }
}

impl std::ops::DerefMut for AppState {
    fn deref_mut(&mut self) -> &mut App {
        &mut self.app
    }
}

/// Every route of the application, in one table: the router is built from it, and tests walk it
/// (so a new route is covered by the isolation and sign-in tests without anyone remembering).
pub fn route_table() -> kit::routes::Routes {
    let mut r = kit::routes::Routes::default();
    kit::security::routes(&mut r);
    for c in CAPABILITIES {
        (c.routes)(&mut r);
    }
    r
}

/// Every route of the application (not the metrics listener).
pub fn router(state: AppState) -> Router {
    let x_request_id = HeaderName::from_static("x-request-id");
    route_table()
        .into_router()
        .fallback(|| async { HttpError(AppError::NotFound) })
        .layer(DefaultBodyLimit::max(state.config.max_body_bytes))
        .layer(middleware::from_fn_with_state(state.clone(), kit::input::refuse_unclean_text))
        .layer(middleware::from_fn_with_state(state.clone(), kit::session::load_session))
        .layer(middleware::from_fn_with_state(state.clone(), kit::session::refuse_cross_site))
        .layer(middleware::from_fn(kit::error::render_errors))
        .layer(middleware::from_fn_with_state(state.clone(), kit::security::headers))
        .layer(middleware::from_fn_with_state(state.metrics.clone(), kit::metrics::measure))
        .layer(
            // One line per request, carrying the request id (never the query string: it may
            // hold a search for a person's name).
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request| {
                    let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
                    tracing::info_span!("request", request_id = %id, method = %req.method(), path = %req.uri().path())
                })
                .on_request(())
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO).latency_unit(LatencyUnit::Millis)),
        )
        .layer(PropagateRequestIdLayer::new(x_request_id.clone()))
        .layer(SetRequestIdLayer::new(x_request_id, MakeRequestUuid))
        .with_state(state)
}

/// Serves the application on `listener` until `shutdown` completes, then finishes the requests
/// in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    let begun = Arc::new(tokio::sync::Notify::new());
    let begin = begun.clone();
    let server = axum::serve(listener, app).with_graceful_shutdown(async move {
        shutdown.await;
        begin.notify_one();
    });
    // A shutdown lets the requests in flight finish, but never waits for ever on one.
    tokio::select! {
        finished = std::future::IntoFuture::into_future(server) => finished,
        _ = async {
            begun.notified().await;
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        } => {
            tracing::warn!("requests still in flight {SHUTDOWN_GRACE:?} after shutdown began; stopping anyway");
            Ok(())
        }
    }
}

/// How long a shutdown waits for the requests in flight.
pub const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(20);

/// Serves the application on `listener`, and Prometheus metrics on `metrics_listener` if given,
/// until `shutdown` completes; then finishes the requests in flight.
pub async fn serve_all(
    listener: tokio::net::TcpListener,
    metrics_listener: Option<tokio::net::TcpListener>,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let stop = Arc::new(tokio::sync::Notify::new());
    if let Some(m) = metrics_listener {
        let router = kit::metrics::router(state.metrics.clone());
        let stopped = stop.clone();
        tokio::spawn(async move {
            let _ = axum::serve(m, router)
                .with_graceful_shutdown(async move { stopped.notified().await })
                .await;
        });
    }
    serve(listener, state, async move {
        shutdown.await;
        stop.notify_waiters();
    })
    .await
}
