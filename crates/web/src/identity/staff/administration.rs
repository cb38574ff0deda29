//! The practice's tasks, systems, system administrators and settings.

use custodian_domain::notifications::NoticeKind;

use super::*;
use crate::kit::forms::posted;
use crate::kit::layout::PracticeAddress;

pub(crate) struct TaskRow {
    pub(crate) id: String,
    pub(crate) what: String,
    pub(crate) reason: String,
    pub(crate) opened: String,
    pub(crate) done: String,
    pub(crate) note: String,
}

#[derive(Template)]
#[template(path = "identity/tasks.html")]
pub(crate) struct TasksPage {
    pub(crate) layout: Layout,
    pub(crate) practice: Practice,
    pub(crate) errors: Errors,
    pub(crate) open: Vec<TaskRow>,
    pub(crate) done: Vec<TaskRow>,
    pub(crate) can_complete: bool,
}

pub(crate) async fn tasks_page(
    State(state): State<AppState>,
    scope: PracticeScope,
) -> Result<Response, HttpError> {
    scope
        .require(Permission::PeopleView, "access_grant.list")
        .await?;
    let grants = state.store.access_grants(scope.id(), false).await?;
    scope
        .record_list("access_grant.list", "access_grant", grants.len())
        .await?;
    let row = |g: &custodian_store::AccessGrant| TaskRow {
        id: g.id.to_string(),
        what: format!(
            "{} {}'s login in {}",
            if g.action == "create" {
                "Create"
            } else {
                "Remove"
            },
            g.person_name,
            g.system_name
        ),
        reason: g.reason.clone(),
        opened: show_date(g.opened_at),
        done: g.done_at.map(show_datetime).unwrap_or_default(),
        note: g.note.clone().unwrap_or_default(),
    };
    let here = scope.path("/tasks");
    Ok(render(&TasksPage {
        layout: scope.layout(&here),
        practice: scope.practice.clone(),
        errors: Errors::none(),
        open: grants
            .iter()
            .filter(|g| g.status == custodian_domain::identity::GrantStatus::Open)
            .map(row)
            .collect(),
        done: grants
            .iter()
            .filter(|g| g.status == custodian_domain::identity::GrantStatus::Done)
            .map(row)
            .collect(),
        can_complete: scope.access.can(Permission::AccessTasksManage),
    }))
}

#[derive(Deserialize)]
pub(crate) struct NoteForm {
    #[serde(default)]
    pub(crate) note: String,
}

pub(crate) async fn task_done(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
    Form(form): Form<NoteForm>,
) -> Result<Response, HttpError> {
    scope
        .require(Permission::AccessTasksManage, "access_grant.done")
        .await?;
    state
        .store
        .complete_access_grant(scope.id(), parse_id(&id)?, &form.note, &scope.meta)
        .await?;
    Ok(Redirect::to(&scope.path("/tasks")).into_response())
}

#[derive(Template)]
#[template(path = "identity/systems.html")]
pub(crate) struct SystemsPage {
    pub(crate) layout: Layout,
    pub(crate) practice: Practice,
    pub(crate) errors: Errors,
    pub(crate) systems: Vec<String>,
    pub(crate) can_manage: bool,
}

pub(crate) async fn systems_page_for(
    state: &AppState,
    scope: &PracticeScope,
    errors: Errors,
) -> Result<Response, HttpError> {
    let systems = state.store.systems(scope.id()).await?;
    let status = errors.status();
    Ok(render_with(
        status,
        &SystemsPage {
            layout: scope.layout(&scope.path("/systems")),
            practice: scope.practice.clone(),
            errors,
            systems: systems.into_iter().map(|s| s.name).collect(),
            can_manage: scope.access.can(Permission::PracticeSettingsManage),
        },
    ))
}

pub(crate) async fn systems_page(
    State(state): State<AppState>,
    scope: PracticeScope,
) -> Result<Response, HttpError> {
    scope.require(Permission::PeopleView, "system.list").await?;
    systems_page_for(&state, &scope, Errors::none()).await
}

