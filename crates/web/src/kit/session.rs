//! Who is asking: sessions, the signed-in person, their access to a practice, and passwords.
//!
//! Every route that shows or changes practice data goes through [`PracticeScope`], which is the
//! one place a person's roles become an [`Access`] and where a practice they may not see is
//! answered exactly as one that does not exist.

use axum::extract::{FromRequestParts, RawPathParams, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use custodian_app::Actor;
use custodian_app::secrets::token_hash;
use custodian_domain::identity::SessionStage;
use custodian_domain::{
    Access, Permission, PersonId, Practice, PracticeId, PracticeRole, ProviderRole,
};
use custodian_store::{ApiToken, AuditEvent, AuditMeta, Membership, Outcome, SessionInfo};

use crate::{AppError, AppState, HttpError};

// ---- throttling -----------------------------------------------------------------------------

pub use custodian_app::identity::sign_in::Throttle;

// ---- sessions ---------------------------------------------------------------------------

/// The session cookie's name: `__Host-` prefixed when served over HTTPS (the prefix needs the
/// Secure attribute, which browsers drop on plain HTTP).
pub fn cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-custodian_session"
    } else {
        "custodian_session"
    }
}

pub fn session_cookie(state: &AppState, token: &str) -> HeaderValue {
    let secure = if state.config.secure() {
        "; Secure"
    } else {
        ""
    };
    let v = format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Lax{secure}",
        cookie_name(state.config.secure())
    );
    HeaderValue::from_str(&v).expect("cookie is ASCII")
}

pub fn clear_cookie(state: &AppState) -> HeaderValue {
    let secure = if state.config.secure() {
        "; Secure"
    } else {
        ""
    };
    let v = format!(
        "{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}",
        cookie_name(state.config.secure())
    );
    HeaderValue::from_str(&v).expect("cookie is ASCII")
}

fn cookie_token<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The signed-in person, put in the request's extensions by [`load_session`].
#[derive(Clone, Debug)]
pub struct SignedIn {
    pub session: SessionInfo,
    /// The session token's hash (empty for an API token).
    pub token_hash: String,
    pub provider_roles: Vec<ProviderRole>,
    pub memberships: Vec<Membership>,
    /// Set when the request carried an API token instead of a session: the token's practice
    /// and permissions bound everything the request may do.
    pub api_token: Option<ApiToken>,
    /// How many of the person's notices are unread, for the header of a page (counted only
    /// for page GETs: 0 for the API, files and form posts).
    pub unread_notices: i64,
}

impl SignedIn {
    pub fn person_id(&self) -> PersonId {
        self.session.person_id
    }
    /// The account holder, for the use cases of a person's own account.
    pub fn holder(&self) -> custodian_app::identity::account::Holder<'_> {
        custodian_app::identity::account::Holder {
            person: self.person_id(),
            username: &self.session.username,
            full_name: &self.session.full_name,
        }
    }
    /// Whether this person works for the provider (and so may see every practice).
    pub fn is_provider_staff(&self) -> bool {
        !self.provider_roles.is_empty()
    }
    /// What this person may do at provider level (no practice). API tokens are scoped to one
    /// practice, so they have no provider-level access.
    pub fn provider_access(&self) -> Access {
        if self.api_token.is_some() {
            return Access::none(self.person_id());
        }
        Access::new(self.person_id(), &[], &self.provider_roles)
    }
}

/// Reads `Authorization: Bearer cst_…`.
fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let t = v
        .strip_prefix("Bearer ")
        .or_else(|| v.strip_prefix("bearer "))?
        .trim();
    t.strip_prefix(API_TOKEN_PREFIX)
        .filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()))
}

pub use custodian_app::identity::account::API_TOKEN_PREFIX;

