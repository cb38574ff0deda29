//! What needs a person's attention in a practice, gathered from every capability through one
//! interface ([`AttentionFn`], in each [`crate::Capability`]): the practice's home page shows
//! it, and the digest will send it. A capability adds its due and overdue items by naming its
//! function in its `CAPABILITY`.

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
}

/// A capability's items for an actor, borrowing the app and the actor.
pub type AttentionFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Vec<Attention>, AppError>> + Send + 'a>>;

/// How a capability says what needs the actor's attention; it looks only at what the actor's
/// access lets them see, and returns nothing otherwise.
pub type AttentionFn = for<'a> fn(&'a App, &'a Actor<'a>) -> AttentionFuture<'a>;

/// Everything that needs the actor's attention in their practice, capability by capability.
pub async fn needs_attention(app: &App, actor: &Actor<'_>) -> Result<Vec<Attention>, AppError> {
    let me = actor.access.person;
    let mut all = for_roles(app, actor).await?;
    all.retain(|a| a.person.is_none_or(|p| p == me));
    Ok(all)
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