#[derive(Deserialize)]
pub(crate) struct NameForm {
    #[serde(default)]
    pub(crate) name: String,
}

pub(crate) async fn add_system(
    State(state): State<AppState>,
    scope: PracticeScope,
    Form(form): Form<NameForm>,
) -> Result<Response, HttpError> {
    scope
        .require(Permission::PracticeSettingsManage, "system.create")
        .await?;
    match state
        .store
        .add_system(scope.id(), &form.name, &scope.meta)
        .await
    {
        Ok(_) => Ok(Redirect::to(&scope.path("/systems")).into_response()),
        Err(custodian_store::StoreError::Invalid(i)) => {
            systems_page_for(&state, &scope, i.into()).await
        }
        Err(custodian_store::StoreError::Conflict { field, message }) => {
            systems_page_for(&state, &scope, Errors::one(field, message)).await
        }
        Err(e) => Err(e.into()),
    }
}

pub(crate) struct AdminRow {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) by: String,
    pub(crate) on: String,
    pub(crate) reason: String,
    pub(crate) mfa: &'static str,
    pub(crate) last: String,
}

#[derive(Template)]
#[template(path = "identity/administrators.html")]
pub(crate) struct AdministratorsPage {
    pub(crate) layout: Layout,
    pub(crate) practice: Practice,
    pub(crate) errors: Errors,
    pub(crate) admins: Vec<AdminRow>,
    pub(crate) staff: Vec<(String, String)>,
    pub(crate) can_nominate: bool,
    pub(crate) cap: u32,
}

pub(crate) async fn administrators_page_for(
    state: &AppState,
    scope: &PracticeScope,
    errors: Errors,
) -> Result<Response, HttpError> {
    let admins = state.store.administrators(scope.id()).await?;
    let settings = state.store.settings(scope.id()).await?;
    let staff = state.store.access_overview(scope.id()).await?;
    let status = errors.status();
    Ok(render_with(
        status,
        &AdministratorsPage {
            layout: scope.layout(&scope.path("/administrators")),
            practice: scope.practice.clone(),
            errors,
            cap: settings.administrator_cap,
            can_nominate: scope.access.can(Permission::AdministratorNominate),
            staff: staff
                .iter()
                .filter(|s| !admins.iter().any(|a| a.person_id == s.person_id))
                .map(|s| (s.person_id.to_string(), s.full_name.clone()))
                .collect(),
            admins: admins
                .iter()
                .map(|a| AdminRow {
                    id: a.person_id.to_string(),
                    name: a.person_name.clone(),
                    by: a.nominated_by_name.clone(),
                    on: show_date(a.nominated_at),
                    reason: a.reason.clone(),
                    mfa: if a.mfa_enrolled {
                        "On"
                    } else {
                        "Not set up yet: required"
                    },
                    last: a
                        .last_sign_in_at
                        .map(show_datetime)
                        .unwrap_or_else(|| "Never".into()),
                })
                .collect(),
        },
    ))
}

pub(crate) async fn administrators_page(
    State(state): State<AppState>,
    scope: PracticeScope,
) -> Result<Response, HttpError> {
    if !scope.access.can(Permission::AuditView) {
        scope
            .require(Permission::PeopleView, "administrator.list")
            .await?;
    }
    let n = state.store.administrators(scope.id()).await?.len();
    scope.record_list("administrator.list", "person", n).await?;
    administrators_page_for(&state, &scope, Errors::none()).await
}

#[derive(Deserialize)]
pub(crate) struct NominateForm {
    #[serde(default)]
    pub(crate) person_id: String,
    #[serde(default)]
    pub(crate) reason: String,
}

