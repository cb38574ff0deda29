//! Identity and access: settings, starters and movers, leavers, resets, administrators, API tokens.
//!
//! Compiled once for each backend (`crates/store/src/sqlite.rs` and `postgres.rs` include it with
//! `#[path]`), written against the backend's `ThisStore`, `DbRow` and `BEGIN`: both databases
//! accept the same SQL, so the text is shared; the schema differences live in the migrations.

use async_trait::async_trait;
use custodian_domain::{AccountStatus, PersonId, PracticeId, PracticeRole};
use sqlx::Row as _;
use uuid::Uuid;

use super::*;
use crate::error::conflict;
use crate::queries::{HasDb, now, roles_from_csv, sort_key};
use crate::*;

use custodian_domain::identity::ValidAccessRequest;
use custodian_domain::settings::PracticeSettings;

pub(super) fn csv_uuids(csv: &str) -> Result<Vec<Uuid>> {
    csv.split(',')
        .filter(|s| !s.is_empty())
        .map(|s| Uuid::parse_str(s).map_err(|e| StoreError::Corrupt(e.to_string())))
        .collect()
}

pub(super) const REQUEST_COLUMNS: &str = "r.id, r.reference, r.practice_id, r.kind, r.person_id, r.full_name, r.username, r.email, \
     r.job_title, r.roles, r.systems, r.start_date, r.line_manager_id, r.requested_by, r.requested_at, r.status, \
     r.decided_by, r.decided_at, r.decision_reason, p.full_name AS requested_by_name";

pub(super) fn request_from(row: &DbRow) -> Result<AccessRequest> {
    let roles: String = row.try_get("roles")?;
    let systems: String = row.try_get("systems")?;
    Ok(AccessRequest {
        id: row.try_get("id")?,
        reference: row.try_get("reference")?,
        practice_id: PracticeId(row.try_get("practice_id")?),
        kind: row.try_get("kind")?,
        person_id: row.try_get::<Option<Uuid>, _>("person_id")?.map(PersonId),
        full_name: row.try_get("full_name")?,
        username: row.try_get("username")?,
        email: row.try_get("email")?,
        job_title: row.try_get("job_title")?,
        roles: roles_from_csv(Some(roles))?,
        systems: csv_uuids(&systems)?,
        start_date: row.try_get("start_date")?,
        line_manager_id: row
            .try_get::<Option<Uuid>, _>("line_manager_id")?
            .map(PersonId),
        requested_by: PersonId(row.try_get("requested_by")?),
        requested_by_name: row.try_get("requested_by_name")?,
        requested_at: row.try_get("requested_at")?,
        status: row.try_get("status")?,
        decided_by: row.try_get::<Option<Uuid>, _>("decided_by")?.map(PersonId),
        decided_at: row.try_get("decided_at")?,
        decision_reason: row.try_get("decision_reason")?,
    })
}

pub(super) const GRANT_COLUMNS: &str = "g.id, g.practice_id, g.person_id, p.full_name AS person_name, g.system_id, \
     s.name AS system_name, g.action, g.status, g.reason, g.opened_at, g.done_by, g.done_at, g.note";
pub(super) const GRANT_FROM: &str = "FROM access_grants g JOIN people p ON p.id = g.person_id JOIN practice_systems s ON s.id = g.system_id";

pub(super) fn grant_from(row: &DbRow) -> Result<AccessGrant> {
    Ok(AccessGrant {
        id: row.try_get("id")?,
        practice_id: PracticeId(row.try_get("practice_id")?),
        person_id: PersonId(row.try_get("person_id")?),
        person_name: row.try_get("person_name")?,
        system_id: row.try_get("system_id")?,
        system_name: row.try_get("system_name")?,
        action: row.try_get("action")?,
        status: row.try_get("status")?,
        reason: row.try_get("reason")?,
        opened_at: row.try_get("opened_at")?,
        done_by: row.try_get::<Option<Uuid>, _>("done_by")?.map(PersonId),
        done_at: row.try_get("done_at")?,
        note: row.try_get("note")?,
    })
}

pub(super) const LEAVER_COLUMNS: &str = "l.id, l.practice_id, l.person_id, p.full_name AS person_name, l.exit_date, l.reason, \
     l.recorded_by, l.recorded_at, l.status, l.processed_at FROM leavers l JOIN people p ON p.id = l.person_id";

pub(super) fn leaver_from(row: &DbRow) -> Result<Leaver> {
    Ok(Leaver {
        id: row.try_get("id")?,
        practice_id: PracticeId(row.try_get("practice_id")?),
        person_id: PersonId(row.try_get("person_id")?),
        person_name: row.try_get("person_name")?,
        exit_date: row.try_get("exit_date")?,
        reason: row.try_get("reason")?,
        recorded_by: PersonId(row.try_get("recorded_by")?),
        recorded_at: row.try_get("recorded_at")?,
        status: row.try_get("status")?,
        processed_at: row.try_get("processed_at")?,
    })
}

pub(super) const NOMINATION_QUERY: &str = "SELECT n.id, n.practice_id, n.person_id, p.full_name AS person_name, n.nominated_by, \
     b.full_name AS nominated_by_name, n.reason, n.nominated_at, p.totp_enabled_at IS NOT NULL AS mfa_enrolled, \
     p.last_sign_in_at FROM administrator_nominations n JOIN people p ON p.id = n.person_id \
     JOIN people b ON b.id = n.nominated_by WHERE n.practice_id = $1 AND n.ended_at IS NULL";

