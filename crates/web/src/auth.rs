//! Who is asking: sessions, the signed-in person, their access to a practice, and passwords.
//!
//! Every route that shows or changes practice data goes through [`PracticeScope`], which is the
//! one place a person's roles become an [`Access`] and where a practice they may not see is
//! answered exactly as one that does not exist.

use std::sync::Arc;

use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use axum::extract::{FromRequestParts, RawPathParams, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Duration;
use custodian_domain::{Access, Permission, PersonId, Practice, PracticeId, PracticeRole, ProviderRole};
use custodian_store::{AuditEvent, AuditMeta, Membership, Outcome, SessionInfo};
use rand::RngCore;
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

use crate::{AppError, AppState};

// ---- passwords --------------------------------------------------------------------------

/// Hashes and checks passwords with Argon2id (19 MiB, 2 passes, 1 lane: OWASP's figure), off the
/// async runtime, at most `permits` at a time, so a flood of sign-ins queues instead of
/// exhausting memory or starving other requests.
#[derive(Clone)]
pub struct Passwords {
    permits: Arc<Semaphore>,
    params: Params,
}

impl Passwords {
    pub fn new(concurrent: usize) -> Self {
        Passwords {
            permits: Arc::new(Semaphore::new(concurrent.max(1))),
            params: Params::new(19 * 1024, 2, 1, None).expect("valid Argon2 parameters"),
        }
    }

    fn argon2(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    /// The PHC string of `password` (algorithm, parameters and salt travel with the hash).
    pub async fn hash(&self, password: &str) -> Result<String, AppError> {
        let _permit = self.permits.acquire().await.map_err(|e| AppError::Internal(e.to_string()))?;
        let password = password.to_string();
        let argon2 = self.argon2();
        tokio::task::spawn_blocking(move || {
            let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
            argon2.hash_password(password.as_bytes(), &salt).map(|h| h.to_string())
        })
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(e.to_string()))
    }

    /// Whether `password` matches `phc`. With no stored hash, a dummy hash is checked anyway, so
    /// an unknown username takes as long as a wrong password.
    pub async fn verify(&self, password: &str, phc: Option<&str>) -> Result<bool, AppError> {
        let _permit = self.permits.acquire().await.map_err(|e| AppError::Internal(e.to_string()))?;
        let password = password.to_string();
        let phc = phc.map(str::to_string);
        let argon2 = self.argon2();
        tokio::task::spawn_blocking(move || {
            let (phc, real) = match phc {
                Some(p) => (p, true),
                None => (DUMMY_HASH.to_string(), false),
            };
            let Ok(parsed) = PasswordHash::new(&phc) else { return false };
            argon2.verify_password(password.as_bytes(), &parsed).is_ok() && real
        })
        .await
        .map_err(|e| AppError::Internal(e.to_string()))
    }
}

/// An Argon2id hash of a random string nobody knows, for timing-equal failures.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0bBqc6oVxO6fDWb4PH1yiHs3WvWv3Rr3ryK5U4GExj8";

// ---- sessions ---------------------------------------------------------------------------

/// A new random session token (256 bits) and the hash under which it is stored.
pub fn new_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let hash = token_hash(&token);
    (token, hash)
}

/// Tokens are stored only as their SHA-256: a copy of the database signs nobody in.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The session cookie's name: `__Host-` prefixed when served over HTTPS (the prefix needs the
/// Secure attribute, which browsers drop on plain HTTP).
pub fn cookie_name(secure: bool) -> &'static str {
    if secure { "__Host-custodian_session" } else { "custodian_session" }
}

pub fn session_cookie(state: &AppState, token: &str) -> HeaderValue {
    let secure = if state.config.secure() { "; Secure" } else { "" };
    let v = format!("{}={token}; Path=/; HttpOnly; SameSite=Lax{secure}", cookie_name(state.config.secure()));
    HeaderValue::from_str(&v).expect("cookie is ASCII")
}

pub fn clear_cookie(state: &AppState) -> HeaderValue {
    let secure = if state.config.secure() { "; Secure" } else { "" };
    let v = format!("{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}", cookie_name(state.config.secure()));
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
    pub token_hash: String,
    pub provider_roles: Vec<ProviderRole>,
    pub memberships: Vec<Membership>,
}

