//! Who and what an incident involved: the list on its page, the form to add a member of staff,
//! an asset or a risk, and the API's same operations.

use super::*;
use custodian_domain::incidents::Involved;
use custodian_store::InvolvedEntry;

/// One linked member of staff, asset or risk as the page lists it.
pub(crate) struct InvolvedRow {
    pub(crate) kind: &'static str,
    pub(crate) name: String,
    /// Its page, for an asset or a risk.
    pub(crate) path: Option<String>,
    /// What the remove form posts: `kind:id`.
    pub(crate) value: String,
}

/// The involved section's rows and, for those who handle incidents, the choices to add:
/// (group, [(value, name)]).
pub(crate) type InvolvedChoices = Vec<(&'static str, Vec<(String, String)>)>;

pub(crate) async fn involved_rows(
    state: &AppState,
    scope: &PracticeScope,
    i: &Incident,
) -> Result<Vec<InvolvedRow>, HttpError> {
    Ok(state
        .store
        .incident_involved(scope.id(), i.id)
        .await?
        .into_iter()
        .map(|e: InvolvedEntry| InvolvedRow {
            kind: e.involved.label(),
            path: match e.involved {
                Involved::Asset(a) => Some(scope.path(&format!("/assets/{a}"))),
                Involved::Risk(r) => Some(scope.path(&format!("/risks/{r}"))),
                Involved::Device(d) => Some(scope.path(&format!("/devices/{d}"))),
                Involved::Person(_) => None,
            },
            value: format!("{}:{}", e.kind, e.id),
            name: e.name,
        })
        .collect())
}

/// The practice's staff, assets and risks to choose from (those who handle incidents).
pub(crate) async fn involved_choices(
    state: &AppState,
    scope: &PracticeScope,
    risks: &[(String, String)],
) -> Result<InvolvedChoices, HttpError> {
    if !scope.access.can(Permission::IncidentsManage) {
        return Ok(vec![]);
    }
    let staff = state
        .store
        .access_overview(scope.id())
        .await?
        .into_iter()
        .map(|s| (format!("person:{}", s.person_id), s.full_name))
        .collect();
    let assets = state
        .store
        .asset_choices(scope.id())
        .await?
        .into_iter()
        .map(|(id, name)| (format!("asset:{id}"), name))
        .collect();
    let risks = risks
        .iter()
        .map(|(id, title)| (format!("risk:{id}"), title.clone()))
        .collect();
    let devices = if scope.access.can(Permission::DevicesManage) {
        let all = custodian_store::DeviceFilter {
            limit: custodian_domain::devices::REGISTER_MAX,
            ..Default::default()
        };
        state
            .store
            .devices(scope.id(), &all)
            .await?
            .into_iter()
            .map(|d| (format!("device:{}", d.id), format!("{} ({})", d.asset_tag, d.make_model)))
            .collect()
    } else {
        vec![]
    };
    Ok(vec![
        ("Members of staff", staff),
        ("Information assets", assets),
        ("Risks", risks),
        ("Devices", devices),
    ])
}

/// `kind:id` as the forms post it.
fn posted_involved(value: &str) -> Result<Involved, custodian_domain::Invalid> {
    let (kind, id) = value.split_once(':').unwrap_or(("", ""));
    if kind.is_empty() {
        return Err(custodian_domain::Invalid::one(
            "involved",
            "Choose a member of staff, an information asset, a risk or a device",
        ));
    }
    Involved::parse(kind, id).map_err(|mut e| {
        for f in &mut e.0 {
            f.field = "involved".into();
        }
        e
    })
}

pub(crate) async fn involve_submit(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, HttpError> {
    let r = match posted_involved(&posted(&pairs, "involved")) {
        Ok(who) => uc::involve(&state, &scope.actor(), &id, who).await,
        Err(e) => Err(e.into()),
    };
    match submitted(r)? {
        Ok(()) => Ok(Redirect::to(&scope.path(&format!("/incidents/{id}#involved"))).into_response()),
        Err(errors) => incident_page_for(&state, &scope, &id, errors, false).await,
    }
}

pub(crate) async fn release_submit(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, HttpError> {
    let who = posted_involved(&posted(&pairs, "involved")).map_err(custodian_app::AppError::from)?;
    uc::release(&state, &scope.actor(), &id, who).await?;
    Ok(Redirect::to(&scope.path(&format!("/incidents/{id}#involved"))).into_response())
}

/// A member of staff, an asset or a risk of the practice, by kind and id.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct IncidentInvolvedBody {
    #[schema(required = true, pattern = "^(person|asset|risk)$")]
    pub kind: String,
    /// The person's, asset's or risk's id.
    #[schema(required = true, format = "uuid")]
    pub id: String,
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/incidents/{incident_id}/involved", tag = "incidents",
    summary = "Link a member of staff, an information asset or a risk the incident involved (those who handle incidents)",
    params(PracticeParam, ("incident_id" = String, Path, description = "The incident's id")), request_body = IncidentInvolvedBody,
    responses((status = 200, body = IncidentDetail), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn api_involve(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
    Json(body): Json<IncidentInvolvedBody>,
) -> Result<Json<IncidentDetail>, HttpError> {
    let who = Involved::parse(&body.kind, &body.id).map_err(custodian_app::AppError::from)?;
    uc::involve(&state, &scope.actor(), &id, who).await?;
    detail(&state, &scope, &id).await
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/incidents/{incident_id}/involved/remove", tag = "incidents",
    summary = "Remove a link to a member of staff, an asset or a risk (those who handle incidents; one not linked is not found)",
    params(PracticeParam, ("incident_id" = String, Path, description = "The incident's id")), request_body = IncidentInvolvedBody,
    responses((status = 200, body = IncidentDetail), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn api_release(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
    Json(body): Json<IncidentInvolvedBody>,
) -> Result<Json<IncidentDetail>, HttpError> {
    let who = Involved::parse(&body.kind, &body.id).map_err(custodian_app::AppError::from)?;
    uc::release(&state, &scope.actor(), &id, who).await?;
    detail(&state, &scope, &id).await
}