pub(crate) async fn nominate(
    State(state): State<AppState>,
    scope: PracticeScope,
    Form(form): Form<NominateForm>,
) -> Result<Response, HttpError> {
    let person: PersonId = match form.person_id.parse() {
        Ok(p) => p,
        Err(_) => {
            return administrators_page_for(
                &state,
                &scope,
                Errors::one("person_id", "Choose a member of staff"),
            )
            .await;
        }
    };
    match submitted(nominate_administrator(&state, &scope.actor(), person, &form.reason).await)? {
        Ok(_) => Ok(Redirect::to(&scope.path("/administrators")).into_response()),
        Err(errors) => administrators_page_for(&state, &scope, errors).await,
    }
}

pub(crate) async fn end_nomination(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(person): InPractice<String>,
    Form(form): Form<ReasonForm>,
) -> Result<Response, HttpError> {
    scope
        .require(Permission::AdministratorNominate, "administrator.end")
        .await?;
    let person: PersonId = person.parse().map_err(|_| AppError::NotFound)?;
    let reason = if form.reason.trim().is_empty() {
        "No longer needed"
    } else {
        form.reason.trim()
    };
    state
        .store
        .end_administrator_nomination(scope.id(), person, reason, &scope.meta)
        .await?;
    Ok(Redirect::to(&scope.path("/administrators")).into_response())
}

pub(crate) struct SettingsForm {
    pub(crate) password_min_length: String,
    pub(crate) password_max_age_days: String,
    pub(crate) password_max_age_off_reason: String,
    pub(crate) session_idle_minutes: String,
    pub(crate) one_time_password_hours: String,
    pub(crate) lockout_minutes: String,
    pub(crate) administrator_cap: String,
    pub(crate) dormant_after_days: String,
    pub(crate) leaver_deactivation_hour: String,
    pub(crate) opening_time: String,
    pub(crate) closing_time: String,
    pub(crate) bulk_read_multiple: String,
    pub(crate) risk_matrix: String,
    pub(crate) risk_appetite: String,
    pub(crate) quarter_start_month: String,
    pub(crate) digest_time: String,
    /// Every kind of notice: its word, its label, and whether the practice requires it by email.
    pub(crate) required_notice_kinds: Vec<(&'static str, &'static str, bool)>,
    pub(crate) mfa_required_for_all: bool,
    pub(crate) early_sign_in: bool,
    pub(crate) open_weekends: bool,
}

impl SettingsForm {
    pub(crate) fn from(s: &PracticeSettings) -> Self {
        SettingsForm {
            password_min_length: s.password_min_length.to_string(),
            password_max_age_days: s
                .password_max_age_days
                .map(|d| d.to_string())
                .unwrap_or_default(),
            password_max_age_off_reason: s.password_max_age_off_reason.clone().unwrap_or_default(),
            session_idle_minutes: s.session_idle_minutes.to_string(),
            one_time_password_hours: s.one_time_password_hours.to_string(),
            lockout_minutes: s.lockout_minutes.to_string(),
            administrator_cap: s.administrator_cap.to_string(),
            dormant_after_days: s.dormant_after_days.to_string(),
            leaver_deactivation_hour: s.leaver_deactivation_hour.to_string(),
            opening_time: s.opening_time.clone(),
            closing_time: s.closing_time.clone(),
            bulk_read_multiple: s.bulk_read_multiple.to_string(),
            risk_matrix: s.risk_matrix.clone(),
            risk_appetite: s.risk_appetite.as_str().to_string(),
            quarter_start_month: s.quarter_start_month.to_string(),
            digest_time: s.digest_time.clone(),
            required_notice_kinds: notice_kinds(|k| s.required_notice_kinds.contains(&k)),
            mfa_required_for_all: s.mfa_required_for_all,
            early_sign_in: s.early_sign_in,
            open_weekends: s.open_weekends,
        }
    }

