//! Leavers, nominated administrators and who has access.
//!
//! Compiled once for each backend, like `queries.rs` beside it.

use super::*;
use crate::error::conflict;
use crate::queries::{now, roles_from_csv};
use crate::*;
use async_trait::async_trait;
use custodian_domain::validation::{TEXT_MAX, required_text};
use custodian_domain::{AccountStatus, PersonId, PracticeId, PracticeRole};
use custodian_domain::{LeaverId, SystemId};

use uuid::Uuid;

#[async_trait]
impl LeaverStore for ThisStore {
    async fn record_leaver(
        &self,
        practice: PracticeId,
        person: PersonId,
        exit_date: chrono::NaiveDate,
        reason: &str,
        by: &AuditMeta,
    ) -> Result<Leaver> {
        let recorder = by.actor_id.ok_or(StoreError::NotFound("recorder"))?;
        let mut tx = self.pool.begin_with(BEGIN).await?;
        let member: Option<Option<Timestamp>> = sqlx::query_scalar(
            "SELECT left_at FROM practice_members WHERE practice_id = $1 AND person_id = $2",
        )
        .bind(practice.0)
        .bind(person.0)
        .fetch_optional(&mut *tx)
        .await?;
        match member {
            None => return Err(StoreError::NotFound("person")),
            Some(Some(_)) => {
                return Err(custodian_domain::Invalid::one(
                    "person_id",
                    "This person has already left the practice",
                )
                .into());
            }
            Some(None) => {}
        }
        let id = Uuid::now_v7();
        sqlx::query(
        "INSERT INTO leavers (id, practice_id, person_id, exit_date, reason, recorded_by, recorded_at, status) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'scheduled')",
    )
    .bind(id)
    .bind(practice.0)
    .bind(person.0)
    .bind(exit_date)
    .bind(reason)
    .bind(recorder.0)
    .bind(now())
    .execute(&mut *tx)
    .await
    .map_err(|e| conflict(e, &[("leavers", "person_id", "A leaver is already recorded for this person: cancel it to change the date")]))?;
        let event = by
            .event(
                Some(practice),
                "leaver.record",
                "person",
                Some(person.to_string()),
            )
            .details(serde_json::json!({ "exit_date": exit_date.to_string(), "reason": reason }));
        insert_event(&mut tx, &event).await?;
        let row = sqlx::query(&format!("SELECT {LEAVER_COLUMNS} WHERE l.id = $1"))
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        let out = leaver_from(&row)?;
        tx.commit().await?;
        Ok(out)
    }

