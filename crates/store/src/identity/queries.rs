//! Identity and access: settings, starters and movers, leavers, resets, administrators, API tokens.
//!
//! Compiled once for each backend (`crates/store/src/sqlite.rs` and `postgres.rs` include it with
//! `#[path]`), written against the backend's `ThisStore`, `DbRow` and `BEGIN`: both databases
//! accept the same SQL, so the text is shared; the schema differences live in the migrations.

use async_trait::async_trait;
use custodian_domain::{PersonId, PracticeId};
use sqlx::Row as _;
use uuid::Uuid;

use super::*;

// The rest of identity's queries, beside this file.
#[path = "leaver_queries.rs"]
mod leavers;
#[path = "starter_queries.rs"]
mod starters;
use crate::queries::{HasDb, now, roles_from_csv};
use crate::*;
use custodian_domain::{ApiTokenId, SessionId, SystemId};

use custodian_domain::settings::PracticeSettings;

pub(super) fn csv_uuids<T: From<Uuid>>(csv: &str) -> Result<Vec<T>> {
    csv.split(',')
        .filter(|s| !s.is_empty())
        .map(|s| {
            Uuid::parse_str(s)
                .map(T::from)
                .map_err(|e| StoreError::Corrupt(e.to_string()))
        })
        .collect()
}

/// A practice's (`$1`) starter and mover requests.
pub(super) const REQUEST_QUERY: &str = "SELECT r.id, r.reference, r.practice_id, r.kind, r.person_id, r.full_name, r.username, r.email, \
     r.job_title, r.roles, r.systems, r.start_date, r.line_manager_id, r.requested_by, r.requested_at, r.status, \
     r.decided_by, r.decided_at, r.decision_reason, p.full_name AS requested_by_name \
     FROM access_requests r JOIN people p ON p.id = r.requested_by WHERE r.practice_id = $1";

pub(super) fn request_from(row: &DbRow) -> Result<AccessRequest> {
    let roles: String = row.try_get("roles")?;
    let systems: String = row.try_get("systems")?;
    Ok(AccessRequest {
        id: row.try_get::<Uuid, _>("id")?.into(),
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
        status: status_of(row, custodian_domain::identity::RequestStatus::parse)?,
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
        id: row.try_get::<Uuid, _>("id")?.into(),
        practice_id: PracticeId(row.try_get("practice_id")?),
        person_id: PersonId(row.try_get("person_id")?),
        person_name: row.try_get("person_name")?,
        system_id: row.try_get::<Uuid, _>("system_id")?.into(),
        system_name: row.try_get("system_name")?,
        action: row.try_get("action")?,
        status: status_of(row, custodian_domain::identity::GrantStatus::parse)?,
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
        id: row.try_get::<Uuid, _>("id")?.into(),
        practice_id: PracticeId(row.try_get("practice_id")?),
        person_id: PersonId(row.try_get("person_id")?),
        person_name: row.try_get("person_name")?,
        exit_date: row.try_get("exit_date")?,
        reason: row.try_get("reason")?,
        recorded_by: PersonId(row.try_get("recorded_by")?),
        recorded_at: row.try_get("recorded_at")?,
        status: status_of(row, custodian_domain::identity::LeaverStatus::parse)?,
        processed_at: row.try_get("processed_at")?,
    })
}

pub(super) const NOMINATION_QUERY: &str = "SELECT n.id, n.practice_id, n.person_id, p.full_name AS person_name, n.nominated_by, \
     b.full_name AS nominated_by_name, n.reason, n.nominated_at, p.totp_enabled_at IS NOT NULL AS mfa_enrolled, \
     p.last_sign_in_at FROM administrator_nominations n JOIN people p ON p.id = n.person_id \
     JOIN people b ON b.id = n.nominated_by WHERE n.practice_id = $1 AND n.ended_at IS NULL";

pub(super) fn nomination_from(row: &DbRow) -> Result<AdministratorNomination> {
    Ok(AdministratorNomination {
        id: row.try_get::<Uuid, _>("id")?.into(),
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
        id: row.try_get::<Uuid, _>("id")?.into(),
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
    system: SystemId,
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
    .bind(system.0)
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
            Some(t) => PracticeSettings::from_stored(&t)
                .map_err(|e| StoreError::Corrupt(format!("settings: {e}"))),
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
        let changes = crate::queries::changed_fields(&old, settings);
        self.write_recorded(
            sqlx::query(
                "INSERT INTO practice_settings (practice_id, settings, updated_at, from_provider) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (practice_id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at, \
                 from_provider = excluded.from_provider",
            )
            .bind(practice.0)
            .bind(serde_json::to_string(settings).expect("settings serialise"))
            .bind(now())
            .bind(false),
            &by.event(Some(practice), "settings.update", "practice_settings", Some(practice.to_string()))
                .details(changes.into()),
        )
        .await?;
        Ok(())
    }

    async fn provider_defaults(&self) -> Result<PracticeSettings> {
        let text: Option<Option<String>> =
            sqlx::query_scalar("SELECT default_settings FROM provider WHERE id = 1")
                .fetch_optional(&self.pool)
                .await?;
        match text.flatten() {
            None => Ok(PracticeSettings::default()),
            Some(t) => PracticeSettings::from_stored(&t)
                .map_err(|e| StoreError::Corrupt(format!("provider defaults: {e}"))),
        }
    }

    async fn set_provider_defaults(
        &self,
        settings: &PracticeSettings,
        by: &AuditMeta,
    ) -> Result<()> {
        settings.validate()?;
        let old = self.provider_defaults().await?;
        let changes = crate::queries::changed_fields(&old, settings);
        self.write_recorded(
            sqlx::query(
                "INSERT INTO provider (id, name, created_at, default_settings) VALUES (1, 'The provider', $2, $1) \
                 ON CONFLICT (id) DO UPDATE SET default_settings = excluded.default_settings",
            )
            .bind(serde_json::to_string(settings).expect("settings serialise"))
            .bind(now()),
            &by.event(None, "provider.defaults_update", "provider", None)
                .details(changes.into()),
        )
        .await?;
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
        self.write_recorded(
            sqlx::query("UPDATE people SET failed_sign_ins = 0, locked_until = NULL WHERE id = $1")
                .bind(person.0),
            event,
        )
        .await?;
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
                    id: r.try_get::<Uuid, _>("id")?.into(),
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
        id: SessionId,
        event: &AuditEvent,
    ) -> Result<bool> {
        let id = id.0;
        self.write_recorded(
            sqlx::query("DELETE FROM sessions WHERE person_id = $1 AND id = $2")
                .bind(person.0)
                .bind(id),
            event,
        )
        .await
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
        self.write_recorded(
            sqlx::query("UPDATE people SET identity_check_failures = 0 WHERE id = $1")
                .bind(person.0),
            event,
        )
        .await?;
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
        self.write_recorded(
            sqlx::query(
                "INSERT INTO api_tokens (id, person_id, practice_id, name, permissions, token_hash, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(token.id.0)
            .bind(token.person_id.0)
            .bind(token.practice_id.0)
            .bind(&token.name)
            .bind(token.permissions.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(","))
            .bind(token_hash)
            .bind(token.created_at)
            .bind(token.expires_at),
            event,
        )
        .await?;
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
        id: ApiTokenId,
        event: &AuditEvent,
    ) -> Result<bool> {
        let id = id.0;
        self.write_recorded(
            sqlx::query("UPDATE api_tokens SET revoked_at = $3 WHERE person_id = $1 AND id = $2 AND revoked_at IS NULL")
                .bind(person.0)
                .bind(id)
                .bind(now()),
            event,
        )
        .await
    }
}
