//! The records other capabilities attach to (evidence files, actions): a record's page shown
//! again with a form's errors, whichever register it is in. A register whose records take
//! evidence or actions adds its arm here.

use axum::response::Response;
use custodian_domain::holder::Holder;

use crate::kit::forms::Errors;
use crate::kit::session::PracticeScope;
use crate::{AppState, HttpError};

/// The record's page again, showing `errors` (an upload, a removal or an action refused).
pub(crate) async fn page_with_errors(
    state: &AppState,
    scope: &PracticeScope,
    holder: Holder,
    errors: Errors,
) -> Result<Response, HttpError> {
    let id = holder.id().to_string();
    match holder {
        Holder::Incident(_) => {
            crate::incidents::incident_page_for(state, scope, &id, errors, false).await
        }
        Holder::Risk(_) => crate::risks::risk_page_for(state, scope, &id, errors).await,
        Holder::PersonalDevice(_) => {
            crate::devices::personal_page_for(state, scope, &id, errors).await
        }
    }
}