    async fn leavers(&self, practice: PracticeId) -> Result<Vec<Leaver>> {
        let rows = sqlx::query(&format!(
            "SELECT {LEAVER_COLUMNS} WHERE l.practice_id = $1 ORDER BY l.exit_date DESC"
        ))
        .bind(practice.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(leaver_from).collect()
    }

    async fn scheduled_leavers(&self) -> Result<Vec<Leaver>> {
        let rows = sqlx::query(&format!(
            "SELECT {LEAVER_COLUMNS} WHERE l.status = 'scheduled' ORDER BY l.exit_date"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(leaver_from).collect()
    }

    async fn cancel_leaver(
        &self,
        practice: PracticeId,
        id: LeaverId,
        by: &AuditMeta,
    ) -> Result<Leaver> {
        let id = id.0;
        let actor = by.actor_id.ok_or(StoreError::NotFound("actor"))?;
        let mut tx = self.pool.begin_with(BEGIN).await?;
        let done = sqlx::query(
        "UPDATE leavers SET status = 'cancelled', cancelled_by = $3, cancelled_at = $4 WHERE practice_id = $1 AND id = $2 AND status = 'scheduled'",
    )
    .bind(practice.0)
    .bind(id)
    .bind(actor.0)
    .bind(now())
    .execute(&mut *tx)
    .await?;
        let query = format!("SELECT {LEAVER_COLUMNS} WHERE l.practice_id = $1");
        let leaver = find_in(&mut tx, &query, "l.id", practice, id, leaver_from)
            .await?
            .ok_or(StoreError::NotFound("leaver"))?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict {
                field: "leaver",
                message: format!(
                    "This leaver is already {}: it cannot be cancelled",
                    leaver.status
                ),
            });
        }
        let event = by
            .event(
                Some(practice),
                "leaver.cancel",
                "person",
                Some(leaver.person_id.to_string()),
            )
            .details(serde_json::json!({ "exit_date": leaver.exit_date.to_string() }));
        insert_event(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(leaver)
    }

    async fn process_leaver(&self, id: LeaverId, by: &AuditMeta) -> Result<Option<LeaverOutcome>> {
        let id = id.0;
        let mut tx = self.pool.begin_with(BEGIN).await?;
        let at = now();
        let row: Option<(Uuid, Uuid)> = sqlx::query_as(
        "UPDATE leavers SET status = 'done', processed_at = $2 WHERE id = $1 AND status = 'scheduled' RETURNING practice_id, person_id",
    )
    .bind(id)
    .bind(at)
    .fetch_optional(&mut *tx)
    .await?;
        let Some((practice, person)) = row else {
            return Ok(None);
        };
        let (practice, person) = (PracticeId(practice), PersonId(person));
        let roles: Vec<String> = sqlx::query_scalar("SELECT role FROM practice_roles WHERE practice_id = $1 AND person_id = $2 ORDER BY role")
        .bind(practice.0)
        .bind(person.0)
        .fetch_all(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM practice_roles WHERE practice_id = $1 AND person_id = $2")
            .bind(practice.0)
            .bind(person.0)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE practice_members SET left_at = $3 WHERE practice_id = $1 AND person_id = $2",
        )
        .bind(practice.0)
        .bind(person.0)
        .bind(at)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE administrator_nominations SET ended_at = $3, end_reason = 'leaver' WHERE practice_id = $1 AND person_id = $2 AND ended_at IS NULL")
        .bind(practice.0)
        .bind(person.0)
        .bind(at)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE api_tokens SET revoked_at = $3 WHERE practice_id = $1 AND person_id = $2 AND revoked_at IS NULL")
        .bind(practice.0)
        .bind(person.0)
        .bind(at)
        .execute(&mut *tx)
        .await?;
        let held = remove_logins(&mut tx, practice, person, at).await?;
        // The asset register's entries naming the person end with them, each on its asset's history.
        let named: Vec<(Uuid, Uuid)> = sqlx::query_as(
        "UPDATE asset_access SET removed_at = $3 WHERE practice_id = $1 AND person_id = $2 AND removed_at IS NULL RETURNING id, asset_id",
    )
    .bind(practice.0)
    .bind(person.0)
    .bind(at)
    .fetch_all(&mut *tx)
    .await?;
        for (entry, asset) in &named {
            let e = by.event(Some(practice), "asset_access.remove", "asset", Some(asset.to_string()))
            .details(serde_json::json!({ "entry": entry.to_string(), "why": "leaver: exit date reached" }));
            insert_event(&mut tx, &e).await?;
        }
        let deactivated = deactivate_if_gone(&mut tx, person, at).await?;
        let event = by.event(Some(practice), "leaver.process", "person", Some(person.to_string())).details(serde_json::json!({
        "roles": { "old": roles.join(","), "new": "" },
        "removal_tasks": held.len(),
        "asset_access_removed": named.len(),
        "account": if deactivated { "deactivated: exit date reached" } else { "kept: still works elsewhere" },
    }));
        insert_event(&mut tx, &event).await?;
        if deactivated {
            let e = by.event(Some(practice), "person.deactivate", "person", Some(person.to_string()))
            .details(serde_json::json!({ "status": { "old": "active", "new": "deactivated" }, "why": "exit date reached" }));
            insert_event(&mut tx, &e).await?;
        }
        tx.commit().await?;
        Ok(Some(LeaverOutcome {
            deactivated,
            removal_tasks: held.len(),
        }))
    }

    async fn nominate_administrator(
        &self,
        practice: PracticeId,
        person: PersonId,
        reason: &str,
        cap: u32,
        by: &AuditMeta,
    ) -> Result<AdministratorNomination> {
        let nominator = by.actor_id.ok_or(StoreError::NotFound("nominator"))?;
        let why = "Give the reason this person needs administrator access";
        required_text("reason", reason, TEXT_MAX, why)?;
        let mut tx = self.pool.begin_with(BEGIN).await?;
        let member: Option<Option<Timestamp>> = sqlx::query_scalar(
            "SELECT left_at FROM practice_members WHERE practice_id = $1 AND person_id = $2",
        )
        .bind(practice.0)
        .bind(person.0)
        .fetch_optional(&mut *tx)
        .await?;
        if !matches!(member, Some(None)) {
            return Err(custodian_domain::Invalid::one(
                "person_id",
                "Only a current member of the practice's staff can be nominated",
            )
            .into());
        }
        let current: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM administrator_nominations WHERE practice_id = $1 AND ended_at IS NULL")
        .bind(practice.0)
        .fetch_one(&mut *tx)
        .await?;
        if current >= cap as i64 {
            return Err(custodian_domain::Invalid::one(
            "person_id",
            format!("The practice already has {current} system administrators, its limit: end a nomination first or raise the limit in the practice's settings"),
        )
        .into());
        }
        let id = Uuid::now_v7();
        let at = now();
        sqlx::query(
        "INSERT INTO administrator_nominations (id, practice_id, person_id, nominated_by, reason, nominated_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(practice.0)
    .bind(person.0)
    .bind(nominator.0)
    .bind(reason.trim())
    .bind(at)
    .execute(&mut *tx)
    .await
    .map_err(|e| conflict(e, &[("administrator_nominations", "person_id", "This person is already a nominated administrator")]))?;
        sqlx::query("INSERT INTO practice_roles (practice_id, person_id, role, granted_at) VALUES ($1, $2, 'system_administrator', $3) ON CONFLICT DO NOTHING")
        .bind(practice.0)
        .bind(person.0)
        .bind(at)
        .execute(&mut *tx)
        .await?;
        let event = by.event(Some(practice), "administrator.nominate", "person", Some(person.to_string()))
        .details(serde_json::json!({ "reason": reason.trim(), "roles": { "added": "system_administrator" } }));
        insert_event(&mut tx, &event).await?;
        let row = sqlx::query(&format!("{NOMINATION_QUERY} AND n.id = $2"))
            .bind(practice.0)
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        let out = nomination_from(&row)?;
        tx.commit().await?;
        Ok(out)
    }

    async fn end_administrator_nomination(
        &self,
        practice: PracticeId,
        person: PersonId,
        reason: &str,
        by: &AuditMeta,
    ) -> Result<()> {
        let actor = by.actor_id.ok_or(StoreError::NotFound("actor"))?;
        let mut tx = self.pool.begin_with(BEGIN).await?;
        let done = sqlx::query(
        "UPDATE administrator_nominations SET ended_at = $3, ended_by = $4, end_reason = $5 WHERE practice_id = $1 AND person_id = $2 AND ended_at IS NULL",
    )
    .bind(practice.0)
    .bind(person.0)
    .bind(now())
    .bind(actor.0)
    .bind(reason.trim())
    .execute(&mut *tx)
    .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("nomination"));
        }
        sqlx::query("DELETE FROM practice_roles WHERE practice_id = $1 AND person_id = $2 AND role = 'system_administrator'")
        .bind(practice.0)
        .bind(person.0)
        .execute(&mut *tx)
        .await?;
        let event = by.event(Some(practice), "administrator.end", "person", Some(person.to_string()))
        .details(serde_json::json!({ "reason": reason.trim(), "roles": { "removed": "system_administrator" } }));
        insert_event(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn administrators(&self, practice: PracticeId) -> Result<Vec<AdministratorNomination>> {
        let rows = sqlx::query(&format!("{NOMINATION_QUERY} ORDER BY n.nominated_at"))
            .bind(practice.0)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(nomination_from).collect()
    }

    async fn access_overview(&self, practice: PracticeId) -> Result<Vec<AccessOverview>> {
        let rows = sqlx::query(concat!(
        "SELECT p.id, p.full_name, p.username, p.status, m.job_title, m.joined_at, p.totp_enabled_at IS NOT NULL AS mfa, ",
        "p.last_sign_in_at, p.password_changed_at, p.locked_until, ",
        "(SELECT string_agg(r.role, ',') FROM practice_roles r WHERE r.practice_id = m.practice_id AND r.person_id = m.person_id) AS roles, ",
        "(SELECT COUNT(*) FROM access_grants g WHERE g.practice_id = m.practice_id AND g.person_id = m.person_id AND g.status = 'open') AS open_grants ",
        "FROM practice_members m JOIN people p ON p.id = m.person_id WHERE m.practice_id = $1 AND m.left_at IS NULL ORDER BY m.sort_key, p.id"
    ))
    .bind(practice.0)
    .fetch_all(&self.pool)
    .await?;
        rows.iter()
            .map(|r| {
                let status: String = r.try_get("status")?;
                let mut roles: Vec<PracticeRole> = roles_from_csv(r.try_get("roles")?)?;
                roles.sort();
                Ok(AccessOverview {
                    person_id: PersonId(r.try_get("id")?),
                    full_name: r.try_get("full_name")?,
                    username: r.try_get("username")?,
                    job_title: r.try_get("job_title")?,
                    status: AccountStatus::parse(&status)
                        .ok_or_else(|| StoreError::Corrupt(status.clone()))?,
                    roles,
                    mfa_enrolled: r.try_get("mfa")?,
                    last_sign_in_at: r.try_get("last_sign_in_at")?,
                    password_changed_at: r.try_get("password_changed_at")?,
                    locked_until: r.try_get("locked_until")?,
                    open_grants: r.try_get("open_grants")?,
                    joined_at: r.try_get("joined_at")?,
                })
            })
            .collect()
    }

    async fn is_system_administrator(&self, person: PersonId) -> Result<bool> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM practice_roles WHERE person_id = $1 AND role = 'system_administrator'")
        .bind(person.0)
        .fetch_one(&self.pool)
        .await?;
        Ok(n > 0)
    }
}

/// A leaver's logins in other systems: unstarted creations closed, a removal task opened for
/// each login held. Returns the systems they held.
async fn remove_logins(
    tx: &mut sqlx::Transaction<'static, <ThisStore as HasDb>::Db>,
    practice: PracticeId,
    person: PersonId,
    at: Timestamp,
) -> Result<Vec<Uuid>> {
    sqlx::query(
"UPDATE access_grants SET status = 'done', done_at = $3, note = 'Not needed: the person left before it was done' \
 WHERE practice_id = $1 AND person_id = $2 AND action = 'create' AND status = 'open'",
    )
    .bind(practice.0)
    .bind(person.0)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    let held: Vec<Uuid> = sqlx::query_scalar(
"SELECT DISTINCT g.system_id FROM access_grants g WHERE g.practice_id = $1 AND g.person_id = $2 AND g.action = 'create' \
 AND g.note IS DISTINCT FROM 'Not needed: the person left before it was done' \
 AND NOT EXISTS (SELECT 1 FROM access_grants r WHERE r.practice_id = g.practice_id AND r.person_id = g.person_id \
   AND r.system_id = g.system_id AND r.action = 'remove' AND r.opened_at >= g.opened_at)",
    )
    .bind(practice.0)
    .bind(person.0)
    .fetch_all(&mut **tx)
    .await?;
    for s in &held {
        open_grant(
            &mut **tx,
            practice,
            person,
            SystemId(*s),
            "remove",
            "Leaver: exit date reached",
        )
        .await?;
    }
    Ok(held)
}

/// Deactivates a leaver's account (ending their sessions and API tokens) if they work nowhere
/// else and are not provider staff. Returns whether it was.
async fn deactivate_if_gone(
    tx: &mut sqlx::Transaction<'static, <ThisStore as HasDb>::Db>,
    person: PersonId,
    at: Timestamp,
) -> Result<bool> {
    let remaining: i64 = sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM practice_members WHERE person_id = $1 AND left_at IS NULL) + \
        (SELECT COUNT(*) FROM provider_roles WHERE person_id = $1)",
    )
    .bind(person.0)
    .fetch_one(&mut **tx)
    .await?;
    let deactivated = remaining == 0;
    if deactivated {
        sqlx::query("UPDATE people SET status = 'deactivated', deactivated_at = $2 WHERE id = $1")
            .bind(person.0)
            .bind(at)
            .execute(&mut **tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE person_id = $1")
            .bind(person.0)
            .execute(&mut **tx)
            .await?;
        sqlx::query(
            "UPDATE api_tokens SET revoked_at = $2 WHERE person_id = $1 AND revoked_at IS NULL",
        )
        .bind(person.0)
        .bind(at)
        .execute(&mut **tx)
        .await?;
    }
    Ok(deactivated)
}
