//! Personal devices in the web UI and the API: a member of staff declares their own device, a
//! line manager decides the business need, management checks it against its kind's list.

use super::*;
use crate::kit::layout::PracticeAddress;
use custodian_app::devices::personal as pd;
use custodian_domain::devices::personal::{
    Answer, CheckInput, Declaration, NeedDecision, PersonalKind, PersonalStatus,
};
use custodian_store::PersonalDevice;

pub(crate) struct PersonalRow {
    pub(crate) id: String,
    pub(crate) owner: String,
    pub(crate) device: String,
    pub(crate) status: &'static str,
    pub(crate) expires: String,
}

#[derive(Template)]
#[template(path = "devices/personal_list.html")]
pub(crate) struct PersonalListPage {
    pub(crate) layout: Layout,
    pub(crate) practice: custodian_domain::Practice,
    pub(crate) everyone: bool,
    pub(crate) rows: Vec<PersonalRow>,
}

pub(crate) async fn personal_list_page(
    State(state): State<AppState>,
    scope: PracticeScope,
) -> Result<Response, HttpError> {
    let found = pd::list(&state, &scope.actor()).await?;
    let everyone = found.iter().any(|d| d.owner_id != scope.user.person_id())
        || scope.access.can(Permission::DevicesManage)
        || scope.access.can(Permission::DeviceNeedDecide);
    let rows = found
        .into_iter()
        .map(|d| PersonalRow {
            id: d.id.to_string(),
            owner: d.owner_name,
            device: format!("{} ({})", d.make_model, d.kind.label().to_lowercase()),
            status: d.status.label(),
            expires: d.expires_on.map(custodian_domain::time::show_day).unwrap_or_default(),
        })
        .collect();
    Ok(render_with(
        StatusCode::OK,
        &PersonalListPage {
            layout: scope.layout(&scope.path("/devices/personal")),
            practice: scope.practice.clone(),
            everyone,
            rows,
        },
    ))
}

#[derive(Template)]
#[template(path = "devices/personal_new.html")]
pub(crate) struct DeclarePage {
    pub(crate) layout: Layout,
    pub(crate) practice: custodian_domain::Practice,
    pub(crate) errors: Errors,
    pub(crate) f: Declaration,
    pub(crate) kinds: Options,
}

fn declare_form(scope: &PracticeScope, f: Declaration, errors: Errors) -> Response {
    let kinds: Vec<(&str, &str)> = PersonalKind::ALL.iter().map(|k| (k.as_str(), k.label())).collect();
    let page = DeclarePage {
        layout: scope.layout(&scope.path("/devices/personal")),
        practice: scope.practice.clone(),
        kinds: choose(&kinds, &f.kind, Some("Choose one")),
        f,
        errors,
    };
    render_with(page.errors.status(), &page)
}

pub(crate) async fn declare_page(scope: PracticeScope) -> Result<Response, HttpError> {
    scope.require(Permission::DeviceDeclare, "personal_device.declare").await?;
    Ok(declare_form(&scope, Declaration::default(), Errors::none()))
}

pub(crate) async fn declare_submit(
    State(state): State<AppState>,
    scope: PracticeScope,
    Form(f): Form<Declaration>,
) -> Result<Response, HttpError> {
    match submitted(pd::declare(&state, &scope.actor(), &f).await)? {
        Ok(d) => Ok(Redirect::to(&scope.path(&format!("/devices/personal/{}", d.id))).into_response()),
        Err(errors) => Ok(declare_form(&scope, f, errors)),
    }
}

/// A checklist item as the check form shows it: its word, what is checked, the answer given.
pub(crate) struct Item {
    pub(crate) word: &'static str,
    pub(crate) label: &'static str,
    pub(crate) answer: String,
}

