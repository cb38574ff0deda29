//! The provider, its practices and people, memberships, credentials, sessions, and appending audit events: the `Store` itself.
//!
//! Compiled once for each backend (`crates/store/src/sqlite.rs` and `postgres.rs` include it with
//! `#[path]`), written against the backend's `ThisStore`, `DbRow` and `BEGIN`: both databases
//! accept the same SQL, so the text is shared; the schema differences live in the migrations.

use async_trait::async_trait;
use custodian_domain::{
    AccountStatus, Cursor, Page, PageRequest, Person, PersonId, Practice, PracticeId,
    PracticeMember, PracticeRole, ProviderRole, people::ValidPerson, practice::ValidPractice,
};
use sqlx::Row as _;
use uuid::Uuid;

use super::*;
use crate::error::conflict;
use crate::queries::{now, roles_from_csv, sort_key};
use crate::*;
use custodian_domain::validation::required_text;

pub(super) fn practice_from(row: &DbRow) -> Result<Practice> {
    Ok(Practice {
        id: PracticeId(row.try_get("id")?),
        name: row.try_get("name")?,
        ods_code: row.try_get("ods_code")?,
        created_at: row.try_get("created_at")?,
    })
}

pub(super) const PERSON_COLUMNS: &str = concat!(
    "p.id, p.username, p.email, p.phone, p.full_name, p.status, p.created_at, ",
    "(SELECT string_agg(pr.role, ',') FROM provider_roles pr WHERE pr.person_id = p.id) AS provider_roles"
);

pub(super) fn person_from(row: &DbRow) -> Result<Person> {
    let status: String = row.try_get("status")?;
    Ok(Person {
        id: PersonId(row.try_get("id")?),
        username: row.try_get("username")?,
        email: row.try_get("email")?,
        phone: row.try_get("phone")?,
        full_name: row.try_get("full_name")?,
        status: AccountStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("status {status}")))?,
        provider_roles: {
            let mut r: Vec<ProviderRole> = roles_from_csv(row.try_get("provider_roles")?)?;
            r.sort();
            r
        },
        created_at: row.try_get("created_at")?,
    })
}

pub(super) const MEMBER_QUERY: &str = concat!(
    "SELECT p.id, p.username, p.email, p.phone, p.full_name, p.status, p.created_at, ",
    "(SELECT string_agg(pr.role, ',') FROM provider_roles pr WHERE pr.person_id = p.id) AS provider_roles, ",
    "m.practice_id, m.job_title, m.sort_key, m.joined_at, m.left_at, ",
    "(SELECT string_agg(r.role, ',') FROM practice_roles r WHERE r.practice_id = m.practice_id AND r.person_id = m.person_id) AS roles ",
    "FROM practice_members m JOIN people p ON p.id = m.person_id WHERE m.practice_id = $1 "
);

pub(super) fn member_from(row: &DbRow) -> Result<PracticeMember> {
    let mut roles: Vec<PracticeRole> = roles_from_csv(row.try_get("roles")?)?;
    roles.sort();
    Ok(PracticeMember {
        practice_id: PracticeId(row.try_get("practice_id")?),
        person: person_from(row)?,
        job_title: row.try_get("job_title")?,
        roles,
        joined_at: row.try_get("joined_at")?,
        left_at: row.try_get("left_at")?,
    })
}

pub(super) const EVENT_COLUMNS: &str = "seq, id, occurred_at, practice_id, actor_id, actor, action, object_type, object_id, outcome, \
     details, ip, user_agent, request_id";

pub(super) fn event_from(row: &DbRow) -> Result<StoredEvent> {
    let outcome: String = row.try_get("outcome")?;
    let details: String = row.try_get("details")?;
    Ok(StoredEvent {
        seq: row.try_get("seq")?,
        id: row.try_get("id")?,
        occurred_at: row.try_get("occurred_at")?,
        event: AuditEvent {
            meta: AuditMeta {
                actor_id: row.try_get::<Option<Uuid>, _>("actor_id")?.map(PersonId),
                actor: row.try_get("actor")?,
                ip: row.try_get("ip")?,
                user_agent: row.try_get("user_agent")?,
                request_id: row.try_get("request_id")?,
            },
            practice_id: row
                .try_get::<Option<Uuid>, _>("practice_id")?
                .map(PracticeId),
            action: row.try_get("action")?,
            object_type: row.try_get("object_type")?,
            object_id: row.try_get("object_id")?,
            outcome: Outcome::parse(&outcome)
                .ok_or_else(|| StoreError::Corrupt(format!("outcome {outcome}")))?,
            details: serde_json::from_str(&details).unwrap_or(serde_json::Value::Null),
        },
        details_text: details,
    })
}

