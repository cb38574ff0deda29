//! The action plan a record's page shows (its actions with owners and due dates, each one's
//! status to update, the form to add one): built here for every register whose records have
//! actions, which include `actions/panel.html` with an [`ActionsPanel`] named `actions`. The
//! routes it posts to are the actions capability's (`crate::actions`).

use custodian_domain::holder::Holder;
use custodian_store::{Action, ActionsOf};

use crate::kit::session::PracticeScope;
use crate::{AppState, HttpError};

/// An action as a page lists it.
pub struct ActionRow {
    pub id: String,
    /// The record's page, from the practice down, and what it is called (on lists of many
    /// records' actions).
    pub record_path: String,
    pub record: String,
    pub description: String,
    pub owner: String,
    pub due: String,
    pub status: String,
    pub status_label: &'static str,
    pub overdue: bool,
}

/// An action as a row, its record called `record`.
pub fn action_row(a: &Action, record: String, today: chrono::NaiveDate) -> ActionRow {
    ActionRow {
        id: a.id.to_string(),
        record_path: a.holder.path(),
        record,
        description: a.description.clone(),
        owner: a.owner_name.clone(),
        due: custodian_domain::time::show_day(a.due_on),
        status: a.status.as_str().to_string(),
        status_label: a.status.label(),
        overdue: a.overdue(today),
    }
}

/// The action plan on a record's page (`actions/panel.html`).
pub struct ActionsPanel {
    pub rows: Vec<ActionRow>,
    /// The record's address: the forms post to `{base}/actions…`.
    pub base: String,
    pub can_edit: bool,
    /// The practice's staff, who may be given an action: (id, name).
    pub people: Vec<(String, String)>,
    pub statuses: &'static [(&'static str, &'static str)],
    /// What the record's actions are for, as the heading says ("Action plan", "Follow-up").
    pub heading: &'static str,
}

/// The panel for `holder`'s page; `can_edit` is the record's own rule for adding actions.
pub async fn panel(
    state: &AppState,
    scope: &PracticeScope,
    holder: Holder,
    can_edit: bool,
) -> Result<ActionsPanel, HttpError> {
    let today = state.today();
    let rows = state
        .store
        .actions(scope.id(), ActionsOf::Record(holder))
        .await?
        .iter()
        .map(|a| action_row(a, String::new(), today))
        .collect();
    let people = if can_edit {
        state
            .store
            .access_overview(scope.id())
            .await?
            .iter()
            .map(|s| (s.person_id.to_string(), s.full_name.clone()))
            .collect()
    } else {
        vec![]
    };
    Ok(ActionsPanel {
        rows,
        base: scope.path(&holder.path()),
        can_edit,
        people,
        statuses: custodian_domain::actions::ACTION_STATUSES,
        heading: match holder {
            Holder::Risk(_) => "Action plan",
            Holder::Incident(_) | Holder::PersonalDevice(_) => "Actions",
        },
    })
}
