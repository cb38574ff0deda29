//! Leavers' pages.

use super::*;
use crate::kit::layout::PracticeAddress;

#[derive(Template)]
#[template(path = "identity/leaver_new.html")]
pub(crate) struct LeaverPage {
    pub(crate) layout: Layout,
    pub(crate) practice: Practice,
    pub(crate) errors: Errors,
    pub(crate) name: String,
    pub(crate) person_id: String,
    pub(crate) exit_date: String,
    pub(crate) reason: String,
}

pub(crate) async fn leaver_page(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(person): InPractice<String>,
) -> Result<Response, HttpError> {
    scope
        .require(Permission::LeaverRecord, "leaver.record")
        .await?;
    let m = member(&state, &scope.practice, &person).await?;
    Ok(render(&LeaverPage {
        layout: scope.layout(""),
        practice: scope.practice.clone(),
        errors: Errors::none(),
        name: m.person.full_name,
        person_id: m.person.id.to_string(),
        exit_date: String::new(),
        reason: String::new(),
    }))
}

pub(crate) async fn leaver_submit(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(person): InPractice<String>,
    Form(form): Form<NewLeaver>,
) -> Result<Response, HttpError> {
    let m = member(&state, &scope.practice, &person).await?;
    match record_leaver(&state, &scope.actor(), m.person.id, &form).await {
        Ok(l) => Ok(Redirect::to(&format!(
            "/practices/{}/leavers?done={}",
            scope.id(),
            l.status
        ))
        .into_response()),
        Err(AppError::Invalid(i)) => Ok(render_with(
            StatusCode::UNPROCESSABLE_ENTITY,
            &LeaverPage {
                layout: scope.layout(""),
                practice: scope.practice.clone(),
                errors: i.into(),
                name: m.person.full_name,
                person_id: m.person.id.to_string(),
                exit_date: form.exit_date,
                reason: form.reason,
            },
        )),
        Err(AppError::Conflict { field, message }) => Ok(render_with(
            StatusCode::CONFLICT,
            &LeaverPage {
                layout: scope.layout(""),
                practice: scope.practice.clone(),
                errors: Errors::one(&field, message),
                name: m.person.full_name,
                person_id: m.person.id.to_string(),
                exit_date: form.exit_date,
                reason: form.reason,
            },
        )),
        Err(e) => Err(e.into()),
    }
}

pub(crate) struct LeaverRow {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) exit_date: String,
    pub(crate) reason: String,
    pub(crate) status: String,
}

#[derive(Template)]
#[template(path = "identity/leavers.html")]
pub(crate) struct LeaversPage {
    pub(crate) layout: Layout,
    pub(crate) practice: Practice,
    pub(crate) leavers: Vec<LeaverRow>,
    pub(crate) can_record: bool,
    pub(crate) notice: Option<String>,
}

pub(crate) async fn leavers_page(
    State(state): State<AppState>,
    scope: PracticeScope,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, HttpError> {
    scope.require(Permission::PeopleView, "leaver.list").await?;
    let leavers = state.store.leavers(scope.id()).await?;
    scope
        .record_list("leaver.list", "person", leavers.len())
        .await?;
    let here = scope.path("/leavers");
    Ok(render(&LeaversPage {
        layout: scope.layout(&here),
        practice: scope.practice.clone(),
        can_record: scope.access.can(Permission::LeaverRecord),
        notice: q.done.map(|d| match d.as_str() {
            "done" => "The leaver is recorded and, as the exit date has passed, carried out now."
                .to_string(),
            "cancelled" => "The leaver is cancelled.".to_string(),
            _ => {
                "The leaver is recorded. Their access ends at the end of the exit date.".to_string()
            }
        }),
        leavers: leavers
            .iter()
            .map(|l| LeaverRow {
                id: l.id.to_string(),
                name: l.person_name.clone(),
                exit_date: custodian_domain::time::show_day(l.exit_date),
                reason: l.reason.clone(),
                status: l.status.to_string(),
            })
            .collect(),
    }))
}

pub(crate) async fn cancel_leaver(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
) -> Result<Response, HttpError> {
    scope
        .require(Permission::LeaverRecord, "leaver.cancel")
        .await?;
    state
        .store
        .cancel_leaver(scope.id(), parse_id(&id)?, &scope.meta)
        .await?;
    Ok(Redirect::to(&scope.path("/leavers?done=cancelled")).into_response())
}