#[derive(Template)]
#[template(path = "devices/personal.html")]
pub(crate) struct PersonalPage {
    pub(crate) layout: Layout,
    pub(crate) practice: custodian_domain::Practice,
    pub(crate) errors: Errors,
    pub(crate) d: PersonalDevice,
    pub(crate) details: Vec<(&'static str, String)>,
    pub(crate) items: Vec<Item>,
    pub(crate) answers: &'static [(&'static str, &'static str)],
    pub(crate) can_decide_need: bool,
    pub(crate) can_check: bool,
    pub(crate) can_withdraw: bool,
    /// The evidence of its checks (photos, screenshots).
    pub(crate) evidence: crate::kit::evidence::EvidencePanel,
}

const ANSWERS: &[(&str, &str)] = &[
    ("pass", "Pass"),
    ("fail", "Fail"),
    ("not_applicable", "Not applicable"),
];

pub(crate) async fn personal_page_for(
    state: &AppState,
    scope: &PracticeScope,
    id: &str,
    errors: Errors,
) -> Result<Response, HttpError> {
    let d = pd::view(state, &scope.actor(), id).await?;
    let me = d.owner_id == scope.user.person_id();
    let show = custodian_domain::time::show_datetime;
    let mut details = vec![
        ("Owner", d.owner_name.clone()),
        ("Kind", d.kind.label().to_string()),
        ("Operating system", if d.operating_system.is_empty() { "–".into() } else { d.operating_system.clone() }),
        ("The work it is for", d.purpose.clone()),
        ("Where it stands", d.status.label().to_string()),
        ("Declared", show(d.declared_at)),
    ];
    if let (Some(by), Some(at), Some(reason)) = (&d.need_by_name, d.need_at, &d.need_reason) {
        details.push(("Business need", format!("{reason} ({by}, {})", show(at))));
    }
    if let (Some(by), Some(at)) = (&d.checked_by_name, d.checked_at) {
        let note = d.check_note.clone().unwrap_or_default();
        details.push(("Checked", format!("{by}, {}{}", show(at), if note.is_empty() { String::new() } else { format!(": {note}") })));
    }
    let failed: Vec<&str> = d
        .answers
        .iter()
        .filter(|a| a.answer == Answer::Fail.as_str())
        .filter_map(|a| d.kind.checklist().iter().find(|(w, _)| *w == a.item).map(|(_, l)| *l))
        .collect();
    if !failed.is_empty() {
        details.push(("Failed", failed.join("; ")));
    }
    if let Some(risk) = d.risk_id {
        let reference = state.store.risk(scope.id(), risk).await?.map(|r| r.reference);
        details.push(("Risk raised", reference.unwrap_or_default()));
    }
    if let Some(until) = d.expires_on {
        details.push(("Approved until", custodian_domain::time::show_day(until)));
    }
    if let (Some(at), Some(by)) = (d.withdrawn_at, &d.withdrawn_by_name) {
        details.push(("No longer used", format!("{} — {by} confirmed its access removed and the work data deleted", show(at))));
    }
    let items = d
        .kind
        .checklist()
        .iter()
        .map(|(word, label)| Item {
            word,
            label,
            answer: d
                .answers
                .iter()
                .find(|a| a.item == *word)
                .and_then(|a| Answer::parse(&a.answer))
                .map(|a| a.as_str().to_string())
                .unwrap_or_default(),
        })
        .collect();
    let holder = custodian_domain::evidence::Holder::PersonalDevice(
        custodian_domain::PersonalDeviceId(d.id),
    );
    let can_remove = scope.access.can(Permission::DevicesManage);
    let evidence = crate::kit::evidence::panel(state, scope, holder, can_remove).await?;
    let status = errors.status();
    Ok(render_with(
        status,
        &PersonalPage {
            evidence,
            layout: scope.layout(&scope.path("/devices/personal")),
            practice: scope.practice.clone(),
            errors,
            can_decide_need: !me
                && d.status == PersonalStatus::Declared
                && scope.access.can(Permission::DeviceNeedDecide),
            can_check: !me
                && matches!(d.status, PersonalStatus::NeedApproved | PersonalStatus::Approved | PersonalStatus::ApprovedWithRisks)
                && scope.access.can(Permission::DevicesManage),
            can_withdraw: d.status != PersonalStatus::Withdrawn
                && (me || scope.access.can(Permission::DevicesManage)),
            details,
            items,
            answers: ANSWERS,
            d,
        },
    ))
}

pub(crate) async fn personal_page(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
) -> Result<Response, HttpError> {
    personal_page_for(&state, &scope, &id, Errors::none()).await
}

/// A personal device's step from its page: the page again, with the step's problem if any.
async fn stepped(
    state: &AppState,
    scope: &PracticeScope,
    id: &str,
    r: Result<PersonalDevice, custodian_app::AppError>,
) -> Result<Response, HttpError> {
    match submitted(r)? {
        Ok(d) => Ok(Redirect::to(&scope.path(&format!("/devices/personal/{}", d.id))).into_response()),
        Err(errors) => personal_page_for(state, scope, id, errors).await,
    }
}

pub(crate) async fn need_submit(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, HttpError> {
    let input = NeedDecision {
        approve: posted(&pairs, "decision") == "approve",
        no_practice_option: !posted(&pairs, "no_practice_option").is_empty(),
        reason: posted(&pairs, "reason"),
    };
    let r = pd::decide_need(&state, &scope.actor(), &id, &input).await;
    stepped(&state, &scope, &id, r).await
}

pub(crate) async fn check_submit(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, HttpError> {
    let input = CheckInput {
        answers: pairs
            .iter()
            .filter_map(|(k, v)| k.strip_prefix("item_").map(|w| (w.to_string(), v.clone())))
            .collect(),
        note: posted(&pairs, "note"),
        outcome: posted(&pairs, "outcome"),
    };
    let r = pd::check(&state, &scope.actor(), &id, &input).await;
    stepped(&state, &scope, &id, r).await
}

pub(crate) async fn withdraw_submit(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
) -> Result<Response, HttpError> {
    let r = pd::withdraw(&state, &scope.actor(), &id).await;
    stepped(&state, &scope, &id, r).await
}

#[utoipa::path(get, path = "/api/v1/practices/{practice_id}/personal-devices", tag = "devices", summary = "Personal devices: every one for those who run the register and line managers, one's own for everyone else",
    params(PracticeParam, PageQuery), responses((status = 200, body = Paged<PersonalDevice>)))]
pub(crate) async fn api_personal_list(
    State(state): State<AppState>,
    scope: PracticeScope,
    Query(page): Query<PageQuery>,
) -> Result<Json<Paged<PersonalDevice>>, HttpError> {
    let found = pd::list(&state, &scope.actor()).await?;
    Ok(Json(Paged::of_list(found, &page, |d| d.id.to_string())?))
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/personal-devices", tag = "devices", summary = "Declare one's own device for a piece of work",
    params(PracticeParam), request_body = Declaration,
    responses((status = 201, body = PersonalDevice), (status = 422, body = Problem)))]
