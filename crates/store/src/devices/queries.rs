//! The equipment register: devices, custody steps and their history.
//!
//! Compiled once for each backend (see `crates/store/src/lib.rs`), written against the
//! backend's `ThisStore`, `DbRow` and `BEGIN`.

use async_trait::async_trait;
use custodian_domain::devices::personal::{
    PersonalKind, PersonalStatus, ValidCheck, ValidDeclaration,
};
use custodian_domain::devices::{Custody, DeviceKind, DeviceStatus, PracticeDevices, ValidDevice};
use custodian_domain::incidents::{Involved, ValidReport};
use custodian_domain::{AssetId, DeviceId, IncidentId, Invalid, PersonId, PracticeId};
use sqlx::Row as _;
use uuid::Uuid;

use super::*;
use crate::error::conflict;
use crate::queries::HasDb;
use crate::*;

const DEVICE_QUERY: &str = "SELECT d.*, a.name AS asset_name, p.full_name AS holder_name \
     FROM devices d LEFT JOIN assets a ON a.id = d.asset_id \
     LEFT JOIN people p ON p.id = d.holder_id WHERE d.practice_id = $1";

/// A tag or serial already in the register, by the index each backend names in its message.
const TAKEN: &[(&str, &str, &str)] = &[
    (
        "asset_tag",
        "asset_tag",
        "Another device in the register has this asset tag",
    ),
    (
        "devices_tag",
        "asset_tag",
        "Another device in the register has this asset tag",
    ),
    (
        "serial",
        "serial",
        "Another device in the register has this serial number",
    ),
];

fn device_from(row: &DbRow) -> Result<Device> {
    let kind: String = row.try_get("kind")?;
    Ok(Device {
        id: DeviceId(row.try_get("id")?),
        practice_id: PracticeId(row.try_get("practice_id")?),
        asset_tag: row.try_get("asset_tag")?,
        kind: DeviceKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("device kind {kind}")))?,
        make_model: row.try_get("make_model")?,
        serial: row.try_get("serial")?,
        operating_system: row.try_get("operating_system")?,
        os_version: row.try_get("os_version")?,
        location: row.try_get("location")?,
        asset_id: row.try_get::<Option<Uuid>, _>("asset_id")?.map(AssetId),
        asset_name: row.try_get("asset_name")?,
        notes: row.try_get("notes")?,
        status: status_of(row, DeviceStatus::parse)?,
        holder_id: row.try_get::<Option<Uuid>, _>("holder_id")?.map(PersonId),
        holder_name: row.try_get("holder_name")?,
        issued_on: row.try_get("issued_on")?,
        signed: row.try_get("signed")?,
        disposed_on: row.try_get("disposed_on")?,
        disposal_how: row.try_get("disposal_how")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn entry_from(row: &DbRow) -> Result<CustodyEntry> {
    Ok(CustodyEntry {
        step: row.try_get("step")?,
        on: row.try_get("on_day")?,
        person_id: row.try_get::<Option<Uuid>, _>("person_id")?.map(PersonId),
        person_name: row.try_get("person_name")?,
        signed: row.try_get("signed")?,
        note: row.try_get("note")?,
        at: row.try_get("at")?,
        by_name: row.try_get("by_name")?,
    })
}

const PERSONAL_QUERY: &str = "SELECT d.*, o.full_name AS owner_name, n.full_name AS need_by_name, \
     c.full_name AS checked_by_name, w.full_name AS withdrawn_by_name \
     FROM personal_devices d JOIN people o ON o.id = d.owner_id \
     LEFT JOIN people n ON n.id = d.need_by LEFT JOIN people c ON c.id = d.checked_by \
     LEFT JOIN people w ON w.id = d.withdrawn_by WHERE d.practice_id = $1";

fn personal_from(row: &DbRow) -> Result<PersonalDevice> {
    let kind: String = row.try_get("kind")?;
    let answers: Option<String> = row.try_get("answers")?;
    Ok(PersonalDevice {
        id: row.try_get("id")?,
        practice_id: PracticeId(row.try_get("practice_id")?),
        owner_id: PersonId(row.try_get("owner_id")?),
        owner_name: row.try_get("owner_name")?,
        kind: PersonalKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("personal device kind {kind}")))?,
        make_model: row.try_get("make_model")?,
        operating_system: row.try_get("operating_system")?,
        purpose: row.try_get("purpose")?,
        status: status_of(row, PersonalStatus::parse)?,
        declared_at: row.try_get("declared_at")?,
        need_by_name: row.try_get("need_by_name")?,
        need_at: row.try_get("need_at")?,
        need_reason: row.try_get("need_reason")?,
        checked_by_name: row.try_get("checked_by_name")?,
        checked_at: row.try_get("checked_at")?,
        answers: answers
            .unwrap_or_default()
            .split(',')
            .filter_map(|a| a.split_once('='))
            .map(|(w, a)| CheckAnswer {
                item: w.to_string(),
                answer: a.to_string(),
            })
            .collect(),
        check_note: row.try_get("check_note")?,
        risk_id: row
            .try_get::<Option<Uuid>, _>("risk_id")?
            .map(custodian_domain::RiskId),
        approved_on: row.try_get("approved_on")?,
        expires_on: row.try_get("expires_on")?,
        withdrawn_at: row.try_get("withdrawn_at")?,
        withdrawn_by_name: row.try_get("withdrawn_by_name")?,
    })
}

