//! The records of actions.

use chrono::{DateTime, Utc};
use custodian_domain::actions::ActionStatus;
use custodian_domain::holder::Holder;
use custodian_domain::{ActionId, PersonId};

/// Which of a practice's actions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActionsOf {
    /// Every action of the practice.
    Practice,
    /// The actions of one register's records (`risk`, `incident`).
    Register(&'static str),
    /// One record's actions.
    Record(Holder),
}

/// An action with an owner and a due date.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Action {
    pub id: ActionId,
    /// The record it belongs to.
    #[serde(skip)]
    pub holder: Holder,
    /// The register of the record it belongs to: `risk` or `incident`.
    pub register: &'static str,
    /// The id of that record.
    pub record_id: uuid::Uuid,
    pub description: String,
    pub owner_id: PersonId,
    pub owner_name: String,
    #[schema(value_type = String)]
    pub due_on: chrono::NaiveDate,
    pub status: ActionStatus,
    pub created_at: DateTime<Utc>,
    pub done_at: Option<DateTime<Utc>>,
}

impl Action {
    /// Not done and due before `today`.
    pub fn overdue(&self, today: chrono::NaiveDate) -> bool {
        self.status != ActionStatus::Done && self.due_on < today
    }
}
