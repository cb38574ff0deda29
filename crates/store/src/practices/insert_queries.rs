//! A new practice, a person's account and a membership, each with its event, written inside a
//! caller's transaction: the single practice form, a list of practices and the starters share
//! them. Compiled once for each backend, within `practices/queries.rs`.

use super::*;

type Tx = sqlx::Transaction<'static, <ThisStore as HasDb>::Db>;

/// A practice with its first practice manager, in the caller's transaction.
pub(in crate::backends) async fn insert_practice_with_manager(
    tx: &mut Tx,
    practice: &ValidPractice,
    manager: &FirstManagerAccount,
    by: &AuditMeta,
) -> Result<(Practice, PracticeMember)> {
    let created = insert_practice(tx, practice, by).await?;
    let person = insert_person(tx, &manager.account, manager.phone.as_deref(), by).await?;
    let roles = [PracticeRole::Staff, PracticeRole::PracticeManager];
    let member = insert_member(tx, created.id, person, &manager.job_title, &roles, by).await?;
    Ok((created, member))
}

/// A practice's row and its `practice.create` event (a clash of ODS codes names `ods_code`).
pub(super) async fn insert_practice(
    tx: &mut Tx,
    practice: &ValidPractice,
    by: &AuditMeta,
) -> Result<Practice> {
    let id = PracticeId::new();
    let row = sqlx::query(
        "INSERT INTO practices (id, name, sort_key, ods_code, created_at) VALUES ($1, $2, $3, $4, $5) \
         RETURNING id, name, ods_code, created_at",
    )
    .bind(id.0)
    .bind(&practice.name)
    .bind(sort_key(&practice.name))
    .bind(&practice.ods_code)
    .bind(now())
    .fetch_one(&mut **tx)
    .await
    .map_err(|e| conflict(e, &[("ods_code", "ods_code", "A practice with this ODS code already exists")]))?;
    let created = practice_from(&row)?;
    // It starts from the provider's defaults, when it has set them.
    sqlx::query(
        "INSERT INTO practice_settings (practice_id, settings, updated_at, from_provider) \
         SELECT $1, default_settings, $2, $3 FROM provider WHERE id = 1 AND default_settings IS NOT NULL",
    )
    .bind(id.0)
    .bind(now())
    .bind(true)
    .execute(&mut **tx)
    .await?;
    let event = by
        .event(Some(id), "practice.create", "practice", Some(id.to_string()))
        .details(serde_json::json!({ "name": { "new": created.name }, "ods_code": { "new": created.ods_code } }));
    insert_event(tx, &event).await?;
    Ok(created)
}

/// A person's account and its `person.create` event (a one-time password's expiry kept with
/// it; a clash names `username` or `email`).
pub(super) async fn insert_person(
    tx: &mut Tx,
    account: &NewAccount,
    phone: Option<&str>,
    by: &AuditMeta,
) -> Result<PersonId> {
    let ValidPerson {
        username,
        email,
        full_name,
    } = &account.person;
    let id = PersonId::new();
    let at = now();
    sqlx::query(
        "INSERT INTO people (id, username, email, phone, full_name, sort_key, status, password_hash, \
         must_change_password, password_changed_at, created_at, otp_expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'active', $7, $8, $9, $10, $11)",
    )
    .bind(id.0)
    .bind(username)
    .bind(email)
    .bind(phone)
    .bind(full_name)
    .bind(sort_key(full_name))
    .bind(&account.password_hash)
    .bind(account.must_change_password)
    .bind(account.password_hash.as_ref().map(|_| at))
    .bind(at)
    .bind(account.one_time_password_expires_at)
    .execute(&mut **tx)
    .await
    .map_err(|e| {
        conflict(
            e,
            &[
                ("username", "username", "Someone already has this username"),
                ("email", "email", "Someone already has this email address"),
            ],
        )
    })?;
    for role in &account.provider_roles {
        sqlx::query("INSERT INTO provider_roles (person_id, role, granted_at) VALUES ($1, $2, $3)")
            .bind(id.0)
            .bind(role.as_str())
            .bind(at)
            .execute(&mut **tx)
            .await?;
    }
    let event = by.event(None, "person.create", "person", Some(id.to_string())).details(serde_json::json!({
        "username": { "new": username },
        "email": { "new": email },
        "full_name": { "new": full_name },
        "provider_roles": { "new": account.provider_roles.iter().map(|r| r.as_str()).collect::<Vec<_>>() },
        // A secret is named, never stored.
        "password": if account.password_hash.is_some() { "set (one-time)" } else { "none" },
    }));
    insert_event(tx, &event).await?;
    Ok(id)
}

/// A person joins a practice's staff with a job title and roles (`member.add`).
pub(super) async fn insert_member(
    tx: &mut Tx,
    practice: PracticeId,
    person: PersonId,
    job_title: &str,
    roles: &[PracticeRole],
    by: &AuditMeta,
) -> Result<PracticeMember> {
    let what = "Enter a job title (200 characters or fewer)";
    let job_title = required_text("job_title", job_title, 200, what)?;
    let full_name: Option<String> =
        sqlx::query_scalar("SELECT full_name FROM people WHERE id = $1")
            .bind(person.0)
            .fetch_optional(&mut **tx)
            .await?;
    let Some(full_name) = full_name else {
        return Err(StoreError::NotFound("person"));
    };
    let exists: Option<Uuid> = sqlx::query_scalar("SELECT id FROM practices WHERE id = $1")
        .bind(practice.0)
        .fetch_optional(&mut **tx)
        .await?;
    if exists.is_none() {
        return Err(StoreError::NotFound("practice"));
    }
    let at = now();
    sqlx::query(
        "INSERT INTO practice_members (practice_id, person_id, job_title, sort_key, joined_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(practice.0)
    .bind(person.0)
    .bind(job_title)
    .bind(sort_key(&full_name))
    .bind(at)
    .execute(&mut **tx)
    .await
    .map_err(|e| {
        conflict(
            e,
            &[
                (
                    "practice_members",
                    "person_id",
                    "This person is already a member of the practice",
                ),
                (
                    "PRIMARY",
                    "person_id",
                    "This person is already a member of the practice",
                ),
                (
                    "pkey",
                    "person_id",
                    "This person is already a member of the practice",
                ),
            ],
        )
    })?;
    let mut roles = roles.to_vec();
    roles.sort();
    roles.dedup();
    for role in &roles {
        sqlx::query("INSERT INTO practice_roles (practice_id, person_id, role, granted_at) VALUES ($1, $2, $3, $4)")
            .bind(practice.0)
            .bind(person.0)
            .bind(role.as_str())
            .bind(at)
            .execute(&mut **tx)
            .await?;
    }
    let event = by
        .event(
            Some(practice),
            "member.add",
            "person",
            Some(person.to_string()),
        )
        .details(serde_json::json!({
            "job_title": { "new": job_title },
            "roles": { "new": roles.iter().map(|r| r.as_str()).collect::<Vec<_>>() },
        }));
    insert_event(tx, &event).await?;
    let row = sqlx::query(&format!("{MEMBER_QUERY} AND m.person_id = $2"))
        .bind(practice.0)
        .bind(person.0)
        .fetch_one(&mut **tx)
        .await?;
    let member = member_from(&row)?;
    Ok(member)
}
