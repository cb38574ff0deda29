//! What needs a person's attention in a practice, gathered from every capability through one
//! interface ([`AttentionFn`], in each [`crate::Capability`]): the practice's home page shows
//! it as "Your tasks" (what the person must do themselves, with its date) and "Needs attention"
//! (the practice's problems, for those responsible), and the notices job turns it into notices.
//! A capability adds its due and overdue items by naming its function in its `CAPABILITY`.

use std::future::Future;
use std::pin::Pin;

use crate::{Actor, App, AppError};

/// One thing to look at: where (a path under the practice, e.g. `/requests`) and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attention {
    /// What it is about: how a person hears of it depends on the kind.
    pub kind: custodian_domain::notifications::NoticeKind,
    pub path: String,
    pub text: String,
    /// `None`: for everyone the capability's check admits (by their roles). `Some`: only for
    /// this person (their own asset's access review, their own training), whatever the roles of
    /// the actor it was worked out for.
    pub person: Option<custodian_domain::PersonId>,
    /// A task: something this person must do themselves (approve a request, review a risk
    /// they own), as opposed to a problem of the practice's for those responsible to watch.
    pub task: bool,
    /// When it is (or was) due: the earliest of the items counted.
    pub due: Option<chrono::NaiveDate>,
}

impl Attention {
    /// A problem of the practice's, for everyone the capability's check admits.
    pub fn problem(
        kind: custodian_domain::notifications::NoticeKind,
        path: impl Into<String>,
        text: impl Into<String>,
    ) -> Self {
        Attention {
            kind,
            path: path.into(),
            text: text.into(),
            person: None,
            task: false,
            due: None,
        }
    }

    /// A task, for everyone the capability's check admits (those who may approve a request).
    pub fn task(
        kind: custodian_domain::notifications::NoticeKind,
        path: impl Into<String>,
        text: impl Into<String>,
    ) -> Self {
        Attention {
            task: true,
            ..Self::problem(kind, path, text)
        }
    }

    /// This one person's task (their own risk's review, their own action).
    pub fn task_of(mut self, person: custodian_domain::PersonId) -> Self {
        self.task = true;
        self.person = Some(person);
        self
    }

    pub fn due(mut self, on: Option<chrono::NaiveDate>) -> Self {
        self.due = on;
        self
    }
}

/// A capability's items for an actor, borrowing the app and the actor.
pub type AttentionFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Vec<Attention>, AppError>> + Send + 'a>>;

/// How a capability says what needs the actor's attention; it looks only at what the actor's
/// access lets them see, and returns nothing otherwise.
pub type AttentionFn = for<'a> fn(&'a App, &'a Actor<'a>) -> AttentionFuture<'a>;

/// Everything that needs the actor's attention in their practice, capability by capability;
/// tasks first, soonest due first.
pub async fn needs_attention(app: &App, actor: &Actor<'_>) -> Result<Vec<Attention>, AppError> {
    let me = actor.access.person;
    let mut all = for_roles(app, actor).await?;
    all.retain(|a| a.person.is_none_or(|p| p == me));
    // Stable: within a kind of item and a date, the capabilities' order.
    all.sort_by_key(|a| (!a.task, a.due.is_none(), a.due));
    Ok(all)
}

/// How an item's date reads on a home page: "overdue since 3 Dec 2026", "due today", "due
/// 9 Dec 2026".
pub fn due_text(due: chrono::NaiveDate, today: chrono::NaiveDate) -> String {
    let day = custodian_domain::time::show_day(due);
    match due.cmp(&today) {
        std::cmp::Ordering::Less => format!("overdue since {day}"),
        std::cmp::Ordering::Equal => "due today".into(),
        std::cmp::Ordering::Greater => format!("due {day}"),
    }
}

/// What needs attention for anyone with the actor's roles, with every person's own items (the
/// notices job works this out once per set of roles, then gives each person theirs).
pub async fn for_roles(app: &App, actor: &Actor<'_>) -> Result<Vec<Attention>, AppError> {
    let mut all = Vec::new();
    for f in crate::CAPABILITIES.iter().filter_map(|c| c.attention) {
        all.extend(f(app, actor).await?);
    }
    Ok(all)
}
