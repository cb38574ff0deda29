//! Actions: added to a record, changed, listed by practice, register or record.
//!
//! Compiled once for each backend (see `crates/store/src/lib.rs`), written against the
//! backend's `ThisStore`, `DbRow` and `BEGIN`.

use async_trait::async_trait;
use custodian_domain::actions::{ActionStatus, ValidAction};
use custodian_domain::holder::Holder;
use custodian_domain::{ActionId, PersonId, PracticeId};
use sqlx::Row as _;
use uuid::Uuid;

use super::*;
use crate::queries::now;
use crate::*;

const ACTION_QUERY: &str = "SELECT a.id, a.holder, a.holder_id, a.description, a.owner_id, \
     p.full_name AS owner_name, a.due_on, a.status, a.created_at, a.done_at \
     FROM actions a JOIN people p ON p.id = a.owner_id WHERE a.practice_id = $1";

fn action_from(row: &DbRow) -> Result<Action> {
    let register: String = row.try_get("holder")?;
    let holder = Holder::from_parts(&register, row.try_get("holder_id")?)
        .ok_or_else(|| StoreError::Corrupt(format!("action of a {register}")))?;
    Ok(Action {
        id: ActionId(row.try_get("id")?),
        holder,
        register: holder.register(),
        record_id: holder.id(),
        description: row.try_get("description")?,
        owner_id: PersonId(row.try_get("owner_id")?),
        owner_name: row.try_get("owner_name")?,
        due_on: row.try_get("due_on")?,
        status: status_of(row, ActionStatus::parse)?,
        created_at: row.try_get("created_at")?,
        done_at: row.try_get("done_at")?,
    })
}

/// The table of the register a holder's record is in.
fn table_of(holder: Holder) -> &'static str {
    match holder {
        Holder::Incident(_) => "incidents",
        Holder::Risk(_) => "risks",
        Holder::PersonalDevice(_) => "personal_devices",
    }
}

#[async_trait]
impl ActionStore for ThisStore {
    async fn add_action(
        &self,
        practice: PracticeId,
        holder: Holder,
        v: &ValidAction,
        by: &AuditMeta,
    ) -> Result<Action> {
        let mut tx = self.pool.begin_with(BEGIN).await?;
        let owner = check_member(
            &mut *tx,
            practice,
            v.input.owner_id,
            "owner_id",
            "Whoever does the action",
        )
        .await?;
        let exists: i64 = sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM {} WHERE practice_id = $1 AND id = $2",
            table_of(holder)
        ))
        .bind(practice.0)
        .bind(holder.id())
        .fetch_one(&mut *tx)
        .await?;
        if exists == 0 {
            return Err(StoreError::NotFound(holder.register()));
        }
        let id = Uuid::now_v7();
        let at = now();
        sqlx::query(
            "INSERT INTO actions (id, practice_id, holder, holder_id, description, owner_id, due_on, \
             status, created_at, updated_at, done_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10)",
        )
        .bind(id)
        .bind(practice.0)
        .bind(holder.register())
        .bind(holder.id())
        .bind(&v.input.description)
        .bind(owner.0)
        .bind(v.due_on)
        .bind(v.status().as_str())
        .bind(at)
        .bind((v.status() == ActionStatus::Done).then_some(at))
        .execute(&mut *tx)
        .await?;
        insert_event(
            &mut tx,
            &by.event(
                Some(practice),
                &format!("{}_action.create", holder.register()),
                holder.register(),
                Some(holder.id().to_string()),
            )
            .details(serde_json::json!({
                "action": id, "description": v.input.description, "owner_id": owner.0,
                "due_on": v.due_on, "status": v.input.status,
            })),
        )
        .await?;
        tx.commit().await?;
        self.one_of(ACTION_QUERY, "a.id", practice, id, action_from)
            .await
    }

    async fn update_action(
        &self,
        practice: PracticeId,
        id: ActionId,
        v: &ValidAction,
        by: &AuditMeta,
    ) -> Result<Action> {
        let id = id.0;
        let old = self
            .find_of(ACTION_QUERY, "a.id", practice, id, action_from)
            .await?
            .ok_or(StoreError::NotFound("action"))?;
        let mut tx = self.pool.begin_with(BEGIN).await?;
        let owner = check_member(
            &mut *tx,
            practice,
            v.input.owner_id,
            "owner_id",
            "Whoever does the action",
        )
        .await?;
        let at = now();
        use ActionStatus::Done;
        let done_at = match (old.status, v.status()) {
            (_, s) if s != Done => None,
            (Done, _) => old.done_at,
            _ => Some(at),
        };
        sqlx::query(
            "UPDATE actions SET description = $3, owner_id = $4, due_on = $5, status = $6, \
             updated_at = $7, done_at = $8 WHERE practice_id = $1 AND id = $2",
        )
        .bind(practice.0)
        .bind(id)
        .bind(&v.input.description)
        .bind(owner.0)
        .bind(v.due_on)
        .bind(v.status().as_str())
        .bind(at)
        .bind(done_at)
        .execute(&mut *tx)
        .await?;
        let mut changes = crate::queries::changed_fields(
            &serde_json::json!({
                "description": old.description, "owner_id": old.owner_id, "due_on": old.due_on,
                "status": old.status,
            }),
            &serde_json::json!({
                "description": v.input.description, "owner_id": owner, "due_on": v.due_on,
                "status": v.input.status,
            }),
        );
        changes.insert("action".into(), serde_json::json!(id));
        insert_event(
            &mut tx,
            &by.event(
                Some(practice),
                &format!("{}_action.update", old.register),
                old.register,
                Some(old.record_id.to_string()),
            )
            .details(changes.into()),
        )
        .await?;
        tx.commit().await?;
        self.one_of(ACTION_QUERY, "a.id", practice, id, action_from)
            .await
    }

    async fn action(&self, practice: PracticeId, id: ActionId) -> Result<Option<Action>> {
        self.find_of(ACTION_QUERY, "a.id", practice, id.0, action_from)
            .await
    }

    async fn actions(&self, practice: PracticeId, of: ActionsOf) -> Result<Vec<Action>> {
        let order = "a.due_on, a.id";
        let rows = match of {
            ActionsOf::Practice => {
                sqlx::query(&format!("{ACTION_QUERY} ORDER BY {order}"))
                    .bind(practice.0)
                    .fetch_all(&self.pool)
                    .await?
            }
            ActionsOf::Register(register) => {
                sqlx::query(&format!(
                    "{ACTION_QUERY} AND a.holder = $2 ORDER BY {order}"
                ))
                .bind(practice.0)
                .bind(register)
                .fetch_all(&self.pool)
                .await?
            }
            ActionsOf::Record(h) => {
                sqlx::query(&format!(
                    "{ACTION_QUERY} AND a.holder = $2 AND a.holder_id = $3 ORDER BY {order}"
                ))
                .bind(practice.0)
                .bind(h.register())
                .bind(h.id())
                .fetch_all(&self.pool)
                .await?
            }
        };
        rows.iter().map(action_from).collect()
    }
}