pub(crate) async fn api_declare(
    State(state): State<AppState>,
    scope: PracticeScope,
    Json(body): Json<Declaration>,
) -> Result<Response, HttpError> {
    let d = pd::declare(&state, &scope.actor(), &body).await?;
    Ok((StatusCode::CREATED, Json(d)).into_response())
}

#[utoipa::path(get, path = "/api/v1/practices/{practice_id}/personal-devices/{personal_device_id}", tag = "devices", summary = "One personal device (its owner, those who run the register, line managers)",
    params(PracticeParam, ("personal_device_id" = String, Path, description = "The personal device's id")),
    responses((status = 200, body = PersonalDevice), (status = 404, body = Problem)))]
pub(crate) async fn api_personal(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
) -> Result<Json<PersonalDevice>, HttpError> {
    Ok(Json(pd::view(&state, &scope.actor(), &id).await?))
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/personal-devices/{personal_device_id}/need", tag = "devices", summary = "A line manager decides the business need (not on their own device)",
    params(PracticeParam, ("personal_device_id" = String, Path, description = "The personal device's id")), request_body = NeedDecision,
    responses((status = 200, body = PersonalDevice), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn api_need(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
    Json(body): Json<NeedDecision>,
) -> Result<Json<PersonalDevice>, HttpError> {
    Ok(Json(pd::decide_need(&state, &scope.actor(), &id, &body).await?))
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/personal-devices/{personal_device_id}/check", tag = "devices", summary = "Management checks the device against its kind's list, with its outcome (not on their own device)",
    params(PracticeParam, ("personal_device_id" = String, Path, description = "The personal device's id")), request_body = CheckInput,
    responses((status = 200, body = PersonalDevice), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn api_check(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
    Json(body): Json<CheckInput>,
) -> Result<Json<PersonalDevice>, HttpError> {
    Ok(Json(pd::check(&state, &scope.actor(), &id, &body).await?))
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/personal-devices/{personal_device_id}/withdraw", tag = "devices", summary = "No longer used: its access removed and the work data on it deleted (its owner or management)",
    params(PracticeParam, ("personal_device_id" = String, Path, description = "The personal device's id")),
    responses((status = 200, body = PersonalDevice), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub(crate) async fn api_withdraw(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
) -> Result<Json<PersonalDevice>, HttpError> {
    Ok(Json(pd::withdraw(&state, &scope.actor(), &id).await?))
}
