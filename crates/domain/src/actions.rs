//! Actions with an owner and a due date: a risk's treatment plan, an incident's follow-up. One
//! rule for every register; the record they belong to is a [`crate::holder::Holder`].

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::validation::Checker;
use crate::{Invalid, PersonId};

/// What a person does with a record's actions (each register says who may).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActionUse {
    /// Reads them.
    Read,
    /// Adds one, or changes one given to someone else.
    Change,
    /// Updates one given to them.
    ChangeOwn,
}

/// The statuses an action takes, as stored and as people read them.
pub const ACTION_STATUSES: &[(&str, &str)] = &[
    ("open", "Not started"),
    ("in_progress", "In progress"),
    ("done", "Done"),
];

/// A status as a practice manager reads it.
pub fn action_status_label(v: &str) -> &'static str {
    ACTION_STATUSES
        .iter()
        .find(|(k, _)| *k == v)
        .map_or("", |(_, l)| l)
}

/// An action with an owner and a due date, for a risk's treatment plan or an incident's
/// follow-up.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(default)]
pub struct ActionInput {
    #[schema(min_length = 1, max_length = 1000)]
    pub description: String,
    pub owner_id: Option<PersonId>,
    /// YYYY-MM-DD.
    pub due_on: String,
    /// open, in_progress or done (empty: open, or as it was).
    #[schema(pattern = "^$|^(open|in_progress|done)$")]
    pub status: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidAction {
    pub input: ActionInput,
    pub due_on: NaiveDate,
}

impl ValidAction {
    /// The status chosen (validation leaves only a choice of the list).
    pub fn status(&self) -> ActionStatus {
        ActionStatus::parse(&self.input.status).unwrap_or(ActionStatus::Open)
    }
}

/// Where an action stands (the choices of [`ACTION_STATUSES`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActionStatus {
    Open,
    InProgress,
    Done,
}

impl ActionStatus {
    pub const ALL: [ActionStatus; 3] = [Self::Open, Self::InProgress, Self::Done];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::InProgress => "in_progress",
            Self::Done => "done",
        }
    }

    /// As a practice manager reads it ("Not started", "In progress", "Done").
    pub fn label(self) -> &'static str {
        action_status_label(self.as_str())
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

impl ActionInput {
    /// Checks an action of a risk raised on `raised_on`.
    pub fn validate(&self, raised_on: NaiveDate) -> Result<ValidAction, Invalid> {
        self.validate_since(raised_on, "the risk was raised")
    }

    /// Checks an action of a record begun on `since` (`begun` says how: "the incident was
    /// reported"): it cannot be due before then.
    pub fn validate_since(&self, since: NaiveDate, begun: &str) -> Result<ValidAction, Invalid> {
        let raised_on = since;
        let mut c = Checker::new();
        let mut out = self.clone();
        out.description = c.text("description", "what will be done", &self.description, 1000);
        if self.owner_id.is_none() {
            c.fail("owner_id", "Choose who will do it");
        }
        out.status = if self.status.trim().is_empty() {
            "open".into()
        } else {
            let v = self.status.trim();
            if !ACTION_STATUSES.iter().any(|(k, _)| *k == v) {
                c.fail("status", "Choose the status from the list");
            }
            v.to_string()
        };
        let due = crate::identity::parse_date(self.due_on.trim());
        match due {
            None => c.fail("due_on", "Enter the date it is due, like 2026-12-31"),
            Some(d) if d < raised_on => c.fail(
                "due_on",
                format!(
                    "The action cannot be due before {begun} ({})",
                    raised_on.format("%-d %B %Y")
                ),
            ),
            Some(_) => {}
        }
        c.finish()?;
        let due_on = due.expect("checked");
        out.due_on = due_on.to_string();
        Ok(ValidAction { input: out, due_on })
    }
}
