//! Actions with an owner and a due date, for every register: a risk's treatment plan, an
//! incident's follow-up. Who may add or change a record's actions is its register's rule
//! ([`rule`] asks it); whoever an action is given to may always update it, and is told when it
//! passes its due date.

/// Each person's own actions past their due date.
pub const CAPABILITY: crate::Capability = crate::Capability {
    jobs: &[],
    attention: Some(attention),
};

use custodian_domain::validation::counted;
use std::collections::BTreeMap;

use custodian_domain::actions::{ActionInput, ActionUse};
use custodian_domain::holder::Holder;
use custodian_domain::notifications::NoticeKind;
use custodian_domain::{ActionId, PersonId};
use custodian_store::{Action, ActionsOf};

use crate::{Actor, App, AppError, parse_id};

/// The register's rule for `use_` of `holder`'s actions (`verb` names it in the audit trail);
/// the date they cannot be due before, and what happened then.
async fn rule(
    app: &App,
    actor: &Actor<'_>,
    holder: Holder,
    verb: &str,
    use_: ActionUse,
) -> Result<(chrono::NaiveDate, &'static str), AppError> {
    let action = format!("{}_action.{verb}", holder.register());
    match holder {
        Holder::Risk(id) => crate::risks::action_rule(app, actor, id, &action, use_).await,
        Holder::Incident(id) => {
            crate::incidents::action_rule(app, actor, id, &action, use_).await
        }
        // A personal device has no actions: its risks carry them, in the risk register.
        Holder::PersonalDevice(_) => Err(AppError::NotFound),
    }
}

/// Adds an action to the record.
pub async fn add(
    app: &App,
    actor: &Actor<'_>,
    holder: Holder,
    input: &ActionInput,
) -> Result<Action, AppError> {
    let (since, begun) = rule(app, actor, holder, "create", ActionUse::Change).await?;
    let valid = input.validate_since(since, begun)?;
    Ok(app
        .store
        .add_action(actor.practice_id(), holder, &valid, actor.meta)
        .await?)
}

/// Changes one of the record's actions; what the input leaves empty stays as it was.
pub async fn update(
    app: &App,
    actor: &Actor<'_>,
    holder: Holder,
    action: &str,
    input: &ActionInput,
) -> Result<Action, AppError> {
    let id: ActionId = parse_id(action)?;
    let old = app
        .store
        .action(actor.practice_id(), id)
        .await?
        .filter(|a| a.holder == holder)
        .ok_or(AppError::NotFound)?;
    let use_ = if old.owner_id == actor.access.person {
        ActionUse::ChangeOwn
    } else {
        ActionUse::Change
    };
    let (since, begun) = rule(app, actor, holder, "update", use_).await?;
    let mut input = input.clone();
    if input.description.trim().is_empty() {
        input.description = old.description.clone();
    }
    if input.owner_id.is_none() {
        input.owner_id = Some(old.owner_id);
    }
    if input.due_on.trim().is_empty() {
        input.due_on = old.due_on.to_string();
    }
    let valid = input.validate_since(since, begun)?;
    Ok(app
        .store
        .update_action(actor.practice_id(), id, &valid, actor.meta)
        .await?)
}

/// A record's actions, for those who may read the record; the read is recorded.
pub async fn of_record(
    app: &App,
    actor: &Actor<'_>,
    holder: Holder,
) -> Result<Vec<Action>, AppError> {
    rule(app, actor, holder, "list", ActionUse::Read).await?;
    let found = app
        .store
        .actions(actor.practice_id(), ActionsOf::Record(holder))
        .await?;
    let action = format!("{}_action.list", holder.register());
    let read = actor.event(&action, holder.register(), Some(holder.id().to_string()));
    app.record_read(read.details(serde_json::json!({ "count": found.len() })))
        .await?;
    Ok(found)
}

/// Every owner's actions past their due date, whatever the register: one item each, for them
/// alone, leading to the record of the one overdue longest.
pub fn attention<'a>(app: &'a App, actor: &'a Actor<'a>) -> crate::home::AttentionFuture<'a> {
    Box::pin(async move {
        let today = app.today();
        let mut by_owner: BTreeMap<PersonId, (usize, String, chrono::NaiveDate)> = BTreeMap::new();
        let all = app
            .store
            .actions(actor.practice_id(), ActionsOf::Practice)
            .await?;
        // By due date: the first seen of an owner's is the one overdue longest.
        for a in all.iter().filter(|a| a.overdue(today)) {
            by_owner
                .entry(a.owner_id)
                .or_insert_with(|| (0, a.holder.path(), a.due_on))
                .0 += 1;
        }
        Ok(by_owner
            .into_iter()
            .map(|(owner, (n, path, due))| {
                crate::home::Attention::task(
                    NoticeKind::ActionOverdue,
                    path,
                    format!("{} given to you past their due date", counted(n, "action", "actions")),
                )
                .task_of(owner)
                .due(Some(due))
            })
            .collect())
    })
}