    pub(crate) fn parse(pairs: &[(String, String)]) -> (Self, Result<PracticeSettings, Errors>) {
        let get = |k: &str| posted(pairs, k);
        let form = SettingsForm {
            password_min_length: get("password_min_length"),
            password_max_age_days: get("password_max_age_days"),
            password_max_age_off_reason: get("password_max_age_off_reason"),
            session_idle_minutes: get("session_idle_minutes"),
            one_time_password_hours: get("one_time_password_hours"),
            lockout_minutes: get("lockout_minutes"),
            administrator_cap: get("administrator_cap"),
            dormant_after_days: get("dormant_after_days"),
            leaver_deactivation_hour: get("leaver_deactivation_hour"),
            opening_time: get("opening_time"),
            closing_time: get("closing_time"),
            bulk_read_multiple: get("bulk_read_multiple"),
            risk_matrix: get("risk_matrix"),
            risk_appetite: get("risk_appetite"),
            quarter_start_month: get("quarter_start_month"),
            digest_time: get("digest_time"),
            required_notice_kinds: notice_kinds(|k| {
                pairs
                    .iter()
                    .any(|(f, v)| f == "required_notice_kinds" && v == k.as_str())
            }),
            mfa_required_for_all: get("mfa_required_for_all") == "true",
            early_sign_in: get("early_sign_in") == "true",
            open_weekends: get("open_weekends") == "true",
        };
        let mut errors = Errors::none();
        let appetite = custodian_domain::risks::Band::parse(&form.risk_appetite);
        let mut num = |field: &str, v: &str| -> u32 {
            v.parse().unwrap_or_else(|_| {
                errors.0.push(custodian_domain::FieldError {
                    field: field.into(),
                    message: "Enter a whole number".into(),
                });
                0
            })
        };
        let s = PracticeSettings {
            password_min_length: num("password_min_length", &form.password_min_length),
            password_max_age_days: if form.password_max_age_days.is_empty() {
                None
            } else {
                Some(num("password_max_age_days", &form.password_max_age_days))
            },
            password_max_age_off_reason: Some(form.password_max_age_off_reason.clone())
                .filter(|r| !r.is_empty()),
            session_idle_minutes: num("session_idle_minutes", &form.session_idle_minutes),
            one_time_password_hours: num("one_time_password_hours", &form.one_time_password_hours),
            lockout_minutes: num("lockout_minutes", &form.lockout_minutes),
            administrator_cap: num("administrator_cap", &form.administrator_cap),
            dormant_after_days: num("dormant_after_days", &form.dormant_after_days),
            leaver_deactivation_hour: num(
                "leaver_deactivation_hour",
                &form.leaver_deactivation_hour,
            ),
            opening_time: form.opening_time.clone(),
            closing_time: form.closing_time.clone(),
            open_weekends: form.open_weekends,
            bulk_read_multiple: num("bulk_read_multiple", &form.bulk_read_multiple),
            risk_matrix: form.risk_matrix.clone(),
            risk_appetite: appetite.unwrap_or(custodian_domain::risks::Band::Medium),
            quarter_start_month: num("quarter_start_month", &form.quarter_start_month),
            digest_time: form.digest_time.clone(),
            required_notice_kinds: NoticeKind::ALL
                .iter()
                .copied()
                .filter(|k| {
                    form.required_notice_kinds
                        .iter()
                        .any(|(w, _, on)| *on && *w == k.as_str())
                })
                .collect(),
            mfa_required_for_all: form.mfa_required_for_all,
            early_sign_in: form.early_sign_in,
        };
        if appetite.is_none() {
            errors.0.push(custodian_domain::FieldError {
                field: "risk_appetite".into(),
                message: "Choose the risk appetite from the list".into(),
            });
        }
        // Every bad value is named at once: the rules' problems join the unreadable numbers'.
        if let Err(invalid) = s.validate() {
            for e in invalid.0 {
                if !errors.has(&e.field) {
                    errors.0.push(e);
                }
            }
        }
        let result = if errors.is_empty() { Ok(s) } else { Err(errors) };
        (form, result)
    }
}

