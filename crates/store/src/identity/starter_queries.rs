//! The User Authorisation Process: systems, starter and mover requests, login tasks, leavers,
//! administrators, who has access.
//!
//! Compiled once for each backend, like `queries.rs` beside it.

use super::*;
use crate::error::conflict;
use crate::queries::{now, sort_key};
use crate::*;
use async_trait::async_trait;
use custodian_domain::identity::ValidAccessRequest;
use custodian_domain::validation::{TEXT_MAX, required_text};
use custodian_domain::{GrantId, RequestId, SystemId};
use custodian_domain::{PersonId, PracticeId, PracticeRole};
use uuid::Uuid;

#[async_trait]
impl StaffAccessStore for ThisStore {
    async fn systems(&self, practice: PracticeId) -> Result<Vec<PracticeSystem>> {
        let rows: Vec<(Uuid, String)> = sqlx::query_as(
            "SELECT id, name FROM practice_systems WHERE practice_id = $1 ORDER BY name",
        )
        .bind(practice.0)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, name)| PracticeSystem {
                id: SystemId(id),
                name,
            })
            .collect())
    }

    async fn add_system(
        &self,
        practice: PracticeId,
        name: &str,
        by: &AuditMeta,
    ) -> Result<PracticeSystem> {
        let what = "Enter the system's name (100 characters or fewer)";
        let name = required_text("name", name, 100, what)?;
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
            id: SystemId(id),
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
        if let Some(s) = r.systems.iter().find(|s| !known.contains(&s.0)) {
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
        let out = find_in(&mut tx, REQUEST_QUERY, "r.id", practice, id, request_from)
            .await?
            .ok_or(StoreError::NotFound("request"))?;
        tx.commit().await?;
        Ok(out)
    }

    async fn access_request(
        &self,
        practice: PracticeId,
        id: RequestId,
    ) -> Result<Option<AccessRequest>> {
        let id = id.0;
        self.find_of(REQUEST_QUERY, "r.id", practice, id, request_from)
            .await
    }

    async fn access_requests(
        &self,
        practice: PracticeId,
        pending_only: bool,
    ) -> Result<Vec<AccessRequest>> {
        let rows = sqlx::query(&format!(
            "{REQUEST_QUERY} AND ($2 = FALSE OR r.status = 'pending') ORDER BY r.requested_at DESC LIMIT 500"
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
        id: RequestId,
        reason: &str,
        otp: Option<(&str, Timestamp)>,
        not_before: Option<chrono::NaiveDate>,
        by: &AuditMeta,
    ) -> Result<AccessRequest> {
        let id = id.0;
        let approver = by.actor_id.ok_or(StoreError::NotFound("approver"))?;
        let mut tx = self.pool.begin_with(BEGIN).await?;
        let req = pending_request(&mut tx, practice, id, approver).await?;
        let at = now();
        let roles_csv = req
            .roles
            .iter()
            .map(|x| x.as_str())
            .collect::<Vec<_>>()
            .join(",");
        let person = match req.person_id {
            None => {
                create_starter(&mut tx, practice, &req, otp, not_before, at, &roles_csv, by).await?
            }
            Some(person) => {
                change_roles(&mut tx, practice, person, &req, &roles_csv, by).await?;
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
        open_login_tasks(&mut tx, practice, person, &req).await?;
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
        let out = find_in(&mut tx, REQUEST_QUERY, "r.id", practice, id, request_from)
            .await?
            .ok_or(StoreError::NotFound("request"))?;
        tx.commit().await?;
        Ok(out)
    }

    async fn reject_access_request(
        &self,
        practice: PracticeId,
        id: RequestId,
        reason: &str,
        by: &AuditMeta,
    ) -> Result<AccessRequest> {
        let id = id.0;
        let approver = by.actor_id.ok_or(StoreError::NotFound("approver"))?;
        let why = "Give the reason for rejecting the request";
        required_text("reason", reason, TEXT_MAX, why)?;
        let mut tx = self.pool.begin_with(BEGIN).await?;
        let req = pending_request(&mut tx, practice, id, approver).await?;
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
            status: custodian_domain::identity::RequestStatus::Rejected,
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
        id: GrantId,
        note: &str,
        by: &AuditMeta,
    ) -> Result<AccessGrant> {
        let id = id.0;
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
        let query = format!("SELECT {GRANT_COLUMNS} {GRANT_FROM} WHERE g.practice_id = $1");
        let grant = find_in(&mut tx, &query, "g.id", practice, id, grant_from)
            .await?
            .ok_or(StoreError::NotFound("grant"))?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict {
                field: "grant",
                message: "This task is already done".into(),
            });
        }
        let event = by.event(Some(practice), "access_grant.done", "access_grant", Some(id.to_string())).details(serde_json::json!({
        "action": grant.action, "system": grant.system_name, "person_id": grant.person_id.to_string(), "note": note.trim(),
    }));
        insert_event(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(grant)
    }
}

/// A starter's account, with its one-time password, joining the practice on their start date.
#[allow(clippy::too_many_arguments)]
async fn create_starter(
    tx: &mut sqlx::Transaction<'static, <ThisStore as HasDb>::Db>,
    practice: PracticeId,
    req: &AccessRequest,
    otp: Option<(&str, Timestamp)>,
    not_before: Option<chrono::NaiveDate>,
    at: Timestamp,
    roles_csv: &str,
    by: &AuditMeta,
) -> Result<PersonId> {
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
    .execute(&mut **tx)
    .await
    .map_err(|e| conflict(e, &[("username", "username", "Someone already has this username"), ("email", "email", "Someone already has this email address")]))?;
    // A starter joins the practice on their start date.
    sqlx::query("INSERT INTO practice_members (practice_id, person_id, job_title, sort_key, joined_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(practice.0)
        .bind(person.0)
        .bind(&req.job_title)
        .bind(sort_key(&req.full_name))
        .bind(custodian_domain::identity::start_of_day(req.start_date))
        .execute(&mut **tx)
        .await?;
    let create = by.event(Some(practice), "person.create", "person", Some(person.to_string())).details(serde_json::json!({
        "username": { "new": req.username }, "full_name": { "new": req.full_name }, "job_title": { "new": req.job_title },
        "roles": { "new": roles_csv }, "password": "one-time password issued", "request": req.reference,
    }));
    insert_event(tx, &create).await?;
    Ok(person)
}

/// A mover's new roles and job title (a nominated administrator keeps that role until the
/// nomination ends).
async fn change_roles(
    tx: &mut sqlx::Transaction<'static, <ThisStore as HasDb>::Db>,
    practice: PracticeId,
    person: PersonId,
    req: &AccessRequest,
    roles_csv: &str,
    by: &AuditMeta,
) -> Result<()> {
    let old: Vec<String> = sqlx::query_scalar(
        "SELECT role FROM practice_roles WHERE practice_id = $1 AND person_id = $2 ORDER BY role",
    )
    .bind(practice.0)
    .bind(person.0)
    .fetch_all(&mut **tx)
    .await?;
    if old.iter().any(|r| r == "system_administrator")
        && !req.roles.contains(&PracticeRole::SystemAdministrator)
    {
        // A nominated administrator keeps that role until the nomination ends.
    }
    sqlx::query("DELETE FROM practice_roles WHERE practice_id = $1 AND person_id = $2 AND role <> 'system_administrator'")
        .bind(practice.0)
        .bind(person.0)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "UPDATE practice_members SET job_title = $3 WHERE practice_id = $1 AND person_id = $2",
    )
    .bind(practice.0)
    .bind(person.0)
    .bind(&req.job_title)
    .execute(&mut **tx)
    .await?;
    let change = by.event(Some(practice), "member.roles_change", "person", Some(person.to_string())).details(serde_json::json!({
        "roles": { "old": old.join(","), "new": roles_csv }, "job_title": { "new": req.job_title }, "request": req.reference,
    }));
    insert_event(tx, &change).await?;
    Ok(())
}

/// Systems: a task to create each login needed and not held; a task to remove each login held
/// and no longer needed.
async fn open_login_tasks(
    tx: &mut sqlx::Transaction<'static, <ThisStore as HasDb>::Db>,
    practice: PracticeId,
    person: PersonId,
    req: &AccessRequest,
) -> Result<()> {
    let held: Vec<Uuid> = sqlx::query_scalar(
"SELECT g.system_id FROM access_grants g WHERE g.practice_id = $1 AND g.person_id = $2 AND g.action = 'create' \
 AND NOT EXISTS (SELECT 1 FROM access_grants r WHERE r.practice_id = g.practice_id AND r.person_id = g.person_id \
   AND r.system_id = g.system_id AND r.action = 'remove' AND r.opened_at >= g.opened_at)",
    )
    .bind(practice.0)
    .bind(person.0)
    .fetch_all(&mut **tx)
    .await?;
    let held: Vec<SystemId> = held.into_iter().map(SystemId).collect();
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
        open_grant(&mut **tx, practice, person, *s, "create", &why).await?;
    }
    for s in held.iter().filter(|s| !req.systems.contains(s)) {
        open_grant(&mut **tx, practice, person, *s, "remove", &why).await?;
    }
    Ok(())
}

/// A request still waiting for a decision that this approver may make, read in the deciding
/// transaction.
async fn pending_request(
    conn: &mut <<ThisStore as crate::queries::HasDb>::Db as sqlx::Database>::Connection,
    practice: PracticeId,
    id: Uuid,
    approver: PersonId,
) -> Result<AccessRequest> {
    let req = find_in(conn, REQUEST_QUERY, "r.id", practice, id, request_from)
        .await?
        .ok_or(StoreError::NotFound("request"))?;
    if req.status != custodian_domain::identity::RequestStatus::Pending {
        return Err(StoreError::Conflict {
            field: "decision",
            message: format!("This request was already {}", req.status),
        });
    }
    custodian_domain::identity::may_decide(approver, req.requested_by)?;
    Ok(req)
}