#[async_trait]
impl Store for ThisStore {
    fn backend(&self) -> Backend {
        BACKEND
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn applied_migrations(&self) -> Result<Vec<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT version FROM _sqlx_migrations WHERE success ORDER BY version",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    async fn provider_name(&self) -> Result<Option<String>> {
        Ok(sqlx::query_scalar("SELECT name FROM provider WHERE id = 1")
            .fetch_optional(&self.pool)
            .await?)
    }

    async fn set_provider_name(&self, name: &str, by: &AuditMeta) -> Result<()> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(custodian_domain::Invalid::one(
                "name",
                "Enter the provider's name (200 characters or fewer)",
            )
            .into());
        }
        let mut tx = self.pool.begin_with(BEGIN).await?;
        let old: Option<String> = sqlx::query_scalar("SELECT name FROM provider WHERE id = 1")
            .fetch_optional(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO provider (id, name, created_at) VALUES (1, $1, $2) \
             ON CONFLICT (id) DO UPDATE SET name = excluded.name",
        )
        .bind(name)
        .bind(now())
        .execute(&mut *tx)
        .await?;
        let event = by
            .event(None, "provider.rename", "provider", None)
            .details(serde_json::json!({ "name": { "old": old, "new": name } }));
        insert_event(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn create_practice(&self, practice: &ValidPractice, by: &AuditMeta) -> Result<Practice> {
        let mut tx = self.pool.begin_with(BEGIN).await?;
        let created = insert_practice(&mut tx, practice, by).await?;
        tx.commit().await?;
        Ok(created)
    }

    async fn create_practice_with_manager(
        &self,
        practice: &ValidPractice,
        manager: &FirstManagerAccount,
        by: &AuditMeta,
    ) -> Result<(Practice, PracticeMember)> {
        let mut tx = self.pool.begin_with(BEGIN).await?;
        let created = insert_practice_with_manager(&mut tx, practice, manager, by).await?;
        tx.commit().await?;
        Ok(created)
    }

    async fn practice(&self, id: PracticeId) -> Result<Option<Practice>> {
        let row = sqlx::query("SELECT id, name, ods_code, created_at FROM practices WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(practice_from).transpose()
    }

    async fn practice_by_ods(&self, ods_code: &str) -> Result<Option<Practice>> {
        let row =
            sqlx::query("SELECT id, name, ods_code, created_at FROM practices WHERE ods_code = $1")
                .bind(ods_code.trim().to_ascii_uppercase())
                .fetch_optional(&self.pool)
                .await?;
        row.as_ref().map(practice_from).transpose()
    }

    async fn practices(&self, page: &PageRequest) -> Result<Page<Practice>> {
        let (key, id) = page
            .after
            .as_ref()
            .map(|c| (c.key.clone(), c.id))
            .unwrap_or_default();
        let rows = sqlx::query(
            "SELECT id, name, ods_code, created_at, sort_key FROM practices \
             WHERE (sort_key, id) > ($1, $2) ORDER BY sort_key, id LIMIT $3",
        )
        .bind(key)
        .bind(id)
        .bind(i64::from(page.limit) + 1)
        .fetch_all(&self.pool)
        .await?;
        let items = rows.iter().map(practice_from).collect::<Result<Vec<_>>>()?;
        Ok(Page::from_rows(items, page.limit, |p| Cursor {
            key: sort_key(&p.name),
            id: p.id.0,
        }))
    }

    async fn setup_progress(
        &self,
        practice: PracticeId,
    ) -> Result<custodian_domain::practice::SetupProgress> {
        let row = sqlx::query(&format!("SELECT {SETUP_COLUMNS} WHERE p.id = $2"))
            .bind(false)
            .bind(practice.0)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row
            .as_ref()
            .map(setup_from)
            .transpose()?
            .map(|(_, s)| s)
            .unwrap_or_default())
    }

    async fn setup_progress_all(
        &self,
    ) -> Result<std::collections::HashMap<PracticeId, custodian_domain::practice::SetupProgress>>
    {
        let rows = sqlx::query(&format!("SELECT {SETUP_COLUMNS}"))
            .bind(false)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(setup_from).collect()
    }

    async fn memberships(&self, person: PersonId) -> Result<Vec<Membership>> {
        let rows = sqlx::query(concat!(
            "SELECT pr.id, pr.name, pr.ods_code, pr.created_at, ",
            "(SELECT string_agg(r.role, ',') FROM practice_roles r WHERE r.practice_id = m.practice_id AND r.person_id = m.person_id) AS roles ",
            "FROM practice_members m JOIN practices pr ON pr.id = m.practice_id ",
            "WHERE m.person_id = $1 AND m.left_at IS NULL ORDER BY pr.sort_key, pr.id"
        ))
        .bind(person.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let mut roles: Vec<PracticeRole> = roles_from_csv(row.try_get("roles")?)?;
                roles.sort();
                Ok(Membership {
                    practice: practice_from(row)?,
                    roles,
                })
            })
            .collect()
    }

    async fn create_person(&self, account: &NewAccount, by: &AuditMeta) -> Result<Person> {
        let mut tx = self.pool.begin_with(BEGIN).await?;
        let id = insert_person(&mut tx, account, None, by).await?;
        let row = sqlx::query(&format!(
            "SELECT {PERSON_COLUMNS} FROM people p WHERE p.id = $1"
        ))
        .bind(id.0)
        .fetch_one(&mut *tx)
        .await?;
        let person = person_from(&row)?;
        tx.commit().await?;
        Ok(person)
    }

    async fn person(&self, id: PersonId) -> Result<Option<Person>> {
        let row = sqlx::query(&format!(
            "SELECT {PERSON_COLUMNS} FROM people p WHERE p.id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(person_from).transpose()
    }

    async fn add_member(
        &self,
        practice: PracticeId,
        person: PersonId,
        job_title: &str,
        roles: &[PracticeRole],
        by: &AuditMeta,
    ) -> Result<PracticeMember> {
        let mut tx = self.pool.begin_with(BEGIN).await?;
        let member = insert_member(&mut tx, practice, person, job_title, roles, by).await?;
        tx.commit().await?;
        Ok(member)
    }

    async fn member(
        &self,
        practice: PracticeId,
        person: PersonId,
    ) -> Result<Option<PracticeMember>> {
        let row = sqlx::query(&format!("{MEMBER_QUERY} AND m.person_id = $2"))
            .bind(practice.0)
            .bind(person.0)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(member_from).transpose()
    }

    async fn members(
        &self,
        practice: PracticeId,
        page: &PageRequest,
    ) -> Result<Page<PracticeMember>> {
        let (key, id) = page
            .after
            .as_ref()
            .map(|c| (c.key.clone(), c.id))
            .unwrap_or_default();
        let rows = sqlx::query(&format!(
            "{MEMBER_QUERY} AND m.left_at IS NULL AND (m.sort_key, m.person_id) > ($2, $3) ORDER BY m.sort_key, m.person_id LIMIT $4"
        ))
        .bind(practice.0)
        .bind(key)
        .bind(id)
        .bind(i64::from(page.limit) + 1)
        .fetch_all(&self.pool)
        .await?;
        let items = rows.iter().map(member_from).collect::<Result<Vec<_>>>()?;
        Ok(Page::from_rows(items, page.limit, |m| Cursor {
            key: sort_key(&m.person.full_name),
            id: m.person.id.0,
        }))
    }

    async fn roles(
        &self,
        practice: Option<PracticeId>,
        person: PersonId,
    ) -> Result<(Vec<PracticeRole>, Vec<ProviderRole>)> {
        let rows: Vec<(String, bool)> = sqlx::query_as(
            "SELECT role, TRUE FROM practice_roles WHERE practice_id = $1 AND person_id = $2 \
             UNION ALL SELECT role, FALSE FROM provider_roles WHERE person_id = $2",
        )
        .bind(practice.map(|p| p.0))
        .bind(person.0)
        .fetch_all(&self.pool)
        .await?;
        let mut practice_roles = Vec::new();
        let mut provider_roles = Vec::new();
        for (role, in_practice) in rows {
            let bad = || StoreError::Corrupt(format!("unknown role {role}"));
            if in_practice {
                practice_roles.push(role.parse().map_err(|_| bad())?);
            } else {
                provider_roles.push(role.parse().map_err(|_| bad())?);
            }
        }
        Ok((practice_roles, provider_roles))
    }

    async fn count_provider_role(&self, role: ProviderRole) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM provider_roles WHERE role = $1")
                .bind(role.as_str())
                .fetch_one(&self.pool)
                .await?,
        )
    }

    async fn credentials(&self, login: &str) -> Result<Option<Credentials>> {
        let login = login.trim().to_lowercase();
        let row = sqlx::query(
            "SELECT id, username, full_name, status, password_hash, must_change_password, password_changed_at, \
             failed_sign_ins, locked_until, otp_expires_at, otp_used_at, not_before, identity_check_failures, \
             totp_enabled_at IS NOT NULL AS mfa_enrolled, \
             EXISTS (SELECT 1 FROM security_answers s WHERE s.person_id = people.id) AS has_security_answers \
             FROM people WHERE username = $1 OR email = $1",
        )
        .bind(&login)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let status: String = row.try_get("status")?;
        Ok(Some(Credentials {
            person_id: PersonId(row.try_get("id")?),
            username: row.try_get("username")?,
            full_name: row.try_get("full_name")?,
            status: AccountStatus::parse(&status)
                .ok_or_else(|| StoreError::Corrupt(format!("status {status}")))?,
            password_hash: row.try_get("password_hash")?,
            must_change_password: row.try_get("must_change_password")?,
            password_changed_at: row.try_get("password_changed_at")?,
            failed_sign_ins: row.try_get("failed_sign_ins")?,
            locked_until: row.try_get("locked_until")?,
            otp_expires_at: row.try_get("otp_expires_at")?,
            otp_used_at: row.try_get("otp_used_at")?,
            not_before: row.try_get("not_before")?,
            mfa_enrolled: row.try_get("mfa_enrolled")?,
            has_security_answers: row.try_get("has_security_answers")?,
            identity_check_failures: row.try_get("identity_check_failures")?,
        }))
    }

    async fn set_password(
        &self,
        person: PersonId,
        password_hash: &str,
        event: &AuditEvent,
    ) -> Result<()> {
        let mut tx = self.pool.begin_with(BEGIN).await?;
        let at = now();
        let done = sqlx::query(
            "UPDATE people SET password_hash = $2, must_change_password = FALSE, password_changed_at = $3, \
             otp_expires_at = NULL, otp_used_at = NULL WHERE id = $1",
        )
        .bind(person.0)
        .bind(password_hash)
        .bind(at)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("person"));
        }
        sqlx::query(
            "INSERT INTO password_history (person_id, password_hash, set_at) VALUES ($1, $2, $3)",
        )
        .bind(person.0)
        .bind(password_hash)
        .bind(at)
        .execute(&mut *tx)
        .await?;
        insert_event(&mut tx, event).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn create_session(&self, s: &NewSession, event: &AuditEvent) -> Result<()> {
        let mut tx = self.pool.begin_with(BEGIN).await?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, person_id, created_at, last_seen_at, expires_at, ip, user_agent, id, stage, idle_seconds) \
             VALUES ($1, $2, $3, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&s.token_hash)
        .bind(s.person_id.0)
        .bind(s.created_at)
        .bind(s.expires_at)
        .bind(&s.ip)
        .bind(&s.user_agent)
        .bind(Uuid::now_v7())
        .bind(s.stage.as_str())
        .bind(s.idle_seconds)
        .execute(&mut *tx)
        .await?;
        insert_event(&mut tx, event).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn use_session(&self, token_hash: &str, at: Timestamp) -> Result<Option<LiveSession>> {
        // One query on the hot path of every request: the session, its person, their
        // provider roles, and one row per practice they work for with their roles there.
        let rows = sqlx::query(concat!(
            "SELECT s.id, s.stage, s.person_id, s.created_at, s.expires_at, s.last_seen_at, s.idle_seconds, ",
            "p.username, p.full_name, p.must_change_password, ",
            "(SELECT string_agg(r.role, ',') FROM provider_roles r WHERE r.person_id = p.id) AS provider_roles, ",
            "pr.id AS practice_id, pr.name AS practice_name, pr.ods_code, pr.created_at AS practice_created_at, ",
            "(SELECT string_agg(r.role, ',') FROM practice_roles r WHERE r.practice_id = m.practice_id AND r.person_id = m.person_id) AS roles ",
            "FROM sessions s JOIN people p ON p.id = s.person_id ",
            "LEFT JOIN practice_members m ON m.person_id = p.id AND m.left_at IS NULL ",
            "LEFT JOIN practices pr ON pr.id = m.practice_id ",
            "WHERE s.token_hash = $1 AND s.expires_at > $2 AND p.status = 'active' ORDER BY pr.sort_key, pr.id"
        ))
        .bind(token_hash)
        .bind(at)
        .fetch_all(&self.pool)
        .await?;
        let Some(row) = rows.first() else {
            return Ok(None);
        };
        let last_seen: Timestamp = row.try_get("last_seen_at")?;
        let idle: i64 = row.try_get("idle_seconds")?;
        if last_seen + chrono::Duration::seconds(idle) < at {
            // The policy's screen lock took effect: end the session and record it (once,
            // however many requests arrive with the stale cookie at the same moment).
            let person = PersonId(row.try_get("person_id")?);
            let session_id: Uuid = row.try_get("id")?;
            let by = AuditMeta {
                actor_id: Some(person),
                actor: row.try_get("username")?,
                ..Default::default()
            };
            let mut tx = self.pool.begin_with(BEGIN).await?;
            let gone = sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                .bind(token_hash)
                .execute(&mut *tx)
                .await?;
            if gone.rows_affected() > 0 {
                let event = by
                    .event(
                        None,
                        "session.expire",
                        "session",
                        Some(session_id.to_string()),
                    )
                    .details(serde_json::json!({
                        "reason": "idle", "idle_minutes": idle / 60, "last_seen_at": last_seen,
                    }));
                insert_event(&mut tx, &event).await?;
            }
            tx.commit().await?;
            return Ok(None);
        }
        // Record the use, but not more than every 15 seconds: most requests then only read.
        if at - last_seen > chrono::Duration::seconds(15) {
            sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1")
                .bind(token_hash)
                .bind(at)
                .execute(&self.pool)
                .await?;
        }
        let stage: String = row.try_get("stage")?;
        let session = SessionInfo {
            id: row.try_get::<Uuid, _>("id")?.into(),
            stage: custodian_domain::identity::SessionStage::parse(&stage)
                .ok_or_else(|| StoreError::Corrupt(format!("stage {stage}")))?,
            person_id: PersonId(row.try_get("person_id")?),
            username: row.try_get("username")?,
            full_name: row.try_get("full_name")?,
            must_change_password: row.try_get("must_change_password")?,
            created_at: row.try_get("created_at")?,
            expires_at: row.try_get("expires_at")?,
        };
        let mut provider_roles: Vec<ProviderRole> = roles_from_csv(row.try_get("provider_roles")?)?;
        provider_roles.sort();
        let mut memberships = Vec::new();
        for r in &rows {
            let Some(id) = r.try_get::<Option<Uuid>, _>("practice_id")? else {
                continue;
            };
            let mut roles: Vec<PracticeRole> = roles_from_csv(r.try_get("roles")?)?;
            roles.sort();
            memberships.push(Membership {
                practice: Practice {
                    id: PracticeId(id),
                    name: r.try_get("practice_name")?,
                    ods_code: r.try_get("ods_code")?,
                    created_at: r.try_get("practice_created_at")?,
                },
                roles,
            });
        }
        Ok(Some(LiveSession {
            session,
            provider_roles,
            memberships,
        }))
    }

    async fn end_session(&self, token_hash: &str, event: &AuditEvent) -> Result<()> {
        let mut tx = self.pool.begin_with(BEGIN).await?;
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&mut *tx)
            .await?;
        insert_event(&mut tx, event).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn append_event(&self, event: &AuditEvent) -> Result<i64> {
        self.append_alone(event).await
    }

    async fn events(&self, practice: Option<PracticeId>, limit: u32) -> Result<Vec<StoredEvent>> {
        let rows = sqlx::query(&format!(
            "SELECT {EVENT_COLUMNS} FROM audit_events WHERE ($1 IS NULL OR practice_id = $1) ORDER BY seq DESC LIMIT $2"
        ))
        .bind(practice.map(|p| p.0))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(event_from).collect()
    }
}