/// Why a personal device's step changed nothing: the device is not the practice's, or it stands
/// where the step does not apply (a conflict saying `not_now`).
async fn not_now_or_gone(
    store: &ThisStore,
    practice: PracticeId,
    id: Uuid,
    not_now: &str,
) -> StoreError {
    match store.personal_device(practice, id).await {
        Ok(None) => StoreError::NotFound("personal device"),
        Ok(Some(_)) => StoreError::Conflict {
            field: "status",
            message: not_now.to_string(),
        },
        Err(e) => e,
    }
}

/// A personal device's step: `sql` changes the row (the practice `$1`, the device `$2`, the
/// moment `$3`, the actor `$4`, then `binds`) only where it stands as `allowed` says; a device
/// that stands elsewhere is a conflict saying `not_now`. The step's event commits with it.
#[allow(clippy::too_many_arguments)]
async fn personal_step(
    store: &ThisStore,
    (practice, id): (PracticeId, Uuid),
    sql: &str,
    binds: Vec<String>,
    (action, not_now): (&str, &str),
    details: serde_json::Value,
    at: Timestamp,
    by: &AuditMeta,
) -> Result<PersonalDevice> {
    let mut q = sqlx::query(sql)
        .bind(practice.0)
        .bind(id)
        .bind(at)
        .bind(by.actor_id.map(|p| p.0));
    for b in binds {
        q = q.bind(b);
    }
    let event = by
        .event(
            Some(practice),
            action,
            "personal_device",
            Some(id.to_string()),
        )
        .details(details);
    if !store.write_recorded(q, &event).await? {
        return Err(not_now_or_gone(store, practice, id, not_now).await);
    }
    store
        .one_of(PERSONAL_QUERY, "d.id", practice, id, personal_from)
        .await
}

type Tx = sqlx::Transaction<'static, <ThisStore as HasDb>::Db>;

/// Refuses an information asset that is not the practice's.
async fn check_asset(tx: &mut Tx, practice: PracticeId, asset: Option<AssetId>) -> Result<()> {
    let Some(asset) = asset else { return Ok(()) };
    let found: Option<Uuid> =
        sqlx::query_scalar("SELECT id FROM assets WHERE practice_id = $1 AND id = $2")
            .bind(practice.0)
            .bind(asset.0)
            .fetch_optional(&mut **tx)
            .await?;
    match found {
        Some(_) => Ok(()),
        None => Err(Invalid::one(
            "asset_id",
            "Choose one of the practice's information assets",
        )
        .into()),
    }
}

