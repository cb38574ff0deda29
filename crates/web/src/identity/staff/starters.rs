//! Starters' and movers' pages: requests, approval, rejection.

use super::*;
use crate::kit::layout::PracticeAddress;
use crate::kit::one_time_password::OtpPage;

pub(crate) struct RequestRow {
    pub(crate) id: String,
    pub(crate) reference: String,
    pub(crate) kind: String,
    pub(crate) name: String,
    pub(crate) start: String,
    pub(crate) by: String,
    pub(crate) status: String,
}

#[derive(Template)]
#[template(path = "identity/requests.html")]
pub(crate) struct RequestsPage {
    pub(crate) layout: Layout,
    pub(crate) practice: Practice,
    pub(crate) requests: Vec<RequestRow>,
    pub(crate) can_request: bool,
}

pub(crate) async fn requests_page(
    State(state): State<AppState>,
    scope: PracticeScope,
) -> Result<Response, HttpError> {
    if !scope.access.can(Permission::StarterRequest) {
        scope
            .require(Permission::StarterApprove, "starter.list")
            .await?;
    }
    let list = state.store.access_requests(scope.id(), false).await?;
    scope
        .record_list("access_request.list", "access_request", list.len())
        .await?;
    let here = scope.path("/requests");
    Ok(render(&RequestsPage {
        layout: scope.layout(&here),
        practice: scope.practice.clone(),
        can_request: scope.access.can(Permission::StarterRequest),
        requests: list
            .iter()
            .map(|r| RequestRow {
                id: r.id.to_string(),
                reference: r.reference.clone(),
                kind: r.kind.clone(),
                name: r.full_name.clone(),
                start: custodian_domain::time::show_day(r.start_date),
                by: r.requested_by_name.clone(),
                status: r.status.to_string(),
            })
            .collect(),
    }))
}

#[derive(Default)]
pub(crate) struct RequestForm {
    pub(crate) full_name: String,
    pub(crate) username: String,
    pub(crate) email: String,
    pub(crate) job_title: String,
    pub(crate) start_date: String,
    pub(crate) roles: Vec<String>,
    pub(crate) systems: Vec<String>,
    pub(crate) line_manager_id: String,
}

impl RequestForm {
    fn from_pairs(form: &[(String, String)]) -> Self {
        let get = |k: &str| {
            form.iter()
                .find(|(f, _)| f == k)
                .map(|(_, v)| v.trim().to_string())
                .unwrap_or_default()
        };
        let all = |k: &str| {
            form.iter()
                .filter(|(f, _)| f == k)
                .map(|(_, v)| v.clone())
                .collect::<Vec<_>>()
        };
        RequestForm {
            full_name: get("full_name"),
            username: get("username"),
            email: get("email"),
            job_title: get("job_title"),
            start_date: get("start_date"),
            roles: all("roles"),
            systems: all("systems"),
            line_manager_id: get("line_manager_id"),
        }
    }

    fn to_request(&self) -> Result<NewAccessRequest, Errors> {
        let mut roles = Vec::new();
        for r in &self.roles {
            roles.push(
                r.parse::<PracticeRole>()
                    .map_err(|_| Errors::one("roles", format!("{r} is not a role")))?,
            );
        }
        let mut systems = Vec::new();
        for s in &self.systems {
            systems.push(
                s.parse::<custodian_domain::SystemId>()
                    .map_err(|_| Errors::one("systems", "Choose systems from the list"))?,
            );
        }
        let line_manager_id = match self.line_manager_id.as_str() {
            "" => None,
            s => Some(s.parse::<PersonId>().map_err(|_| {
                Errors::one("line_manager_id", "Choose the line manager from the list")
            })?),
        };
        Ok(NewAccessRequest {
            full_name: self.full_name.clone(),
            username: self.username.clone(),
            email: Some(self.email.clone()).filter(|e| !e.is_empty()),
            job_title: self.job_title.clone(),
            roles,
            systems,
            start_date: self.start_date.clone(),
            line_manager_id,
        })
    }
}