impl SignedIn {
    pub fn person_id(&self) -> PersonId {
        self.session.person_id
    }
    /// Whether this person works for the provider (and so may see every practice).
    pub fn is_provider_staff(&self) -> bool {
        !self.provider_roles.is_empty()
    }
    /// What this person may do at provider level (no practice).
    pub fn provider_access(&self) -> Access {
        Access::new(self.person_id(), &[], &self.provider_roles)
    }
}

/// Finds the session named by the request's cookie, if it is live, and records the person in
/// the request. Runs on every request; a request without a live session goes on anonymous.
/// A person who must change their password reaches only the password page and sign-out.
pub async fn load_session(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let name = cookie_name(state.config.secure());
    if let Some(token) = cookie_token(req.headers(), name) {
        let hash = token_hash(token);
        let now = state.clock.now();
        let idle_since = now - Duration::seconds(state.config.session_idle_seconds as i64);
        match state.store.use_session(&hash, idle_since, now).await {
            Ok(Some(session)) => {
                let person = session.person_id;
                let provider_roles = match state.store.roles(None, person).await {
                    Ok((_, p)) => p,
                    Err(e) => return AppError::from(e).into_response(),
                };
                let memberships = match state.store.memberships(person).await {
                    Ok(m) => m,
                    Err(e) => return AppError::from(e).into_response(),
                };
                let must_change = session.must_change_password;
                req.extensions_mut().insert(SignedIn { session, token_hash: hash, provider_roles, memberships });
                if must_change && !allowed_before_password_change(req.uri().path()) {
                    return if req.uri().path().starts_with("/api/") {
                        AppError::Forbidden.into_response()
                    } else {
                        Redirect::to("/account/password").into_response()
                    };
                }
            }
            Ok(None) => {
                // Expired, idle, ended or deactivated: forget the cookie.
                let mut res = next.run(req).await;
                res.headers_mut().append(header::SET_COOKIE, clear_cookie(&state));
                return res;
            }
            Err(e) => return AppError::from(e).into_response(),
        }
    }
    next.run(req).await
}

fn allowed_before_password_change(path: &str) -> bool {
    matches!(path, "/account/password" | "/sign-out") || path.starts_with("/assets/")
}

impl<S: Send + Sync> FromRequestParts<S> for SignedIn {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        parts.extensions.get::<SignedIn>().cloned().ok_or(AppError::Unauthenticated)
    }
}

impl<S: Send + Sync> axum::extract::OptionalFromRequestParts<S> for SignedIn {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Option<Self>, Self::Rejection> {
        Ok(parts.extensions.get::<SignedIn>().cloned())
    }
}

/// Sends a browser to sign in, then back to where it was going.
pub fn redirect_to_sign_in(path_and_query: &str) -> Response {
    let next = if path_and_query.starts_with('/') && !path_and_query.starts_with("//") && path_and_query != "/" {
        format!("/sign-in?next={}", urlencode(path_and_query))
    } else {
        "/sign-in".to_string()
    };
    Redirect::to(&next).into_response()
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
    let header = |n: &str| parts.headers.get(n).and_then(|v| v.to_str().ok()).map(|s| s.chars().take(512).collect::<String>());
    AuditMeta {
        actor_id: signed_in.map(|s| s.person_id()),
        actor: signed_in.map(|s| s.session.username.clone()).unwrap_or_else(|| "anonymous".into()),
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

    /// The one permission check. A refusal is recorded in the audit trail.
    pub async fn require(&self, permission: Permission, action: &str) -> Result<(), AppError> {
        if self.access.can(permission) {
            return Ok(());
        }
        let event = self
            .meta
            .event(Some(self.id()), action, "permission", Some(permission.as_str().to_string()))
            .outcome(Outcome::Denied);
        self.state.store.append_event(&event).await?;
        Err(AppError::Forbidden)
    }

    /// Records a read of confidential data; returns once the event is durable.
    pub async fn record(&self, event: AuditEvent) -> Result<(), AppError> {
        self.state.store.append_event(&event).await?;
        Ok(())
    }

    pub fn event(&self, action: &str, object_type: &str, object_id: Option<String>) -> AuditEvent {
        self.meta.event(Some(self.id()), action, object_type, object_id)
    }
}

impl FromRequestParts<AppState> for PracticeScope {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let user = SignedIn::from_request_parts(parts, state).await?;
        let params = RawPathParams::from_request_parts(parts, state).await.map_err(|_| AppError::NotFound)?;
        let raw = params.iter().find(|(k, _)| *k == "practice_id").map(|(_, v)| v.to_string()).ok_or(AppError::NotFound)?;
        let meta = request_meta(parts);
        let Ok(id) = raw.parse::<PracticeId>() else { return Err(AppError::NotFound) };
        let practice = state.store.practice(id).await?;
        let (roles, provider_roles) = state.store.roles(Some(id), user.person_id()).await?;
        let access = Access::new(user.person_id(), &roles, &provider_roles);
        match practice {
            Some(practice) if access.sees_practice() => {
                Ok(PracticeScope { user, practice, roles, access, meta, state: state.clone() })
            }
            found => {
                // A practice that is not theirs looks exactly like one that does not exist, but
                // the probe is recorded: it may be inappropriate use.
                let event = meta
                    .event(found.map(|p| p.id), "practice.access", "practice", Some(raw))
                    .outcome(Outcome::Denied)
                    .details(serde_json::json!({ "path": parts.uri.path() }));
                state.store.append_event(&event).await?;
                Err(AppError::NotFound)
            }
        }
    }
}