/// Writes a device's details with `sql`, which takes the practice as `$1`, the device as `$2`,
/// its fields as `$3` to `$11` and the moment as `$12`; a tag or serial already in the register
/// is a conflict naming its field. How many rows it wrote.
async fn write_details(
    tx: &mut Tx,
    sql: &str,
    (practice, id): (PracticeId, Uuid),
    device: &ValidDevice,
    at: Timestamp,
) -> Result<u64> {
    Ok(sqlx::query(sql)
        .bind(practice.0)
        .bind(id)
        .bind(&device.asset_tag)
        .bind(device.kind.as_str())
        .bind(&device.make_model)
        .bind(&device.serial)
        .bind(&device.operating_system)
        .bind(&device.os_version)
        .bind(&device.location)
        .bind(device.asset_id.map(|a| a.0))
        .bind(&device.notes)
        .bind(at)
        .execute(&mut **tx)
        .await
        .map_err(|e| conflict(e, TAKEN))?
        .rows_affected())
}

/// Writes one entry of a device's history inside `tx`.
#[allow(clippy::too_many_arguments)]
async fn add_entry(
    tx: &mut Tx,
    practice: PracticeId,
    device: Uuid,
    (step, on, person, signed): (&str, chrono::NaiveDate, Option<PersonId>, bool),
    note: &str,
    at: Timestamp,
    by: &AuditMeta,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO device_custody (id, practice_id, device_id, step, on_day, person_id, signed, \
           note, at, by_id, by_name) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
           COALESCE((SELECT full_name FROM people WHERE id = $10), $11))",
    )
    .bind(Uuid::now_v7())
    .bind(practice.0)
    .bind(device)
    .bind(step)
    .bind(on)
    .bind(person.map(|p| p.0))
    .bind(signed)
    .bind(note)
    .bind(at)
    .bind(by.actor_id.map(|p| p.0))
    .bind(&by.actor)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// What a device's event says of it: the fields a reader of the audit trail needs.
fn described(d: &ValidDevice) -> serde_json::Value {
    serde_json::json!({ "asset_tag": d.asset_tag, "kind": d.kind.as_str(), "serial": d.serial })
}

/// One custody step inside `tx`, checked against where the device stands under its row's lock,
/// with its history entry and its event.
async fn move_in(
    tx: &mut Tx,
    practice: PracticeId,
    id: DeviceId,
    step: &Custody,
    at: Timestamp,
    by: &AuditMeta,
) -> Result<()> {
    // Touching the row takes its lock (PostgreSQL; SQLite's writer is already alone), so
    // two steps at once are checked one after the other.
    let standing: Option<(String, Option<Uuid>)> = sqlx::query_as(
        "UPDATE devices SET updated_at = $3 WHERE practice_id = $1 AND id = $2 \
             RETURNING status, holder_id",
    )
    .bind(practice.0)
    .bind(id.0)
    .bind(at)
    .fetch_optional(&mut **tx)
    .await?;
    let (status, holder) = standing.ok_or(StoreError::NotFound("device"))?;
    let from = DeviceStatus::parse(&status)
        .ok_or_else(|| StoreError::Corrupt(format!("device status {status}")))?;
    step.allowed_from(from)?;
    let (person, signed, note) = match step {
        Custody::Issue { to, signed, .. } => {
            let member: Option<Uuid> = sqlx::query_scalar(
                "SELECT person_id FROM practice_members WHERE practice_id = $1 AND person_id = $2",
            )
            .bind(practice.0)
            .bind(to.0)
            .fetch_optional(&mut **tx)
            .await?;
            if member.is_none() {
                return Err(Invalid::one("to", "Choose a member of the practice's staff").into());
            }
            (Some(*to), *signed, String::new())
        }
        // A return, a loss or a repair of an issued device names who had it.
        Custody::Dispose { how, .. } => (None, false, how.clone()),
        _ => (holder.map(PersonId), false, String::new()),
    };
    let after = step.status_after();
    let issued = matches!(step, Custody::Issue { .. });
    let disposal = match step {
        Custody::Dispose { on, how } => (Some(*on), Some(how.as_str())),
        _ => (None, None),
    };
    sqlx::query(
        "UPDATE devices SET status = $3, holder_id = $4, issued_on = $5, signed = $6, \
               disposed_on = $7, disposal_how = $8 WHERE practice_id = $1 AND id = $2",
    )
    .bind(practice.0)
    .bind(id.0)
    .bind(after.as_str())
    .bind(if issued { person.map(|p| p.0) } else { None })
    .bind(if issued { Some(step.on()) } else { None })
    .bind(issued && signed)
    .bind(disposal.0)
    .bind(disposal.1)
    .execute(&mut **tx)
    .await?;
    add_entry(
        tx,
        practice,
        id.0,
        (step.word(), step.on(), person, signed),
        &note,
        at,
        by,
    )
    .await?;
    let event = by
        .event(
            Some(practice),
            &format!("device.{}", step.word()),
            "device",
            Some(id.to_string()),
        )
        .details(serde_json::json!({
            "on": step.on(),
            "status": after.as_str(),
            "person_id": person.map(|p| p.0),
        }));
    insert_event(tx, &event).await?;
    Ok(())
}