pub(super) fn nomination_from(row: &DbRow) -> Result<AdministratorNomination> {
    Ok(AdministratorNomination {
        id: row.try_get("id")?,
        practice_id: PracticeId(row.try_get("practice_id")?),
        person_id: PersonId(row.try_get("person_id")?),
        person_name: row.try_get("person_name")?,
        nominated_by: PersonId(row.try_get("nominated_by")?),
        nominated_by_name: row.try_get("nominated_by_name")?,
        reason: row.try_get("reason")?,
        nominated_at: row.try_get("nominated_at")?,
        mfa_enrolled: row.try_get("mfa_enrolled")?,
        last_sign_in_at: row.try_get("last_sign_in_at")?,
    })
}

pub(super) fn token_from(row: &DbRow) -> Result<ApiToken> {
    let perms: String = row.try_get("permissions")?;
    let mut permissions = Vec::new();
    for p in perms.split(',').filter(|s| !s.is_empty()) {
        permissions.push(
            custodian_domain::Permission::ALL
                .into_iter()
                .find(|x| x.as_str() == p)
                .ok_or_else(|| StoreError::Corrupt(format!("permission {p}")))?,
        );
    }
    Ok(ApiToken {
        id: row.try_get("id")?,
        person_id: PersonId(row.try_get("person_id")?),
        practice_id: PracticeId(row.try_get("practice_id")?),
        name: row.try_get("name")?,
        permissions,
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
        revoked_at: row.try_get("revoked_at")?,
        last_used_at: row.try_get("last_used_at")?,
    })
}

/// Opens a grant task.
pub(super) async fn open_grant<'c, E>(
    exec: E,
    practice: PracticeId,
    person: PersonId,
    system: Uuid,
    action: &str,
    reason: &str,
) -> Result<()>
where
    E: sqlx::Executor<'c, Database = <ThisStore as HasDb>::Db>,
{
    sqlx::query(
        "INSERT INTO access_grants (id, practice_id, person_id, system_id, action, status, opened_at, reason) \
         VALUES ($1, $2, $3, $4, $5, 'open', $6, $7)",
    )
    .bind(Uuid::now_v7())
    .bind(practice.0)
    .bind(person.0)
    .bind(system)
    .bind(action)
    .bind(now())
    .bind(reason)
    .execute(exec)
    .await?;
    Ok(())
}

#[async_trait]
impl IdentityStore for ThisStore {
    async fn settings(&self, practice: PracticeId) -> Result<PracticeSettings> {
        let text: Option<String> =
            sqlx::query_scalar("SELECT settings FROM practice_settings WHERE practice_id = $1")
                .bind(practice.0)
                .fetch_optional(&self.pool)
                .await?;
        match text {
            None => Ok(PracticeSettings::default()),
            Some(t) => {
                serde_json::from_str(&t).map_err(|e| StoreError::Corrupt(format!("settings: {e}")))
            }
        }
    }