#[derive(Template)]
#[template(path = "identity/request_new.html")]
pub(crate) struct RequestNewPage {
    pub(crate) layout: Layout,
    pub(crate) practice: Practice,
    pub(crate) errors: Errors,
    pub(crate) heading: String,
    pub(crate) action: String,
    pub(crate) is_mover: bool,
    pub(crate) start_label: &'static str,
    pub(crate) form: RequestForm,
    pub(crate) roles: Vec<(&'static str, &'static str, bool)>,
    pub(crate) systems: Vec<(String, String, bool)>,
    pub(crate) managers: Vec<(String, String, bool)>,
}

pub(crate) async fn request_form(
    state: &AppState,
    scope: &PracticeScope,
    errors: Errors,
    form: RequestForm,
    mover: Option<&custodian_domain::PracticeMember>,
) -> Result<Response, HttpError> {
    let systems = state.store.systems(scope.id()).await?;
    let staff = state.store.access_overview(scope.id()).await?;
    let status = errors.status();
    Ok(render_with(
        status,
        &RequestNewPage {
            layout: scope.layout(&scope.path("/requests")),
            practice: scope.practice.clone(),
            errors,
            heading: match mover {
                Some(m) => format!("Change {}'s role", m.person.full_name),
                None => "Request access for a new starter".into(),
            },
            action: match mover {
                Some(m) => scope.path(&format!("/people/{}/move", m.person.id)),
                None => scope.path("/requests"),
            },
            is_mover: mover.is_some(),
            start_label: if mover.is_some() {
                "Date the change takes effect"
            } else {
                "Start date"
            },
            roles: PracticeRole::ALL
                .iter()
                .filter(|r| !matches!(r, PracticeRole::Staff | PracticeRole::SystemAdministrator))
                .map(|r| {
                    (
                        r.as_str(),
                        r.label(),
                        form.roles.iter().any(|x| x == r.as_str()),
                    )
                })
                .collect(),
            systems: systems
                .iter()
                .map(|s| {
                    (
                        s.id.to_string(),
                        s.name.clone(),
                        form.systems.contains(&s.id.to_string()),
                    )
                })
                .collect(),
            managers: staff
                .iter()
                .filter(|s| {
                    s.roles.contains(&PracticeRole::LineManager)
                        || s.roles.contains(&PracticeRole::PracticeManager)
                })
                // Nobody is their own line manager.
                .filter(|s| mover.is_none_or(|m| m.person.id != s.person_id))
                .map(|s| {
                    (
                        s.person_id.to_string(),
                        s.full_name.clone(),
                        form.line_manager_id == s.person_id.to_string(),
                    )
                })
                .collect(),
            form,
        },
    ))
}

pub(crate) async fn starter_page(
    State(state): State<AppState>,
    scope: PracticeScope,
) -> Result<Response, HttpError> {
    scope
        .require(Permission::StarterRequest, "starter.request")
        .await?;
    let form = RequestForm {
        line_manager_id: scope.user.person_id().to_string(),
        ..Default::default()
    };
    request_form(&state, &scope, Errors::none(), form, None).await
}