#[async_trait]
impl DeviceStore for ThisStore {
    async fn add_device(
        &self,
        practice: PracticeId,
        device: &ValidDevice,
        at: Timestamp,
        by: &AuditMeta,
    ) -> Result<Device> {
        let id = Uuid::now_v7();
        let mut tx = self.pool.begin_with(BEGIN).await?;
        check_asset(&mut tx, practice, device.asset_id).await?;
        write_details(
            &mut tx,
            "INSERT INTO devices (practice_id, id, asset_tag, kind, make_model, serial, \
               operating_system, os_version, location, asset_id, notes, status, created_at, \
               updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'in_stock', $12, $12)",
            (practice, id),
            device,
            at,
        )
        .await?;
        let today = custodian_domain::identity::london_today(at);
        add_entry(
            &mut tx,
            practice,
            id,
            ("add", today, None, false),
            "",
            at,
            by,
        )
        .await?;
        let event = by
            .event(Some(practice), "device.add", "device", Some(id.to_string()))
            .details(described(device));
        insert_event(&mut tx, &event).await?;
        tx.commit().await?;
        self.one_of(DEVICE_QUERY, "d.id", practice, id, device_from)
            .await
    }

    async fn change_device(
        &self,
        practice: PracticeId,
        id: DeviceId,
        device: &ValidDevice,
        at: Timestamp,
        by: &AuditMeta,
    ) -> Result<Device> {
        let mut tx = self.pool.begin_with(BEGIN).await?;
        check_asset(&mut tx, practice, device.asset_id).await?;
        let changed = write_details(
            &mut tx,
            "UPDATE devices SET asset_tag = $3, kind = $4, make_model = $5, serial = $6, \
               operating_system = $7, os_version = $8, location = $9, asset_id = $10, notes = $11, \
               updated_at = $12 \
             WHERE practice_id = $1 AND id = $2",
            (practice, id.0),
            device,
            at,
        )
        .await?;
        if changed == 0 {
            return Err(StoreError::NotFound("device"));
        }
        let event = by
            .event(
                Some(practice),
                "device.change",
                "device",
                Some(id.to_string()),
            )
            .details(described(device));
        insert_event(&mut tx, &event).await?;
        tx.commit().await?;
        self.one_of(DEVICE_QUERY, "d.id", practice, id.0, device_from)
            .await
    }

    async fn devices(&self, practice: PracticeId, filter: &DeviceFilter) -> Result<Vec<Device>> {
        let mut sql = DEVICE_QUERY.to_string();
        let mut n = 1;
        let mut next = |column: &str| {
            n += 1;
            format!(" AND {column} = ${n}")
        };
        if filter.status.is_some() {
            sql += &next("d.status");
        }
        if filter.kind.is_some() {
            sql += &next("d.kind");
        }
        if filter.holder.is_some() {
            sql += &next("d.holder_id");
        }
        let limit = filter
            .limit
            .clamp(1, custodian_domain::devices::REGISTER_MAX);
        sql += &format!(" ORDER BY d.asset_tag, d.id LIMIT {limit}");
        let mut q = sqlx::query(&sql).bind(practice.0);
        if let Some(s) = filter.status {
            q = q.bind(s.as_str());
        }
        if let Some(k) = filter.kind {
            q = q.bind(k.as_str());
        }
        if let Some(h) = filter.holder {
            q = q.bind(h.0);
        }
        q.fetch_all(&self.pool)
            .await?
            .iter()
            .map(device_from)
            .collect()
    }