async fn signed_in_by_token(
    state: &AppState,
    token: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Option<SignedIn>, HttpError> {
    let Some(api_token) = state.store.use_api_token(&token_hash(token), now).await? else {
        return Ok(None);
    };
    let Some(person) = state.store.person(api_token.person_id).await? else {
        return Ok(None);
    };
    let memberships = state.store.memberships(person.id).await?;
    Ok(Some(SignedIn {
        session: SessionInfo {
            id: custodian_domain::SessionId(api_token.id.0),
            stage: SessionStage::Full,
            person_id: person.id,
            username: person.username.clone(),
            full_name: person.full_name.clone(),
            must_change_password: false,
            created_at: api_token.created_at,
            expires_at: api_token.expires_at,
        },
        token_hash: String::new(),
        unread_notices: 0,
        provider_roles: person.provider_roles.clone(),
        memberships,
        api_token: Some(api_token),
    }))
}

/// Finds the session named by the request's cookie, if it is live, and records the person in
/// the request. Runs on every request; a request without a live session goes on anonymous.
/// A person who must change their password reaches only the password page and sign-out.
pub async fn load_session(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let now = state.clock.now();
    if let Some(token) = bearer_token(req.headers()) {
        match signed_in_by_token(&state, token, now).await {
            Ok(Some(user)) if !token_may_reach(req.uri().path()) => {
                drop(user);
                return HttpError(AppError::Forbidden).into_response();
            }
            Ok(Some(user)) => {
                // A token's use is recorded when it is first used in an hour: who, from where,
                // with which token (each request's own reads and changes are recorded as usual).
                let token = user.api_token.clone().expect("signed in by token");
                req.extensions_mut().insert(user);
                if token
                    .last_used_at
                    .is_none_or(|t| now - t >= chrono::Duration::hours(1))
                {
                    let (parts, body) = req.into_parts();
                    let event = request_meta(&parts)
                        .event(
                            Some(token.practice_id),
                            "api_token.use",
                            "api_token",
                            Some(token.id.to_string()),
                        )
                        .details(serde_json::json!({
                            "name": token.name,
                            "previous_use": token.last_used_at,
                        }));
                    if let Err(e) = state.store.append_event(&event).await {
                        return HttpError::from(e).into_response();
                    }
                    req = Request::from_parts(parts, body);
                }
                return next.run(req).await;
            }
            Ok(None) => return HttpError(AppError::Unauthenticated).into_response(),
            Err(e) => return e.into_response(),
        }
    }
    let name = cookie_name(state.config.secure());
    if let Some(token) = cookie_token(req.headers(), name) {
        let hash = token_hash(token);
        match state.store.use_session(&hash, now).await {
            Ok(Some(live)) => {
                let custodian_store::LiveSession {
                    session,
                    provider_roles,
                    memberships,
                } = live;
                let stage = session.stage;
                // Counted only for what may be a page: a GET that is not the API or a file.
                let path = req.uri().path();
                let page = req.method() == axum::http::Method::GET
                    && !path.starts_with("/api/")
                    && !path.starts_with("/assets/")
                    && !path.starts_with("/calendar/");
                let unread_notices = if stage == SessionStage::Full && page {
                    match state.store.unread_notices(session.person_id).await {
                        Ok(n) => n,
                        Err(e) => return HttpError::from(AppError::from(e)).into_response(),
                    }
                } else {
                    0
                };
                req.extensions_mut().insert(SignedIn {
                    session,
                    token_hash: hash,
                    provider_roles,
                    memberships,
                    api_token: None,
                    unread_notices,
                });
                if stage != SessionStage::Full && !allowed_at_stage(stage, req.uri().path()) {
                    return if req.uri().path().starts_with("/api/") {
                        HttpError(AppError::Stage(stage.explain())).into_response()
                    } else {
                        Redirect::to(stage.page()).into_response()
                    };
                }
            }
            Ok(None) => {
                // Expired, idle, ended or deactivated: forget the cookie, unless this very
                // request signed in again and set a new one.
                let mut res = next.run(req).await;
                let sets_session = res
                    .headers()
                    .get_all(header::SET_COOKIE)
                    .iter()
                    .any(|c| c.as_bytes().starts_with(format!("{name}=").as_bytes()));
                if !sets_session {
                    res.headers_mut()
                        .append(header::SET_COOKIE, clear_cookie(&state));
                    // Sent to sign in again: the sign-in page says why (`render_errors`).
                    res.extensions_mut().insert(SessionEnded);
                }
                return res;
            }
            Err(e) => return HttpError::from(e).into_response(),
        }
    }
    next.run(req).await
}

/// Before sign-in is complete, a session reaches only the page of its stage, sign-out and the
/// stylesheet.
/// The one rule for what an API token may reach: the practice's registers, never the account
/// that owns it (its password, security questions, two-factor authentication, sessions and
/// tokens), which only the person, signed in, may manage.
fn token_may_reach(path: &str) -> bool {
    let under = |root: &str| {
        path.strip_prefix(root)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    };
    !(under("/api/v1/me") || under("/api/v1/session"))
}

fn allowed_at_stage(stage: SessionStage, path: &str) -> bool {
    path == stage.page()
        || stage.api_paths().contains(&path)
        || path == "/sign-out"
        || path == "/api/v1/session"
        || path.starts_with("/assets/")
        || (stage == SessionStage::EnrolMfa && path == "/account/mfa/recovery-codes")
}

impl<S: Send + Sync> FromRequestParts<S> for SignedIn {
    type Rejection = HttpError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, HttpError> {
        parts
            .extensions
            .get::<SignedIn>()
            .cloned()
            .ok_or(AppError::Unauthenticated.into())
    }
}

impl<S: Send + Sync> axum::extract::OptionalFromRequestParts<S> for SignedIn {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Option<Self>, Self::Rejection> {
        Ok(parts.extensions.get::<SignedIn>().cloned())
    }
}

/// Marks the answer to a request whose session cookie named a session that has ended (idle too
/// long, signed out elsewhere, the account deactivated).
#[derive(Clone, Copy, Debug)]
pub struct SessionEnded;

/// Sends a browser to sign in, then back to where it was going; `ended` when its session had
/// ended, so the sign-in page says why.
pub fn redirect_to_sign_in(path_and_query: &str, ended: bool) -> Response {
    let back = crate::kit::security::same_site_path(path_and_query);
    let mut query = Vec::new();
    if back != "/" {
        query.push(format!("next={}", urlencode(back)));
    }
    if ended {
        query.push("ended=1".to_string());
    }
    let to = if query.is_empty() {
        "/sign-in".to_string()
    } else {
        format!("/sign-in?{}", query.join("&"))
    };
    Redirect::to(&to).into_response()
}

pub fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

// ---- the audit context of a request -------------------------------------------------------

/// The request's facts for the audit trail: who, from where, which request.
#[derive(Clone, Debug)]
pub struct RequestMeta(pub AuditMeta);

impl<S: Send + Sync> FromRequestParts<S> for RequestMeta {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(RequestMeta(request_meta(parts)))
    }
}

