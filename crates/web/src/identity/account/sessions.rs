//! The account page and the person's sessions.

use super::*;

pub(crate) struct SessionRow {
    pub(crate) id: String,
    pub(crate) created: String,
    pub(crate) last_seen: String,
    pub(crate) from: String,
    pub(crate) current: bool,
}

#[derive(Template)]
#[template(path = "identity/account.html")]
pub(crate) struct AccountPage {
    pub(crate) layout: Layout,
    pub(crate) person: custodian_domain::Person,
    pub(crate) provider_roles: String,
    pub(crate) memberships: Vec<MembershipRow>,
    pub(crate) session_expires: String,
    pub(crate) idle_minutes: u64,
    pub(crate) notice: Option<String>,
    pub(crate) mfa_enrolled: bool,
    pub(crate) recovery_left: i64,
    pub(crate) sessions: Vec<SessionRow>,
}

#[derive(Deserialize, Default)]
pub(crate) struct AccountQuery {
    #[serde(default)]
    pub(crate) changed: Option<String>,
}

pub(crate) fn describe_agent(ua: Option<&str>) -> &'static str {
    let ua = ua.unwrap_or("");
    if ua.contains("Edg/") {
        "Edge"
    } else if ua.contains("Chrome/") {
        "Chrome"
    } else if ua.contains("Firefox/") {
        "Firefox"
    } else if ua.contains("Safari/") {
        "Safari"
    } else {
        "a program"
    }
}

pub(crate) async fn account(
    State(state): State<AppState>,
    user: SignedIn,
    Query(q): Query<AccountQuery>,
) -> Result<Response, HttpError> {
    let person = state
        .store
        .person(user.person_id())
        .await?
        .ok_or(AppError::NotFound)?;
    let now = state.clock.now();
    let sessions = state
        .store
        .sessions_of(user.person_id(), now - Duration::hours(24), now)
        .await?;
    let creds = state
        .store
        .credentials(&user.session.username)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let settings = settings_for(&state, user.person_id()).await?;
    Ok(render(&AccountPage {
        layout: Layout::new(&user, None, "/account"),
        person,
        provider_roles: provider_roles_text(&user.provider_roles),
        memberships: membership_rows(&user),
        session_expires: show_datetime(user.session.expires_at),
        idle_minutes: (settings.session_idle_minutes as u64)
            .min(state.config.session_idle_seconds / 60),
        notice: q.changed.map(|c| match c.as_str() {
            "password" => "Your password has been changed.".to_string(),
            "questions" => "Your security questions have been changed.".to_string(),
            "mfa" => "Two-factor authentication is set up.".to_string(),
            "session" => "That session has been signed out.".to_string(),
            _ => "Saved.".to_string(),
        }),
        mfa_enrolled: creds.mfa_enrolled,
        recovery_left: state.store.recovery_codes_left(user.person_id()).await?,
        sessions: sessions
            .iter()
            .map(|s| SessionRow {
                id: s.id.to_string(),
                created: show_datetime(s.created_at),
                last_seen: show_datetime(s.last_seen_at),
                from: format!(
                    "{} at {}",
                    describe_agent(s.user_agent.as_deref()),
                    s.ip.as_deref().unwrap_or("an unknown address")
                ),
                current: s.token_hash == user.token_hash,
            })
            .collect(),
    }))
}

pub(crate) async fn end_session(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
    Path(id): Path<String>,
) -> Result<Response, HttpError> {
    own::end_session(&state, user.person_id(), custodian_app::parse_id(&id)?, &meta).await?;
    Ok(Redirect::to("/account?changed=session").into_response())
}