#[derive(Template)]
#[template(path = "identity/settings.html")]
pub(crate) struct SettingsPage {
    pub(crate) layout: Layout,
    /// The practice's name, or the provider's for its defaults.
    pub(crate) place: String,
    pub(crate) heading: &'static str,
    pub(crate) intro: &'static str,
    /// Where the form posts.
    pub(crate) action: String,
    pub(crate) errors: Errors,
    pub(crate) s: SettingsForm,
    pub(crate) advice: &'static str,
    pub(crate) can_manage: bool,
    pub(crate) notice: Option<String>,
    pub(crate) matrices: Vec<(&'static str, &'static str)>,
    pub(crate) bands: Vec<(&'static str, &'static str)>,
    pub(crate) months: Vec<(String, &'static str)>,
}

/// Every kind of notice with whether `on` holds for it, for the required-by-email boxes.
fn notice_kinds(on: impl Fn(NoticeKind) -> bool) -> Vec<(&'static str, &'static str, bool)> {
    NoticeKind::ALL
        .iter()
        .map(|&k| (k.as_str(), k.label(), on(k)))
        .collect()
}

pub(crate) fn matrix_choices() -> Vec<(&'static str, &'static str)> {
    custodian_domain::risks::MATRICES
        .iter()
        .map(|m| (m.key, m.name))
        .collect()
}

pub(crate) fn month_choices() -> Vec<(String, &'static str)> {
    [
        (1, "January (calendar quarters)"),
        (4, "April (NHS financial year)"),
    ]
    .iter()
    .map(|(n, l)| (n.to_string(), *l))
    .collect()
}

pub(crate) fn band_choices() -> Vec<(&'static str, &'static str)> {
    custodian_domain::risks::Band::ALL
        .iter()
        .map(|b| (b.as_str(), b.label()))
        .collect()
}

pub(crate) async fn settings_page(
    State(state): State<AppState>,
    scope: PracticeScope,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, HttpError> {
    scope
        .require(Permission::PeopleView, "settings.view")
        .await?;
    let s = state.store.settings(scope.id()).await?;
    Ok(render(&SettingsPage {
        layout: scope.layout(&scope.path("/settings")),
        place: scope.practice.name.clone(),
        heading: "Practice settings",
        intro: "",
        action: scope.path("/settings"),
        errors: Errors::none(),
        s: SettingsForm::from(&s),
        advice: PERIODIC_CHANGE_ADVICE,
        can_manage: scope.access.can(Permission::PracticeSettingsManage),
        notice: q.done.map(|_| "Settings saved.".into()),
        matrices: matrix_choices(),
        bands: band_choices(),
        months: month_choices(),
    }))
}

pub(crate) async fn save_settings(
    State(state): State<AppState>,
    scope: PracticeScope,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, HttpError> {
    scope
        .require(Permission::PracticeSettingsManage, "settings.update")
        .await?;
    let (form, parsed) = SettingsForm::parse(&pairs);
    let parsed = match parsed {
        Ok(s) => match custodian_app::risks::check_matrix_change(&state, scope.id(), &s).await {
            Ok(()) => Ok(s),
            Err(AppError::Invalid(i)) => Err(i.into()),
            Err(e) => return Err(e.into()),
        },
        Err(e) => Err(e),
    };
    let errors = match parsed {
        Ok(s) => match state.store.set_settings(scope.id(), &s, &scope.meta).await {
            Ok(()) => {
                return Ok(Redirect::to(&scope.path("/settings?done=1")).into_response());
            }
            Err(custodian_store::StoreError::Invalid(i)) => i.into(),
            Err(e) => return Err(e.into()),
        },
        Err(errors) => errors,
    };
    Ok(render_with(
        StatusCode::UNPROCESSABLE_ENTITY,
        &SettingsPage {
            layout: scope.layout(&scope.path("/settings")),
            place: scope.practice.name.clone(),
            heading: "Practice settings",
            intro: "",
            action: scope.path("/settings"),
            errors,
            s: form,
            advice: PERIODIC_CHANGE_ADVICE,
            can_manage: true,
            notice: None,
            matrices: matrix_choices(),
            bands: band_choices(),
            months: month_choices(),
        },
    ))
}