pub fn request_meta(parts: &Parts) -> AuditMeta {
    let signed_in = parts.extensions.get::<SignedIn>();
    let header = |n: &str| {
        parts
            .headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .map(|s| s.chars().take(512).collect::<String>())
    };
    AuditMeta {
        actor_id: signed_in.map(|s| s.person_id()),
        actor: signed_in
            .map(|s| s.session.username.clone())
            .unwrap_or_else(|| "anonymous".into()),
        ip: parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip().to_string()),
        user_agent: header("user-agent"),
        request_id: header("x-request-id"),
    }
}

// ---- practice scope: the one permission check -------------------------------------------

/// A request about one practice, by a signed-in person who may see it, with what they may do
/// there. Built from the `{practice_id}` in the route.
#[derive(Clone)]
pub struct PracticeScope {
    pub user: SignedIn,
    pub practice: Practice,
    pub roles: Vec<PracticeRole>,
    pub access: Access,
    pub meta: AuditMeta,
    state: AppState,
}

impl PracticeScope {
    pub fn id(&self) -> PracticeId {
        self.practice.id
    }

    /// The page frame for a page of this practice; `here` is the page's path.
    pub fn layout(&self, here: &str) -> crate::kit::layout::Layout {
        crate::kit::layout::Layout::new(&self.user, Some((&self.practice, &self.access)), here)
    }

    /// The path of a page of this practice: `/practices/{id}` followed by `page`.
    pub fn path(&self, page: &str) -> String {
        use crate::kit::layout::PracticeAddress;
        format!("{}{page}", self.practice.home())
    }

    /// The person acting in this practice, for the application's use cases.
    pub fn actor(&self) -> Actor<'_> {
        Actor {
            practice: &self.practice,
            roles: &self.roles,
            access: &self.access,
            meta: &self.meta,
        }
    }

    /// The one permission check ([`custodian_app::App::require`]): a refusal is recorded.
    pub async fn require(&self, permission: Permission, action: &str) -> Result<(), HttpError> {
        Ok(self
            .state
            .require(&self.actor(), permission, action)
            .await?)
    }

    /// Records a read of confidential data; returns once the event is durable.
    pub async fn record(&self, event: AuditEvent) -> Result<(), HttpError> {
        Ok(self.state.record_read(event).await?)
    }

    /// Records a read of a list of `records` confidential records (`action`, e.g.
    /// `asset.list`); returns once the event is durable.
    pub async fn record_list(
        &self,
        action: &str,
        object_type: &str,
        records: usize,
    ) -> Result<(), HttpError> {
        self.record(
            self.event(action, object_type, None)
                .details(serde_json::json!({ "records": records })),
        )
        .await
    }

    pub fn event(&self, action: &str, object_type: &str, object_id: Option<String>) -> AuditEvent {
        self.meta
            .event(Some(self.id()), action, object_type, object_id)
    }
}

