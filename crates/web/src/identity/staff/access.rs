//! Who has access, and the security page (locked accounts, dormant accounts).

use super::*;
use crate::kit::layout::PracticeAddress;

pub(crate) struct AccessRow {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) job_title: String,
    pub(crate) roles: String,
    pub(crate) mfa: bool,
    pub(crate) last_sign_in: String,
    pub(crate) password_age: String,
    pub(crate) open_grants: i64,
    pub(crate) flags: Vec<&'static str>,
}

#[derive(Template)]
#[template(path = "identity/access.html")]
pub(crate) struct AccessPage {
    pub(crate) layout: Layout,
    pub(crate) practice: Practice,
    pub(crate) rows: Vec<AccessRow>,
    pub(crate) dormant_days: u32,
}

pub(crate) async fn access_page(
    State(state): State<AppState>,
    scope: PracticeScope,
) -> Result<Response, HttpError> {
    scope.require(Permission::PeopleView, "access.list").await?;
    let rows = state.store.access_overview(scope.id()).await?;
    let settings = state.store.settings(scope.id()).await?;
    let now = state.clock.now();
    scope
        .record_list("access.list", "person", rows.len())
        .await?;
    let here = scope.path("/access");
    Ok(render(&AccessPage {
        layout: scope.layout(&here),
        practice: scope.practice.clone(),
        dormant_days: settings.dormant_after_days,
        rows: rows
            .iter()
            .map(|r| {
                let mut flags = vec![];
                let last = r.last_sign_in_at.unwrap_or(r.joined_at);
                if now - last > Duration::days(settings.dormant_after_days as i64) {
                    flags.push("Dormant: remove?");
                }
                if identity::password_expired(
                    r.password_changed_at,
                    settings.password_max_age_days,
                    now,
                ) {
                    flags.push("Password expired");
                }
                if r.locked_until.is_some_and(|l| l > now) {
                    flags.push("Locked");
                }
                if r.roles.contains(&PracticeRole::SystemAdministrator) && !r.mfa_enrolled {
                    flags.push("Administrator without two-factor");
                }
                AccessRow {
                    id: r.person_id.to_string(),
                    name: r.full_name.clone(),
                    job_title: r.job_title.clone(),
                    roles: roles_text(&r.roles),
                    mfa: r.mfa_enrolled,
                    last_sign_in: r
                        .last_sign_in_at
                        .map(show_datetime)
                        .unwrap_or_else(|| "Never".into()),
                    password_age: r
                        .password_changed_at
                        .map(|c| format!("{} days", (now - c).num_days()))
                        .unwrap_or_else(|| "No password".into()),
                    open_grants: r.open_grants,
                    flags,
                }
            })
            .collect(),
    }))
}

pub(crate) struct LockedRow {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) username: String,
    pub(crate) locked_until: String,
    pub(crate) sign_in_locked: bool,
    pub(crate) identity_locked: bool,
}

#[derive(Template)]
#[template(path = "identity/security.html")]
pub(crate) struct SecurityPage {
    pub(crate) layout: Layout,
    pub(crate) practice: Practice,
    pub(crate) locked: Vec<LockedRow>,
    pub(crate) can_unlock: bool,
    pub(crate) max_failures: i64,
    pub(crate) max_checks: i64,
    pub(crate) lockout_minutes: u32,
    pub(crate) failures_week: usize,
    pub(crate) lockouts_week: usize,
    pub(crate) notice: Option<String>,
}

#[derive(Deserialize, Default)]
pub(crate) struct NoticeQuery {
    #[serde(default)]
    pub(crate) done: Option<String>,
}

pub(crate) async fn security_page(
    State(state): State<AppState>,
    scope: PracticeScope,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, HttpError> {
    scope
        .require(Permission::PeopleView, "security.view")
        .await?;
    let now = state.clock.now();
    let locked = state.store.locked_accounts(scope.id(), now).await?;
    scope
        .record_list("security.view", "person", locked.len())
        .await?;
    let settings = state.store.settings(scope.id()).await?;
    // Failed sign-ins of this practice's staff in the last week.
    let staff: std::collections::HashSet<String> = state
        .store
        .access_overview(scope.id())
        .await?
        .into_iter()
        .map(|o| o.person_id.to_string())
        .collect();
    let week = now - Duration::days(7);
    let recent = state.store.events(None, 5000).await?;
    let mine = |e: &&custodian_store::StoredEvent| {
        e.occurred_at >= week
            && e.event
                .object_id
                .as_ref()
                .is_some_and(|o| staff.contains(o))
    };
    let failures_week = recent
        .iter()
        .filter(mine)
        .filter(|e| e.event.action == "session.sign_in" && e.event.outcome == Outcome::Failure)
        .count();
    let lockouts_week = recent
        .iter()
        .filter(mine)
        .filter(|e| e.event.action == "account.lock")
        .count();
    let here = scope.path("/security");
    Ok(render(&SecurityPage {
        layout: scope.layout(&here),
        practice: scope.practice.clone(),
        can_unlock: scope.access.can(Permission::AccountUnlock),
        locked: locked
            .iter()
            .map(|l| LockedRow {
                id: l.person_id.to_string(),
                name: l.full_name.clone(),
                username: l.username.clone(),
                locked_until: l
                    .locked_until
                    .map(show_datetime)
                    .unwrap_or_else(|| "Not locked".into()),
                sign_in_locked: l.locked_until.is_some(),
                identity_locked: l.identity_checks_locked,
            })
            .collect(),
        max_failures: identity::MAX_FAILED_SIGN_INS,
        max_checks: identity::MAX_IDENTITY_CHECK_FAILURES,
        lockout_minutes: settings.lockout_minutes,
        failures_week,
        lockouts_week,
        notice: q.done.map(|d| {
            if d == "unlock" {
                "The account is unlocked.".into()
            } else {
                "The identity-check lock is cleared.".into()
            }
        }),
    }))
}

pub(crate) async fn unlock(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(person): InPractice<String>,
) -> Result<Response, HttpError> {
    let person = person.parse().map_err(|_| AppError::NotFound)?;
    uap::unlock_account(&state, &scope.actor(), person).await?;
    Ok(Redirect::to(&scope.path("/security?done=unlock")).into_response())
}

pub(crate) async fn clear_identity_lock(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(person): InPractice<String>,
) -> Result<Response, HttpError> {
    let person = person.parse().map_err(|_| AppError::NotFound)?;
    uap::clear_identity_lock(&state, &scope.actor(), person).await?;
    Ok(Redirect::to(&scope.path("/security?done=identity")).into_response())
}
