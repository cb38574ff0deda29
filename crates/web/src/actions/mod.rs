//! Actions with owners and due dates in the web UI and the JSON API, for every record that has
//! them (a risk's treatment plan, an incident's follow-up): add one, update its status, and in
//! the API change any of it. The panel on the record's page is `kit::actions`.

use axum::Json;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use custodian_app::actions as uc;
use custodian_app::parse_id;
use custodian_domain::actions::ActionInput;
use custodian_domain::holder::Holder;
use serde::Deserialize;

use crate::kit::capability::Capability;
use crate::kit::error::Problem;
use crate::kit::forms::{PracticeParam, submitted};
use crate::kit::routes::Routes;
use crate::kit::session::{InPractice, PracticeScope};
use crate::{AppState, HttpError};

mod api;
pub(crate) use api::*;

/// How a path's id names a record.
type RecordOf = fn(&str) -> Result<Holder, HttpError>;

/// The registers whose records have actions: the path of a record (from the practice down, its
/// id as `{…_id}`) and how its id names the record.
const RECORDS: &[(&str, RecordOf)] = &[
    ("/risks/{risk_id}", |id| Ok(Holder::Risk(parse_id(id)?))),
    ("/incidents/{incident_id}", |id| {
        Ok(Holder::Incident(parse_id(id)?))
    }),
];

pub fn routes(r: &mut Routes) {
    for &(base, holder) in RECORDS {
        r.pages()
            .post(
                &format!("{base}/actions"),
                move |s: State<AppState>, scope: PracticeScope, p: InPractice<String>, f: Form<ActionInput>| async move {
                    add_submit(s, scope, holder(&p.0)?, f).await
                },
            )
            .post(
                &format!("{base}/actions/{{action_id}}"),
                move |s: State<AppState>,
                      scope: PracticeScope,
                      p: InPractice<(String, String)>,
                      f: Form<StatusForm>| async move {
                    let InPractice((id, action)) = p;
                    update_submit(s, scope, holder(&id)?, action, f).await
                },
            );
    }
    r.api()
        .post("/risks/{risk_id}/actions", api_add_risk_action)
        .put("/risks/{risk_id}/actions/{action_id}", api_update_risk_action)
        .get("/incidents/{incident_id}/actions", api_incident_actions)
        .post("/incidents/{incident_id}/actions", api_add_incident_action)
        .put(
            "/incidents/{incident_id}/actions/{action_id}",
            api_update_incident_action,
        );
}

/// Actions: no room of their own; they are part of the records they belong to.
pub const CAPABILITY: Capability = Capability {
    routes,
    api: Some(<ActionsApi as utoipa::OpenApi>::openapi),
    rooms: &[],
    provider_pages: &[],
};

/// Back to the record's action plan.
fn back(scope: &PracticeScope, holder: Holder) -> Response {
    Redirect::to(&scope.path(&format!("{}#actions", holder.path()))).into_response()
}

async fn add_submit(
    State(state): State<AppState>,
    scope: PracticeScope,
    holder: Holder,
    Form(input): Form<ActionInput>,
) -> Result<Response, HttpError> {
    match submitted(uc::add(&state, &scope.actor(), holder, &input).await)? {
        Ok(_) => Ok(back(&scope, holder)),
        Err(errors) => crate::records::page_with_errors(&state, &scope, holder, errors).await,
    }
}

/// An action's new status, as the record's page posts it.
#[derive(Deserialize)]
pub(crate) struct StatusForm {
    #[serde(default)]
    pub(crate) status: String,
}

async fn update_submit(
    State(state): State<AppState>,
    scope: PracticeScope,
    holder: Holder,
    action: String,
    Form(form): Form<StatusForm>,
) -> Result<Response, HttpError> {
    let input = ActionInput {
        status: form.status,
        ..Default::default()
    };
    match submitted(uc::update(&state, &scope.actor(), holder, &action, &input).await)? {
        Ok(_) => Ok(back(&scope, holder)),
        Err(errors) => crate::records::page_with_errors(&state, &scope, holder, errors).await,
    }
}