pub(crate) async fn starter_submit(
    State(state): State<AppState>,
    scope: PracticeScope,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, HttpError> {
    let form = RequestForm::from_pairs(&pairs);
    let input = match form.to_request() {
        Ok(i) => i,
        Err(errors) => return request_form(&state, &scope, errors, form, None).await,
    };
    match submitted(request_access(&state, &scope.actor(), None, &input).await)? {
        Ok(r) => Ok(Redirect::to(&scope.path(&format!("/requests/{}", r.id))).into_response()),
        Err(errors) => request_form(&state, &scope, errors, form, None).await,
    }
}

pub(crate) async fn mover_page(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(person): InPractice<String>,
) -> Result<Response, HttpError> {
    scope
        .require(Permission::StarterRequest, "mover.request")
        .await?;
    let m = member(&state, &scope.practice, &person).await?;
    let held: Vec<String> = state
        .store
        .access_grants(scope.id(), false)
        .await?
        .into_iter()
        .filter(|g| g.person_id == m.person.id && g.action == "create")
        .map(|g| g.system_id.to_string())
        .collect();
    let form = RequestForm {
        job_title: m.job_title.clone(),
        start_date: identity::london_today(state.clock.now()).to_string(),
        roles: m.roles.iter().map(|r| r.as_str().to_string()).collect(),
        systems: held,
        ..Default::default()
    };
    request_form(&state, &scope, Errors::none(), form, Some(&m)).await
}

pub(crate) async fn mover_submit(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(person): InPractice<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, HttpError> {
    let m = member(&state, &scope.practice, &person).await?;
    let mut form = RequestForm::from_pairs(&pairs);
    form.full_name = m.person.full_name.clone();
    form.username = m.person.username.clone();
    form.email = m.person.email.clone().unwrap_or_default();
    let input = match form.to_request() {
        Ok(i) => i,
        Err(errors) => return request_form(&state, &scope, errors, form, Some(&m)).await,
    };
    match submitted(request_access(&state, &scope.actor(), Some(m.person.id), &input).await)? {
        Ok(r) => Ok(Redirect::to(&scope.path(&format!("/requests/{}", r.id))).into_response()),
        Err(errors) => request_form(&state, &scope, errors, form, Some(&m)).await,
    }
}

#[derive(Template)]
#[template(path = "identity/request.html")]
pub(crate) struct RequestPage {
    pub(crate) layout: Layout,
    pub(crate) practice: Practice,
    pub(crate) errors: Errors,
    pub(crate) r: AccessRequest,
    pub(crate) roles: String,
    pub(crate) systems: String,
    pub(crate) start: String,
    pub(crate) requested: String,
    pub(crate) can_decide: bool,
}

pub(crate) async fn request_page_for(
    state: &AppState,
    scope: &PracticeScope,
    id: custodian_domain::RequestId,
    errors: Errors,
) -> Result<Response, HttpError> {
    let r = custodian_app::identity::view_request(state, &scope.actor(), id).await?;
    let systems = state.store.systems(scope.id()).await?;
    let names: Vec<String> = r
        .systems
        .iter()
        .filter_map(|s| systems.iter().find(|x| x.id == *s).map(|x| x.name.clone()))
        .collect();
    let status = errors.status();
    Ok(render_with(
        status,
        &RequestPage {
            layout: scope.layout(&scope.path("/requests")),
            practice: scope.practice.clone(),
            errors,
            roles: roles_text(&r.roles),
            systems: if names.is_empty() {
                "None".into()
            } else {
                names.join(", ")
            },
            start: custodian_domain::time::show_day(r.start_date),
            requested: show_datetime(r.requested_at),
            can_decide: scope.access.can(Permission::StarterApprove)
                && r.requested_by != scope.user.person_id(),
            r,
        },
    ))
}

pub(crate) async fn request_page(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
) -> Result<Response, HttpError> {
    request_page_for(&state, &scope, parse_id(&id)?, Errors::none()).await
}

#[derive(Deserialize)]
pub(crate) struct ReasonForm {
    #[serde(default)]
    pub(crate) reason: String,
}

pub(crate) async fn approve(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
    Form(form): Form<ReasonForm>,
) -> Result<Response, HttpError> {
    let id = parse_id(&id)?;
    match submitted(approve_request(&state, &scope.actor(), id, &form.reason).await)? {
        Ok((r, Some(otp))) => {
            let settings = state.store.settings(scope.id()).await?;
            Ok(render(&OtpPage {
                layout: scope.layout(""),
                heading: format!("{} approved", r.reference),
                intro: format!(
                    "{}'s account is created, and a task is open for each other system they need.",
                    r.full_name
                ),
                name: r.full_name.clone(),
                username: r.username.clone(),
                otp,
                expires: show_datetime(
                    state.clock.now() + Duration::hours(settings.one_time_password_hours as i64),
                ),
                starts: (!settings.early_sign_in
                    && r.start_date > identity::london_today(state.clock.now()))
                .then(|| custodian_domain::time::show_day(r.start_date)),
                back: scope.path(&format!("/requests/{}", r.id)),
            }))
        }
        Ok((r, None)) => {
            Ok(Redirect::to(&scope.path(&format!("/requests/{}", r.id))).into_response())
        }
        Err(errors) => request_page_for(&state, &scope, id, errors).await,
    }
}

pub(crate) async fn reject(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
    Form(form): Form<ReasonForm>,
) -> Result<Response, HttpError> {
    let id = parse_id(&id)?;
    match submitted(reject_request(&state, &scope.actor(), id, &form.reason).await)? {
        Ok(r) => Ok(Redirect::to(&scope.path(&format!("/requests/{}", r.id))).into_response()),
        Err(errors) => request_page_for(&state, &scope, id, errors).await,
    }
}