    async fn device(&self, practice: PracticeId, id: DeviceId) -> Result<Option<Device>> {
        self.find_of(DEVICE_QUERY, "d.id", practice, id.0, device_from)
            .await
    }

    async fn device_history(
        &self,
        practice: PracticeId,
        id: DeviceId,
    ) -> Result<Vec<CustodyEntry>> {
        let rows = sqlx::query(
            "SELECT c.*, p.full_name AS person_name FROM device_custody c \
             LEFT JOIN people p ON p.id = c.person_id \
             WHERE c.practice_id = $1 AND c.device_id = $2 ORDER BY c.at, c.id",
        )
        .bind(practice.0)
        .bind(id.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(entry_from).collect()
    }

    async fn move_device(
        &self,
        practice: PracticeId,
        id: DeviceId,
        step: &Custody,
        at: Timestamp,
        by: &AuditMeta,
    ) -> Result<Device> {
        let mut tx = self.pool.begin_with(BEGIN).await?;
        move_in(&mut tx, practice, id, step, at, by).await?;
        tx.commit().await?;
        self.one_of(DEVICE_QUERY, "d.id", practice, id.0, device_from)
            .await
    }

    async fn declare_personal(
        &self,
        practice: PracticeId,
        owner: PersonId,
        d: &ValidDeclaration,
        at: Timestamp,
        by: &AuditMeta,
    ) -> Result<PersonalDevice> {
        let id = Uuid::now_v7();
        let insert = sqlx::query(
            "INSERT INTO personal_devices (id, practice_id, owner_id, kind, make_model, \
               operating_system, purpose, status, declared_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'declared', $8, $8)",
        )
        .bind(id)
        .bind(practice.0)
        .bind(owner.0)
        .bind(d.kind.as_str())
        .bind(&d.make_model)
        .bind(&d.operating_system)
        .bind(&d.purpose)
        .bind(at);
        let event = by
            .event(
                Some(practice),
                "personal_device.declare",
                "personal_device",
                Some(id.to_string()),
            )
            .details(serde_json::json!({ "kind": d.kind.as_str(), "owner_id": owner.0 }));
        self.write_recorded(insert, &event).await?;
        self.one_of(PERSONAL_QUERY, "d.id", practice, id, personal_from)
            .await
    }

    async fn personal_devices(
        &self,
        practice: PracticeId,
        owner: Option<PersonId>,
    ) -> Result<Vec<PersonalDevice>> {
        self.list_of(
            PERSONAL_QUERY,
            practice,
            owner.map(|o| ("d.owner_id = $2", o.0)),
            "d.declared_at DESC, d.id",
            personal_from,
        )
        .await
    }

    async fn personal_device(
        &self,
        practice: PracticeId,
        id: Uuid,
    ) -> Result<Option<PersonalDevice>> {
        self.find_of(PERSONAL_QUERY, "d.id", practice, id, personal_from)
            .await
    }

    async fn decide_personal_need(
        &self,
        practice: PracticeId,
        id: Uuid,
        (approve, reason): (bool, &str),
        at: Timestamp,
        by: &AuditMeta,
    ) -> Result<PersonalDevice> {
        let status = if approve {
            "need_approved"
        } else {
            "need_refused"
        };
        personal_step(
            self,
            (practice, id),
            "UPDATE personal_devices SET status = $5, need_by = $4, need_at = $3, need_reason = $6, \
               updated_at = $3 WHERE practice_id = $1 AND id = $2 AND status = 'declared'",
            vec![status.into(), reason.into()],
            ("personal_device.need", "Its business need has been decided already"),
            serde_json::json!({ "approved": approve }),
            at,
            by,
        )
        .await
    }

    async fn check_personal(
        &self,
        practice: PracticeId,
        id: Uuid,
        check: &ValidCheck,
        risk: Option<&custodian_domain::risks::ValidRisk>,
        (approved_on, expires_on): (chrono::NaiveDate, chrono::NaiveDate),
        at: Timestamp,
        by: &AuditMeta,
    ) -> Result<PersonalDevice> {
        let answers = check
            .answers
            .iter()
            .map(|(w, a)| format!("{w}={}", a.as_str()))
            .collect::<Vec<_>>()
            .join(",");
        let approved = check.outcome.in_use();
        let mut tx = self.pool.begin_with(BEGIN).await?;
        let raised = match risk {
            Some(r) => Some(create_in(&mut tx, practice, r, by).await?),
            None => None,
        };
        let checked = sqlx::query(
            "UPDATE personal_devices SET status = $3, checked_by = $4, checked_at = $5, \
               answers = $6, check_note = $7, approved_on = $8, expires_on = $9, risk_id = $10, \
               updated_at = $5 \
             WHERE practice_id = $1 AND id = $2 \
               AND status IN ('need_approved', 'approved', 'approved_with_risks')",
        )
        .bind(practice.0)
        .bind(id)
        .bind(check.outcome.as_str())
        .bind(by.actor_id.map(|p| p.0))
        .bind(at)
        .bind(answers)
        .bind(&check.note)
        .bind(approved.then_some(approved_on))
        .bind(approved.then_some(expires_on))
        .bind(raised)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if checked == 0 {
            let not_now = "It is checked once its business need is approved, and again when its \
                           approval runs out";
            return Err(not_now_or_gone(self, practice, id, not_now).await);
        }
        let event = by
            .event(
                Some(practice),
                "personal_device.check",
                "personal_device",
                Some(id.to_string()),
            )
            .details(serde_json::json!({
                "outcome": check.outcome.as_str(),
                "risk_id": raised,
            }));
        insert_event(&mut tx, &event).await?;
        tx.commit().await?;
        self.one_of(PERSONAL_QUERY, "d.id", practice, id, personal_from)
            .await
    }

    async fn withdraw_personal(
        &self,
        practice: PracticeId,
        id: Uuid,
        at: Timestamp,
        by: &AuditMeta,
    ) -> Result<PersonalDevice> {
        personal_step(
            self,
            (practice, id),
            "UPDATE personal_devices SET status = 'withdrawn', withdrawn_at = $3, withdrawn_by = $4, \
               updated_at = $3 WHERE practice_id = $1 AND id = $2 AND status <> 'withdrawn'",
            vec![],
            ("personal_device.withdraw", "It is no longer used already"),
            serde_json::json!({}),
            at,
            by,
        )
        .await
    }

    async fn devices_everywhere(&self) -> Result<Vec<PracticeDevices>> {
        let rows = sqlx::query(
            "SELECT p.id AS practice_id, p.name, p.ods_code, d.status, COUNT(d.id) AS n \
             FROM practices p \
             LEFT JOIN devices d ON d.practice_id = p.id \
             GROUP BY p.id, p.name, p.sort_key, p.ods_code, d.status ORDER BY p.sort_key, p.id",
        )
        .fetch_all(&self.pool)
        .await?;
        let start = |practice_id, practice, ods_code| PracticeDevices {
            practice_id,
            practice,
            ods_code,
            ..Default::default()
        };
        per_practice(&rows, start, "status", |p, row| {
            let status: String = row.try_get("status")?;
            let s = DeviceStatus::parse(&status)
                .ok_or_else(|| StoreError::Corrupt(format!("device status {status}")))?;
            let n: i64 = row.try_get("n")?;
            p.add(s, u32::try_from(n).unwrap_or(u32::MAX));
            Ok(())
        })
    }

    async fn lose_device(
        &self,
        practice: PracticeId,
        id: DeviceId,
        on: chrono::NaiveDate,
        report: &ValidReport,
        reporter: PersonId,
        at: Timestamp,
        by: &AuditMeta,
    ) -> Result<(Device, IncidentId)> {
        let mut tx = self.pool.begin_with(BEGIN).await?;
        move_in(&mut tx, practice, id, &Custody::Lose { on }, at, by).await?;
        let incident = IncidentId(report_in(&mut tx, practice, report, reporter, at, by).await?);
        involve_in(&mut tx, practice, incident, Involved::Device(id), at, by).await?;
        tx.commit().await?;
        let device = self
            .one_of(DEVICE_QUERY, "d.id", practice, id.0, device_from)
            .await?;
        Ok((device, incident))
    }
}