/// Each practice's setup progress (`$1` is false: settings the practice saved itself).
const SETUP_COLUMNS: &str = "p.id, \
    (SELECT COUNT(*) FROM practice_members m WHERE m.practice_id = p.id AND m.left_at IS NULL) AS staff, \
    (SELECT COUNT(*) FROM access_requests r WHERE r.practice_id = p.id AND r.kind = 'starter') AS starter_requests, \
    (SELECT COUNT(*) FROM practice_systems y WHERE y.practice_id = p.id) AS systems, \
    (SELECT COUNT(*) FROM assets a WHERE a.practice_id = p.id) AS assets, \
    (SELECT COUNT(*) FROM practice_settings s WHERE s.practice_id = p.id AND s.from_provider = $1) AS settings \
    FROM practices p";

fn setup_from(row: &DbRow) -> Result<(PracticeId, custodian_domain::practice::SetupProgress)> {
    Ok((
        PracticeId(row.try_get("id")?),
        custodian_domain::practice::SetupProgress {
            staff: row.try_get("staff")?,
            starter_requests: row.try_get("starter_requests")?,
            systems: row.try_get("systems")?,
            assets: row.try_get("assets")?,
            settings_saved: row.try_get::<i64, _>("settings")? > 0,
        },
    ))
}

// Writing a new practice, its first manager and their membership, in a caller's transaction.
#[path = "insert_queries.rs"]
mod inserts;
pub(in crate::backends) use inserts::insert_practice_with_manager;
use inserts::{insert_member, insert_person, insert_practice};