impl FromRequestParts<AppState> for PracticeScope {
    type Rejection = HttpError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, HttpError> {
        let user = SignedIn::from_request_parts(parts, state).await?;
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::NotFound)?;
        let raw = params
            .iter()
            .find(|(k, _)| *k == "practice_id")
            .map(|(_, v)| v.to_string())
            .ok_or(AppError::NotFound)?;
        let meta = request_meta(parts);
        let Ok(id) = raw.parse::<PracticeId>() else {
            return Err(AppError::NotFound.into());
        };
        // A member's practice and roles came with the session; only provider staff visiting
        // (and strangers probing) need the database.
        let (practice, roles) = match user.memberships.iter().find(|m| m.practice.id == id) {
            Some(m) => (Some(m.practice.clone()), m.roles.clone()),
            None => (state.store.practice(id).await?, Vec::new()),
        };
        let mut access = Access::new(user.person_id(), &roles, &user.provider_roles);
        if let Some(t) = &user.api_token {
            // A token reaches only its own practice, with at most its own permissions.
            access = if t.practice_id == id {
                access.intersect(&t.permissions)
            } else {
                Access::none(user.person_id())
            };
        }
        match practice {
            Some(practice) if access.sees_practice() => Ok(PracticeScope {
                user,
                practice,
                roles,
                access,
                meta,
                state: state.clone(),
            }),
            found => {
                // A practice that is not theirs looks exactly like one that does not exist, but
                // the probe is recorded: it may be inappropriate use.
                let event = meta
                    .event(
                        found.map(|p| p.id),
                        "practice.access",
                        "practice",
                        Some(raw),
                    )
                    .outcome(Outcome::Denied)
                    .details(serde_json::json!({ "path": parts.uri.path() }));
                state.store.append_event(&event).await?;
                Err(AppError::NotFound.into())
            }
        }
    }
}

// ---- cross-site request refusal ----------------------------------------------------------

/// Refuses state-changing requests from other sites. Browsers send `Sec-Fetch-Site` (and
/// `Origin`) on every POST; a request that says it came from elsewhere is refused before any
/// handler runs. Requests with neither header and no session cookie (scripts, the CLI) pass:
/// they carry no ambient authority.
pub async fn refuse_cross_site(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let h = req.headers();
    let fetch_site = h.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    let origin = h.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let host = h.get(header::HOST).and_then(|v| v.to_str().ok());
    let same_origin = |o: &str| {
        let o = o.split_once("://").map(|(_, rest)| rest).unwrap_or(o);
        host.is_some_and(|h| h.eq_ignore_ascii_case(o))
            || state.config.public_url.as_deref().is_some_and(|u| {
                u.trim_end_matches('/')
                    .eq_ignore_ascii_case(origin.unwrap_or(""))
            })
    };
    let refused = match (fetch_site, origin) {
        (Some(site), _) if site != "same-origin" && site != "none" => true,
        (_, Some(o)) if o != "null" && !same_origin(o) => true,
        (_, Some("null")) => true,
        (None, None) => cookie_token(h, cookie_name(state.config.secure())).is_some(),
        _ => false,
    };
    if refused {
        tracing::warn!(method = %req.method(), path = req.uri().path(), "cross-site request refused");
        return (StatusCode::FORBIDDEN, HttpError(AppError::CrossSite)).into_response();
    }
    next.run(req).await
}

/// The provider-wide check, for pages about every practice: provider staff whose provider roles
/// grant `permission`. A refusal is recorded in the audit trail as `action`, denied.
pub async fn require_provider(
    state: &AppState,
    user: &SignedIn,
    meta: &AuditMeta,
    permission: Permission,
    action: &str,
) -> Result<(), HttpError> {
    Ok(state
        .require_access(&user.provider_access(), meta, None, permission, action)
        .await?)
}

/// The path parameters of a practice's page after `{practice_id}` (which [`PracticeScope`]
/// has already checked): one as a `String`, several as a tuple.
pub struct InPractice<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequestParts<S> for InPractice<T> {
    type Rejection = HttpError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, HttpError> {
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::NotFound)?;
        let rest: Vec<serde_json::Value> = params
            .iter()
            .filter(|(k, _)| *k != "practice_id")
            .map(|(_, v)| serde_json::Value::String(v.to_string()))
            .collect();
        let value = match <[serde_json::Value; 1]>::try_from(rest) {
            Ok([one]) => one,
            Err(many) => serde_json::Value::Array(many),
        };
        serde_json::from_value(value)
            .map(InPractice)
            .map_err(|_| AppError::NotFound.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use custodian_app::secrets::new_token;

    #[test]
    fn cookie_tokens_are_found_and_malformed_ones_ignored() {
        let (t, _) = new_token();
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("a=b; custodian_session={t}; c=d")).unwrap(),
        );
        assert_eq!(cookie_token(&h, "custodian_session"), Some(t.as_str()));
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("custodian_session=../../etc"),
        );
        assert_eq!(cookie_token(&h, "custodian_session"), None);
    }

    #[test]
    fn sign_in_redirects_only_back_to_this_site() {
        let r = redirect_to_sign_in("/practices/x?y=1", false);
        assert_eq!(
            r.headers()[header::LOCATION],
            "/sign-in?next=/practices/x%3Fy%3D1"
        );
        let r = redirect_to_sign_in("//evil.example/", false);
        assert_eq!(r.headers()[header::LOCATION], "/sign-in");
    }
}