// ---- cross-site request refusal ----------------------------------------------------------

/// Refuses state-changing requests from other sites. Browsers send `Sec-Fetch-Site` (and
/// `Origin`) on every POST; a request that says it came from elsewhere is refused before any
/// handler runs. Requests with neither header and no session cookie (scripts, the CLI) pass:
/// they carry no ambient authority.
pub async fn refuse_cross_site(State(state): State<AppState>, req: Request, next: Next) -> Response {
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
            || state.config.public_url.as_deref().is_some_and(|u| u.trim_end_matches('/').eq_ignore_ascii_case(origin.unwrap_or("")))
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
        return (StatusCode::FORBIDDEN, AppError::CrossSite).into_response();
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn passwords_hash_and_verify_and_unknown_users_fail() {
        let p = Passwords::new(2);
        let h = p.hash("correct horse battery staple").await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(p.verify("correct horse battery staple", Some(&h)).await.unwrap());
        assert!(!p.verify("wrong", Some(&h)).await.unwrap());
        assert!(!p.verify("anything", None).await.unwrap());
        assert!(!p.verify("anything", Some("not a hash")).await.unwrap());
    }

    #[test]
    fn tokens_are_random_and_stored_only_as_hashes() {
        let (t1, h1) = new_token();
        let (t2, _) = new_token();
        assert_ne!(t1, t2);
        assert_eq!(t1.len(), 64);
        assert_eq!(h1, token_hash(&t1));
        assert_ne!(h1, t1);
    }

    #[test]
    fn cookie_tokens_are_found_and_malformed_ones_ignored() {
        let (t, _) = new_token();
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_str(&format!("a=b; custodian_session={t}; c=d")).unwrap());
        assert_eq!(cookie_token(&h, "custodian_session"), Some(t.as_str()));
        h.insert(header::COOKIE, HeaderValue::from_static("custodian_session=../../etc"));
        assert_eq!(cookie_token(&h, "custodian_session"), None);
    }

    #[test]
    fn sign_in_redirects_only_back_to_this_site() {
        let r = redirect_to_sign_in("/practices/x?y=1");
        assert_eq!(r.headers()[header::LOCATION], "/sign-in?next=/practices/x%3Fy%3D1");
        let r = redirect_to_sign_in("//evil.example/");
        assert_eq!(r.headers()[header::LOCATION], "/sign-in");
    }
}

/// A one-time password to read out over the phone: 16 characters from an alphabet without
/// look-alikes (no 0/O, 1/l/I), in groups of four, from the operating system's CSPRNG.
/// About 80 bits: it is used once and expires, and it is stored only as its Argon2 hash.
pub fn one_time_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    let chars: Vec<char> = (0..16)
        .map(|_| ALPHABET[rand::Rng::random_range(&mut rng, 0..ALPHABET.len())] as char)
        .collect();
    chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-")
}

#[cfg(test)]
mod otp_tests {
    #[test]
    fn one_time_passwords_are_readable_long_and_distinct() {
        let a = super::one_time_password();
        assert_eq!(a.len(), 19);
        assert!(a.chars().all(|c| c == '-' || (c.is_ascii_alphanumeric() && !"0o1liI".contains(c))));
        assert_ne!(a, super::one_time_password());
    }
}