    async fn set_settings(
        &self,
        practice: PracticeId,
        settings: &PracticeSettings,
        by: &AuditMeta,
    ) -> Result<()> {
        settings.validate()?;
        let old = self.settings(practice).await?;
        let mut tx = self.pool.begin_with(BEGIN).await?;
        sqlx::query(
        "INSERT INTO practice_settings (practice_id, settings, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (practice_id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at",
    )
    .bind(practice.0)
    .bind(serde_json::to_string(settings).expect("settings serialise"))
    .bind(now())
    .execute(&mut *tx)
    .await?;
        let (old_v, new_v) = (
            serde_json::to_value(&old).unwrap(),
            serde_json::to_value(settings).unwrap(),
        );
        let mut changes = serde_json::Map::new();
        for (k, v) in new_v.as_object().unwrap() {
            if old_v.get(k) != Some(v) {
                changes.insert(
                    k.clone(),
                    serde_json::json!({ "old": old_v.get(k), "new": v }),
                );
            }
        }
        let event = by
            .event(
                Some(practice),
                "settings.update",
                "practice_settings",
                Some(practice.to_string()),
            )
            .details(changes.into());
        insert_event(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn record_failed_sign_in(
        &self,
        person: PersonId,
        lock_until: Timestamp,
    ) -> Result<FailedSignIn> {
        let row = sqlx::query(
        "UPDATE people SET \
           locked_until = CASE WHEN failed_sign_ins + 1 >= $3 THEN $2 ELSE locked_until END, \
           failed_sign_ins = CASE WHEN failed_sign_ins + 1 >= $3 THEN 0 ELSE failed_sign_ins + 1 END \
         WHERE id = $1 RETURNING failed_sign_ins, locked_until",
    )
    .bind(person.0)
    .bind(lock_until)
    .bind(custodian_domain::identity::MAX_FAILED_SIGN_INS)
    .fetch_one(&self.pool)
    .await?;
        let failures: i64 = row.try_get("failed_sign_ins")?;
        let locked: Option<Timestamp> = row.try_get("locked_until")?;
        Ok(FailedSignIn {
            failures: if failures == 0 {
                custodian_domain::identity::MAX_FAILED_SIGN_INS
            } else {
                failures
            },
            locked_until: locked.filter(|l| *l == lock_until && failures == 0),
        })
    }

    async fn record_sign_in(
        &self,
        person: PersonId,
        at: Timestamp,
        used_otp: bool,
        rehashed: Option<&str>,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE people SET failed_sign_ins = 0, locked_until = NULL, last_sign_in_at = $2, \
         otp_used_at = CASE WHEN $3 THEN $2 ELSE otp_used_at END, \
         password_hash = COALESCE($4, password_hash) WHERE id = $1",
        )
        .bind(person.0)
        .bind(at)
        .bind(used_otp)
        .bind(rehashed)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn unlock_account(&self, person: PersonId, event: &AuditEvent) -> Result<()> {
        let mut tx = self.pool.begin_with(BEGIN).await?;
        sqlx::query("UPDATE people SET failed_sign_ins = 0, locked_until = NULL WHERE id = $1")
            .bind(person.0)
            .execute(&mut *tx)
            .await?;
        insert_event(&mut tx, event).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn locked_accounts(
        &self,
        practice: PracticeId,
        at: Timestamp,
    ) -> Result<Vec<LockedAccount>> {
        let rows = sqlx::query(
        "SELECT p.id, p.full_name, p.username, \
         CASE WHEN p.locked_until > $2 THEN p.locked_until ELSE NULL END AS locked_until, \
         p.identity_check_failures >= $3 AS identity_locked \
         FROM practice_members m JOIN people p ON p.id = m.person_id \
         WHERE m.practice_id = $1 AND m.left_at IS NULL AND (p.locked_until > $2 OR p.identity_check_failures >= $3) \
         ORDER BY p.sort_key",
    )
    .bind(practice.0)
    .bind(at)
    .bind(custodian_domain::identity::MAX_IDENTITY_CHECK_FAILURES)
    .fetch_all(&self.pool)
    .await?;
        rows.iter()
            .map(|r| {
                Ok(LockedAccount {
                    person_id: PersonId(r.try_get("id")?),
                    full_name: r.try_get("full_name")?,
                    username: r.try_get("username")?,
                    locked_until: r.try_get("locked_until")?,
                    identity_checks_locked: r.try_get("identity_locked")?,
                })
            })
            .collect()
    }

    async fn set_session_stage(
        &self,
        token_hash: &str,
        stage: custodian_domain::identity::SessionStage,
    ) -> Result<()> {
        sqlx::query("UPDATE sessions SET stage = $2 WHERE token_hash = $1")
            .bind(token_hash)
            .bind(stage.as_str())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn sessions_of(
        &self,
        person: PersonId,
        idle_since: Timestamp,
        at: Timestamp,
    ) -> Result<Vec<SessionSummary>> {
        let rows = sqlx::query(
            "SELECT id, token_hash, created_at, last_seen_at, ip, user_agent FROM sessions \
         WHERE person_id = $1 AND last_seen_at >= $2 AND expires_at > $3 ORDER BY created_at DESC",
        )
        .bind(person.0)
        .bind(idle_since)
        .bind(at)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(SessionSummary {
                    id: r.try_get("id")?,
                    token_hash: r.try_get("token_hash")?,
                    created_at: r.try_get("created_at")?,
                    last_seen_at: r.try_get("last_seen_at")?,
                    ip: r.try_get("ip")?,
                    user_agent: r.try_get("user_agent")?,
                })
            })
            .collect()
    }

    async fn end_session_by_id(
        &self,
        person: PersonId,
        id: Uuid,
        event: &AuditEvent,
    ) -> Result<bool> {
        let mut tx = self.pool.begin_with(BEGIN).await?;
        let done = sqlx::query("DELETE FROM sessions WHERE person_id = $1 AND id = $2")
            .bind(person.0)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        insert_event(&mut tx, event).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn password_history(&self, person: PersonId, n: usize) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar("SELECT password_hash FROM password_history WHERE person_id = $1 ORDER BY set_at DESC LIMIT $2")
        .bind(person.0)
        .bind(n as i64)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn issue_one_time_password(
        &self,
        person: PersonId,
        hash: &str,
        expires_at: Timestamp,
        event: &AuditEvent,
    ) -> Result<()> {
        let mut tx = self.pool.begin_with(BEGIN).await?;
        let done = sqlx::query(
        "UPDATE people SET password_hash = $2, must_change_password = TRUE, otp_expires_at = $3, otp_used_at = NULL, \
         failed_sign_ins = 0, locked_until = NULL, identity_check_failures = 0 WHERE id = $1 AND status = 'active'",
    )
    .bind(person.0)
    .bind(hash)
    .bind(expires_at)
    .execute(&mut *tx)
    .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("person"));
        }
        sqlx::query("DELETE FROM sessions WHERE person_id = $1")
            .bind(person.0)
            .execute(&mut *tx)
            .await?;
        insert_event(&mut tx, event).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn set_security_answers(
        &self,
        person: PersonId,
        answers: &[(String, String)],
        event: &AuditEvent,
    ) -> Result<()> {
        let mut tx = self.pool.begin_with(BEGIN).await?;
        sqlx::query("DELETE FROM security_answers WHERE person_id = $1")
            .bind(person.0)
            .execute(&mut *tx)
            .await?;
        let at = now();
        for (i, (q, hash)) in answers.iter().enumerate() {
            sqlx::query("INSERT INTO security_answers (person_id, position, question, answer_hash, set_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(person.0)
            .bind(i as i64)
            .bind(q)
            .bind(hash)
            .bind(at)
            .execute(&mut *tx)
            .await?;
        }
        insert_event(&mut tx, event).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn security_answers(&self, person: PersonId) -> Result<Vec<(String, String)>> {
        Ok(sqlx::query_as("SELECT question, answer_hash FROM security_answers WHERE person_id = $1 ORDER BY position")
        .bind(person.0)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn record_identity_check(
        &self,
        person: PersonId,
        passed: bool,
        event: &AuditEvent,
    ) -> Result<i64> {
        let mut tx = self.pool.begin_with(BEGIN).await?;
        let failures: i64 = sqlx::query_scalar(
        "UPDATE people SET identity_check_failures = CASE WHEN $2 THEN 0 ELSE identity_check_failures + 1 END \
         WHERE id = $1 RETURNING identity_check_failures",
    )
    .bind(person.0)
    .bind(passed)
    .fetch_one(&mut *tx)
    .await?;
        insert_event(&mut tx, event).await?;
        tx.commit().await?;
        Ok(failures)
    }

    async fn clear_identity_lock(&self, person: PersonId, event: &AuditEvent) -> Result<()> {
        let mut tx = self.pool.begin_with(BEGIN).await?;
        sqlx::query("UPDATE people SET identity_check_failures = 0 WHERE id = $1")
            .bind(person.0)
            .execute(&mut *tx)
            .await?;
        insert_event(&mut tx, event).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn mfa_secret(&self, person: PersonId) -> Result<Option<(String, Option<i64>)>> {
        let row: Option<(Option<String>, Option<i64>)> =
        sqlx::query_as("SELECT totp_secret, totp_last_step FROM people WHERE id = $1 AND totp_enabled_at IS NOT NULL")
            .bind(person.0)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.and_then(|(s, step)| s.map(|s| (s, step))))
    }

    async fn enable_mfa(
        &self,
        person: PersonId,
        secret: &str,
        codes: &[String],
        first_step: i64,
        event: &AuditEvent,
    ) -> Result<()> {
        let mut tx = self.pool.begin_with(BEGIN).await?;
        sqlx::query("UPDATE people SET totp_secret = $2, totp_enabled_at = $3, totp_last_step = $4 WHERE id = $1")
        .bind(person.0)
        .bind(secret)
        .bind(now())
        .bind(first_step)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM recovery_codes WHERE person_id = $1")
            .bind(person.0)
            .execute(&mut *tx)
            .await?;
        for c in codes {
            sqlx::query("INSERT INTO recovery_codes (person_id, code_hash) VALUES ($1, $2)")
                .bind(person.0)
                .bind(c)
                .execute(&mut *tx)
                .await?;
        }
        insert_event(&mut tx, event).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn use_mfa_step(&self, person: PersonId, step: i64) -> Result<bool> {
        let done = sqlx::query(
        "UPDATE people SET totp_last_step = $2 WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)",
    )
    .bind(person.0)
    .bind(step)
    .execute(&self.pool)
    .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn use_recovery_code(
        &self,
        person: PersonId,
        code_hash: &str,
        at: Timestamp,
    ) -> Result<bool> {
        let done = sqlx::query("UPDATE recovery_codes SET used_at = $3 WHERE person_id = $1 AND code_hash = $2 AND used_at IS NULL")
        .bind(person.0)
        .bind(code_hash)
        .bind(at)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn recovery_codes_left(&self, person: PersonId) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM recovery_codes WHERE person_id = $1 AND used_at IS NULL",
        )
        .bind(person.0)
        .fetch_one(&self.pool)
        .await?)
    }

    async fn create_api_token(
        &self,
        token: &ApiToken,
        token_hash: &str,
        event: &AuditEvent,
    ) -> Result<()> {
        let mut tx = self.pool.begin_with(BEGIN).await?;
        sqlx::query(
        "INSERT INTO api_tokens (id, person_id, practice_id, name, permissions, token_hash, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(token.id)
    .bind(token.person_id.0)
    .bind(token.practice_id.0)
    .bind(&token.name)
    .bind(token.permissions.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(","))
    .bind(token_hash)
    .bind(token.created_at)
    .bind(token.expires_at)
    .execute(&mut *tx)
    .await?;
        insert_event(&mut tx, event).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn use_api_token(&self, token_hash: &str, at: Timestamp) -> Result<Option<ApiToken>> {
        let mut tx = self.pool.begin_with(BEGIN).await?;
        let before: Option<Option<Timestamp>> =
            sqlx::query_scalar("SELECT last_used_at FROM api_tokens WHERE token_hash = $1")
                .bind(token_hash)
                .fetch_optional(&mut *tx)
                .await?;
        let row = sqlx::query(
        "UPDATE api_tokens SET last_used_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > $2 \
         AND person_id IN (SELECT id FROM people WHERE status = 'active') \
         RETURNING id, person_id, practice_id, name, permissions, created_at, expires_at, revoked_at, last_used_at",
    )
    .bind(token_hash)
    .bind(at)
    .fetch_optional(&mut *tx)
    .await?;
        tx.commit().await?;
        let mut token = row.as_ref().map(token_from).transpose()?;
        // Say when it was used before this request.
        if let Some(t) = token.as_mut() {
            t.last_used_at = before.flatten();
        }
        Ok(token)
    }

    async fn api_tokens_of(&self, person: PersonId) -> Result<Vec<ApiToken>> {
        let rows = sqlx::query(
        "SELECT id, person_id, practice_id, name, permissions, created_at, expires_at, revoked_at, last_used_at \
         FROM api_tokens WHERE person_id = $1 ORDER BY created_at DESC",
    )
    .bind(person.0)
    .fetch_all(&self.pool)
    .await?;
        rows.iter().map(token_from).collect()
    }

    async fn revoke_api_token(
        &self,
        person: PersonId,
        id: Uuid,
        event: &AuditEvent,
    ) -> Result<bool> {
        let mut tx = self.pool.begin_with(BEGIN).await?;
        let done = sqlx::query("UPDATE api_tokens SET revoked_at = $3 WHERE person_id = $1 AND id = $2 AND revoked_at IS NULL")
        .bind(person.0)
        .bind(id)
        .bind(now())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        insert_event(&mut tx, event).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn systems(&self, practice: PracticeId) -> Result<Vec<PracticeSystem>> {
        let rows: Vec<(Uuid, String)> = sqlx::query_as(
            "SELECT id, name FROM practice_systems WHERE practice_id = $1 ORDER BY name",
        )
        .bind(practice.0)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, name)| PracticeSystem { id, name })
            .collect())
    }

    async fn add_system(
        &self,
        practice: PracticeId,
        name: &str,
        by: &AuditMeta,
    ) -> Result<PracticeSystem> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(custodian_domain::Invalid::one(
                "name",
                "Enter the system's name (100 characters or fewer)",
            )
            .into());
        }
        let id = Uuid::now_v7();
        let mut tx = self.pool.begin_with(BEGIN).await?;
        sqlx::query("INSERT INTO practice_systems (id, practice_id, name, created_at) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(practice.0)
        .bind(name)
        .bind(now())
        .execute(&mut *tx)
        .await
        .map_err(|e| conflict(e, &[("practice_systems", "name", "The practice already has a system with this name"), ("name", "name", "The practice already has a system with this name")]))?;
        let event = by
            .event(
                Some(practice),
                "system.create",
                "practice_system",
                Some(id.to_string()),
            )
            .details(serde_json::json!({ "name": { "new": name } }));
        insert_event(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(PracticeSystem {
            id,
            name: name.to_string(),
        })
    }

    async fn create_access_request(
        &self,
        practice: PracticeId,
        person: Option<PersonId>,
        r: &ValidAccessRequest,
        by: &AuditMeta,
    ) -> Result<AccessRequest> {
        let requested_by = by.actor_id.ok_or(StoreError::NotFound("requester"))?;
        let kind = if person.is_some() { "mover" } else { "starter" };
        let mut tx = self.pool.begin_with(BEGIN).await?;
        // Every system named must be this practice's; the line manager must be on its staff.
        let known: Vec<Uuid> =
            sqlx::query_scalar("SELECT id FROM practice_systems WHERE practice_id = $1")
                .bind(practice.0)
                .fetch_all(&mut *tx)
                .await?;
        if let Some(s) = r.systems.iter().find(|s| !known.contains(s)) {
            return Err(custodian_domain::Invalid::one(
                "systems",
                format!("System {s} is not one of this practice's systems"),
            )
            .into());
        }
        if let Some(lm) = r.line_manager_id {
            let ok: Option<Uuid> = sqlx::query_scalar("SELECT person_id FROM practice_members WHERE practice_id = $1 AND person_id = $2 AND left_at IS NULL")
            .bind(practice.0)
            .bind(lm.0)
            .fetch_optional(&mut *tx)
            .await?;
            if ok.is_none() {
                return Err(custodian_domain::Invalid::one(
                    "line_manager_id",
                    "The line manager must be on this practice's staff",
                )
                .into());
            }
        }
        if person.is_none() {
            let taken: Option<Uuid> = sqlx::query_scalar(
                "SELECT id FROM people WHERE username = $1 OR ($2 IS NOT NULL AND email = $2)",
            )
            .bind(&r.person.username)
            .bind(&r.person.email)
            .fetch_optional(&mut *tx)
            .await?;
            if taken.is_some() {
                return Err(StoreError::Conflict {
                    field: "username",
                    message: "Someone already has this username or email address".into(),
                });
            }
        }
        let at = now();
        let year = chrono::Datelike::year(&custodian_domain::identity::london_today(at));
        let prefix = if kind == "starter" { "STR" } else { "MOV" };
        let count: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM access_requests WHERE practice_id = $1 AND reference LIKE $2",
        )
        .bind(practice.0)
        .bind(format!("{prefix}-{year}-%"))
        .fetch_one(&mut *tx)
        .await?;
        let reference = custodian_domain::identity::reference(prefix, year, count + 1);
        let id = Uuid::now_v7();
        sqlx::query(
        "INSERT INTO access_requests (id, reference, practice_id, kind, person_id, full_name, username, email, job_title, \
         roles, systems, start_date, line_manager_id, requested_by, requested_at, status) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 'pending')",
    )
    .bind(id)
    .bind(&reference)
    .bind(practice.0)
    .bind(kind)
    .bind(person.map(|p| p.0))
    .bind(&r.person.full_name)
    .bind(&r.person.username)
    .bind(&r.person.email)
    .bind(&r.job_title)
    .bind(r.roles.iter().map(|x| x.as_str()).collect::<Vec<_>>().join(","))
    .bind(r.systems.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(","))
    .bind(r.start_date)
    .bind(r.line_manager_id.map(|p| p.0))
    .bind(requested_by.0)
    .bind(at)
    .execute(&mut *tx)
    .await?;
        let event = by.event(Some(practice), &format!("{kind}.request"), "access_request", Some(id.to_string())).details(serde_json::json!({
        "reference": reference, "full_name": r.person.full_name, "username": r.person.username, "job_title": r.job_title,
        "roles": r.roles.iter().map(|x| x.as_str()).collect::<Vec<_>>(), "start_date": r.start_date.to_string(),
        "systems": r.systems.len(),
    }));
        insert_event(&mut tx, &event).await?;
        let row = sqlx::query(&format!("SELECT {REQUEST_COLUMNS} FROM access_requests r JOIN people p ON p.id = r.requested_by WHERE r.id = $1"))
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        let out = request_from(&row)?;
        tx.commit().await?;
        Ok(out)
    }

    async fn access_request(
        &self,
        practice: PracticeId,
        id: Uuid,
    ) -> Result<Option<AccessRequest>> {
        let row = sqlx::query(&format!(
        "SELECT {REQUEST_COLUMNS} FROM access_requests r JOIN people p ON p.id = r.requested_by WHERE r.practice_id = $1 AND r.id = $2"
    ))
    .bind(practice.0)
    .bind(id)
    .fetch_optional(&self.pool)
    .await?;
        row.as_ref().map(request_from).transpose()
    }

    async fn access_requests(
        &self,
        practice: PracticeId,
        pending_only: bool,
    ) -> Result<Vec<AccessRequest>> {
        let rows = sqlx::query(&format!(
        "SELECT {REQUEST_COLUMNS} FROM access_requests r JOIN people p ON p.id = r.requested_by \
         WHERE r.practice_id = $1 AND ($2 = FALSE OR r.status = 'pending') ORDER BY r.requested_at DESC LIMIT 500"
    ))
    .bind(practice.0)
    .bind(pending_only)
    .fetch_all(&self.pool)
    .await?;
        rows.iter().map(request_from).collect()
    }

    async fn approve_access_request(
        &self,
        practice: PracticeId,
        id: Uuid,
        reason: &str,
        otp: Option<(&str, Timestamp)>,
        not_before: Option<chrono::NaiveDate>,
        by: &AuditMeta,
    ) -> Result<AccessRequest> {
        let approver = by.actor_id.ok_or(StoreError::NotFound("approver"))?;
        let mut tx = self.pool.begin_with(BEGIN).await?;
        let row = sqlx::query(&format!(
        "SELECT {REQUEST_COLUMNS} FROM access_requests r JOIN people p ON p.id = r.requested_by WHERE r.practice_id = $1 AND r.id = $2"
    ))
    .bind(practice.0)
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
        let Some(row) = row else {
            return Err(StoreError::NotFound("request"));
        };
        let req = request_from(&row)?;
        if req.status != "pending" {
            return Err(custodian_domain::Invalid::one(
                "decision",
                format!("This request was already {}", req.status),
            )
            .into());
        }
        custodian_domain::identity::may_decide(approver, req.requested_by)?;
        let at = now();
        let roles_csv = req
            .roles
            .iter()
            .map(|x| x.as_str())
            .collect::<Vec<_>>()
            .join(",");
        let person = match req.person_id {
            None => {
                let (hash, expires) = otp.ok_or(StoreError::NotFound("one-time password"))?;
                let person = PersonId::new();
                sqlx::query(
                "INSERT INTO people (id, username, email, full_name, sort_key, status, password_hash, must_change_password, \
                 password_changed_at, created_at, otp_expires_at, not_before) \
                 VALUES ($1, $2, $3, $4, $5, 'active', $6, TRUE, $7, $7, $8, $9)",
            )
            .bind(person.0)
            .bind(&req.username)
            .bind(&req.email)
            .bind(&req.full_name)
            .bind(sort_key(&req.full_name))
            .bind(hash)
            .bind(at)
            .bind(expires)
            .bind(not_before)
            .execute(&mut *tx)
            .await
            .map_err(|e| conflict(e, &[("username", "username", "Someone already has this username"), ("email", "email", "Someone already has this email address")]))?;
                // A starter joins the practice on their start date.
                sqlx::query("INSERT INTO practice_members (practice_id, person_id, job_title, sort_key, joined_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(practice.0)
                .bind(person.0)
                .bind(&req.job_title)
                .bind(sort_key(&req.full_name))
                .bind(custodian_domain::identity::start_of_day(req.start_date))
                .execute(&mut *tx)
                .await?;
                let create = by.event(Some(practice), "person.create", "person", Some(person.to_string())).details(serde_json::json!({
                "username": { "new": req.username }, "full_name": { "new": req.full_name }, "job_title": { "new": req.job_title },
                "roles": { "new": roles_csv }, "password": "one-time password issued", "request": req.reference,
            }));
                insert_event(&mut tx, &create).await?;
                person
            }
            Some(person) => {
                let old: Vec<String> = sqlx::query_scalar("SELECT role FROM practice_roles WHERE practice_id = $1 AND person_id = $2 ORDER BY role")
                .bind(practice.0)
                .bind(person.0)
                .fetch_all(&mut *tx)
                .await?;
                if old.iter().any(|r| r == "system_administrator")
                    && !req.roles.contains(&PracticeRole::SystemAdministrator)
                {
                    // A nominated administrator keeps that role until the nomination ends.
                }
                sqlx::query("DELETE FROM practice_roles WHERE practice_id = $1 AND person_id = $2 AND role <> 'system_administrator'")
                .bind(practice.0)
                .bind(person.0)
                .execute(&mut *tx)
                .await?;
                sqlx::query("UPDATE practice_members SET job_title = $3 WHERE practice_id = $1 AND person_id = $2")
                .bind(practice.0)
                .bind(person.0)
                .bind(&req.job_title)
                .execute(&mut *tx)
                .await?;
                let change = by.event(Some(practice), "member.roles_change", "person", Some(person.to_string())).details(serde_json::json!({
                "roles": { "old": old.join(","), "new": roles_csv }, "job_title": { "new": req.job_title }, "request": req.reference,
            }));
                insert_event(&mut tx, &change).await?;
                person
            }
        };
        for role in &req.roles {
            sqlx::query("INSERT INTO practice_roles (practice_id, person_id, role, granted_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING")
            .bind(practice.0)
            .bind(person.0)
            .bind(role.as_str())
            .bind(at)
            .execute(&mut *tx)
            .await?;
        }
        // Systems: a task to create each login needed and not held; a task to remove each
        // login held and no longer needed.
        let held: Vec<Uuid> = sqlx::query_scalar(
        "SELECT g.system_id FROM access_grants g WHERE g.practice_id = $1 AND g.person_id = $2 AND g.action = 'create' \
         AND NOT EXISTS (SELECT 1 FROM access_grants r WHERE r.practice_id = g.practice_id AND r.person_id = g.person_id \
           AND r.system_id = g.system_id AND r.action = 'remove' AND r.opened_at >= g.opened_at)",
    )
    .bind(practice.0)
    .bind(person.0)
    .fetch_all(&mut *tx)
    .await?;
        let why = format!(
            "{} {}",
            req.reference,
            if req.kind == "starter" {
                "new starter"
            } else {
                "change of role"
            }
        );
        for s in req.systems.iter().filter(|s| !held.contains(s)) {
            open_grant(&mut *tx, practice, person, *s, "create", &why).await?;
        }
        for s in held.iter().filter(|s| !req.systems.contains(s)) {
            open_grant(&mut *tx, practice, person, *s, "remove", &why).await?;
        }
        sqlx::query(
        "UPDATE access_requests SET status = 'approved', decided_by = $2, decided_at = $3, decision_reason = $4, person_id = $5 WHERE id = $1",
    )
    .bind(id)
    .bind(approver.0)
    .bind(at)
    .bind(reason)
    .bind(person.0)
    .execute(&mut *tx)
    .await?;
        let event = by.event(Some(practice), &format!("{}.approve", req.kind), "access_request", Some(id.to_string()))
        .details(serde_json::json!({ "reference": req.reference, "reason": reason, "person_id": person.to_string() }));
        insert_event(&mut tx, &event).await?;
        let row = sqlx::query(&format!("SELECT {REQUEST_COLUMNS} FROM access_requests r JOIN people p ON p.id = r.requested_by WHERE r.id = $1"))
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        let out = request_from(&row)?;
        tx.commit().await?;
        Ok(out)
    }

    async fn reject_access_request(
        &self,
        practice: PracticeId,
        id: Uuid,
        reason: &str,
        by: &AuditMeta,
    ) -> Result<AccessRequest> {
        let approver = by.actor_id.ok_or(StoreError::NotFound("approver"))?;
        if reason.trim().is_empty() {
            return Err(custodian_domain::Invalid::one(
                "reason",
                "Give the reason for rejecting the request",
            )
            .into());
        }
        let mut tx = self.pool.begin_with(BEGIN).await?;
        let Some(req) = sqlx::query(&format!(
        "SELECT {REQUEST_COLUMNS} FROM access_requests r JOIN people p ON p.id = r.requested_by WHERE r.practice_id = $1 AND r.id = $2"
    ))
    .bind(practice.0)
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?
    .as_ref()
    .map(request_from)
    .transpose()?
    else {
        return Err(StoreError::NotFound("request"));
    };
        if req.status != "pending" {
            return Err(custodian_domain::Invalid::one(
                "decision",
                format!("This request was already {}", req.status),
            )
            .into());
        }
        custodian_domain::identity::may_decide(approver, req.requested_by)?;
        sqlx::query("UPDATE access_requests SET status = 'rejected', decided_by = $2, decided_at = $3, decision_reason = $4 WHERE id = $1")
        .bind(id)
        .bind(approver.0)
        .bind(now())
        .bind(reason.trim())
        .execute(&mut *tx)
        .await?;
        let event = by
            .event(
                Some(practice),
                &format!("{}.reject", req.kind),
                "access_request",
                Some(id.to_string()),
            )
            .details(serde_json::json!({ "reference": req.reference, "reason": reason.trim() }));
        insert_event(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(AccessRequest {
            status: "rejected".into(),
            decided_by: Some(approver),
            decision_reason: Some(reason.trim().to_string()),
            ..req
        })
    }

    async fn access_grants(
        &self,
        practice: PracticeId,
        open_only: bool,
    ) -> Result<Vec<AccessGrant>> {
        let rows = sqlx::query(&format!(
        "SELECT {GRANT_COLUMNS} {GRANT_FROM} WHERE g.practice_id = $1 AND ($2 = FALSE OR g.status = 'open') \
         ORDER BY g.status DESC, g.opened_at DESC LIMIT 1000"
    ))
    .bind(practice.0)
    .bind(open_only)
    .fetch_all(&self.pool)
    .await?;
        rows.iter().map(grant_from).collect()
    }

    async fn complete_access_grant(
        &self,
        practice: PracticeId,
        id: Uuid,
        note: &str,
        by: &AuditMeta,
    ) -> Result<AccessGrant> {
        let actor = by.actor_id.ok_or(StoreError::NotFound("actor"))?;
        let mut tx = self.pool.begin_with(BEGIN).await?;
        let done = sqlx::query(
        "UPDATE access_grants SET status = 'done', done_by = $3, done_at = $4, note = $5 WHERE practice_id = $1 AND id = $2 AND status = 'open'",
    )
    .bind(practice.0)
    .bind(id)
    .bind(actor.0)
    .bind(now())
    .bind(note.trim())
    .execute(&mut *tx)
    .await?;
        let row = sqlx::query(&format!(
            "SELECT {GRANT_COLUMNS} {GRANT_FROM} WHERE g.practice_id = $1 AND g.id = $2"
        ))
        .bind(practice.0)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Err(StoreError::NotFound("grant"));
        };
        let grant = grant_from(&row)?;
        if done.rows_affected() == 0 {
            return Err(
                custodian_domain::Invalid::one("grant", "This task is already done").into(),
            );
        }
        let event = by.event(Some(practice), "access_grant.done", "access_grant", Some(id.to_string())).details(serde_json::json!({
        "action": grant.action, "system": grant.system_name, "person_id": grant.person_id.to_string(), "note": note.trim(),
    }));
        insert_event(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(grant)
    }

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
        id: Uuid,
        by: &AuditMeta,
    ) -> Result<Leaver> {
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
        let row = sqlx::query(&format!(
            "SELECT {LEAVER_COLUMNS} WHERE l.practice_id = $1 AND l.id = $2"
        ))
        .bind(practice.0)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Err(StoreError::NotFound("leaver"));
        };
        let leaver = leaver_from(&row)?;
        if done.rows_affected() == 0 {
            return Err(custodian_domain::Invalid::one(
                "leaver",
                format!(
                    "This leaver is already {}: it cannot be cancelled",
                    leaver.status
                ),
            )
            .into());
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

    async fn process_leaver(&self, id: Uuid, by: &AuditMeta) -> Result<Option<LeaverOutcome>> {
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
        // Logins in other systems: close unstarted creations, open a removal for each held.
        sqlx::query(
        "UPDATE access_grants SET status = 'done', done_at = $3, note = 'Not needed: the person left before it was done' \
         WHERE practice_id = $1 AND person_id = $2 AND action = 'create' AND status = 'open'",
    )
    .bind(practice.0)
    .bind(person.0)
    .bind(at)
    .execute(&mut *tx)
    .await?;
        let held: Vec<Uuid> = sqlx::query_scalar(
        "SELECT DISTINCT g.system_id FROM access_grants g WHERE g.practice_id = $1 AND g.person_id = $2 AND g.action = 'create' \
         AND g.note IS DISTINCT FROM 'Not needed: the person left before it was done' \
         AND NOT EXISTS (SELECT 1 FROM access_grants r WHERE r.practice_id = g.practice_id AND r.person_id = g.person_id \
           AND r.system_id = g.system_id AND r.action = 'remove' AND r.opened_at >= g.opened_at)",
    )
    .bind(practice.0)
    .bind(person.0)
    .fetch_all(&mut *tx)
    .await?;
        for s in &held {
            open_grant(
                &mut *tx,
                practice,
                person,
                *s,
                "remove",
                "Leaver: exit date reached",
            )
            .await?;
        }
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
        let remaining: i64 = sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM practice_members WHERE person_id = $1 AND left_at IS NULL) + \
                (SELECT COUNT(*) FROM provider_roles WHERE person_id = $1)",
    )
    .bind(person.0)
    .fetch_one(&mut *tx)
    .await?;
        let deactivated = remaining == 0;
        if deactivated {
            sqlx::query(
                "UPDATE people SET status = 'deactivated', deactivated_at = $2 WHERE id = $1",
            )
            .bind(person.0)
            .bind(at)
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM sessions WHERE person_id = $1")
                .bind(person.0)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "UPDATE api_tokens SET revoked_at = $2 WHERE person_id = $1 AND revoked_at IS NULL",
            )
            .bind(person.0)
            .bind(at)
            .execute(&mut *tx)
            .await?;
        }
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
        if reason.trim().is_empty() {
            return Err(custodian_domain::Invalid::one(
                "reason",
                "Give the reason this person needs administrator access",
            )
            .into());
        }
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
