//! Security headers on every response, and the health and readiness probes.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::kit::routes::{Reach, Routes};

/// The Content Security Policy: nothing inline, nothing from elsewhere, no framing.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// Adds the security headers to every response, error pages included.
pub async fn headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=()"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        // Pages hold personal data: never keep them in shared or back/forward caches.
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if state.config.secure() {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        );
    }
    res
}

pub fn routes(r: &mut Routes) {
    use Reach::*;
    r.get("/healthz", Public, healthz)
        .get("/readyz", Public, readyz);
}

/// The process is up and answering.
async fn healthz() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "ok\n",
    )
}

/// The process can reach its database: a load balancer should send it traffic.
async fn readyz(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => (
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "ready\n",
        )
            .into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                "database unreachable\n",
            )
                .into_response()
        }
    }
}

/// The one rule for where Custodian sends a browser it was asked to send on (`next` after
/// sign-in): only a path on this site. It must start with one `/` followed by something other
/// than `/` or `\`, hold no backslash, and be visible ASCII only (no tab, CR, LF or other
/// control character, no space, nothing a browser might normalise into another host). Anything
/// else is the home page.
pub fn same_site_path(next: &str) -> &str {
    let bytes = next.as_bytes();
    let safe = bytes.first() == Some(&b'/')
        && !matches!(bytes.get(1), Some(b'/' | b'\\'))
        && next.len() <= 2048
        && bytes
            .iter()
            .all(|b| (0x21..=0x7e).contains(b) && *b != b'\\');
    if safe { next } else { "/" }
}

#[cfg(test)]
mod redirect_tests {
    use super::same_site_path;

    #[test]
    fn only_paths_on_this_site_are_followed() {
        for fine in [
            "/",
            "/account",
            "/practices/3b1c/assets?q=a%20b&sort=name",
            "/sign-in?next=%2Faccount",
            "/a/b/../c",
        ] {
            assert_eq!(same_site_path(fine), fine, "{fine}");
        }
        // Known open-redirect bypasses: every one goes home.
        for hostile in [
            "",
            "//evil.example",
            "///evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "/\t/evil.example/phish",
            "/\n/evil.example",
            "/\r\nSet-Cookie: evil=1",
            "/account\r\nSet-Cookie: evil=1",
            "/ /evil.example",
            "/\u{0}/evil.example",
            "/\u{7f}/evil.example",
            "/\u{3000}/evil.example",
            "/\u{ff0f}evil.example",
            "/é",
            "https://evil.example",
            "http:/evil.example",
            "javascript:alert(1)",
            "evil.example",
            "./evil",
            "/x\\y",
        ] {
            assert_eq!(same_site_path(hostile), "/", "{hostile:?}");
        }
        assert_eq!(same_site_path(&format!("/{}", "a".repeat(3000))), "/");
    }
}
