//! The incident register: reports, the handling steps and the timeline.
//!
//! Compiled once for each backend (see `crates/store/src/lib.rs`), written against the
//! backend's `ThisStore`, `DbRow` and `BEGIN`.

use async_trait::async_trait;
use custodian_domain::incidents::{
    self as rules, BreachType, IncidentKind, IncidentStatus, Involved, Step, ValidIcoDecision,
    ValidReport,
};
use custodian_domain::{AssetId, IncidentId, PersonId, PracticeId, RiskId};
use sqlx::Row as _;
use uuid::Uuid;

use super::*;
use crate::queries::HasDb;
use crate::*;

/// The statuses of an open incident, as a list the index on (practice, status) seeks to (a
/// `<> 'closed'` would read every closed incident of the practice too).
const OPEN_STATUSES: &str = "('reported', 'triage', 'investigating', 'contained')";

const INCIDENT_QUERY: &str = "SELECT i.*, p.full_name AS reported_by_name FROM incidents i \
     JOIN people p ON p.id = i.reported_by WHERE i.practice_id = $1";

fn incident_from(row: &DbRow) -> Result<Incident> {
    let kind: String = row.try_get("kind")?;
    let types: String = row.try_get("breach_types")?;
    Ok(Incident {
        id: IncidentId(row.try_get("id")?),
        practice_id: PracticeId(row.try_get("practice_id")?),
        reference: row.try_get("reference")?,
        kind: IncidentKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("incident kind {kind}")))?,
        status: status_of(row, IncidentStatus::parse)?,
        what_happened: row.try_get("what_happened")?,
        location: row.try_get("location")?,
        occurred_at: row.try_get("occurred_at")?,
        discovered_at: row.try_get("discovered_at")?,
        reported_at: row.try_get("reported_at")?,
        reported_by: PersonId(row.try_get("reported_by")?),
        reported_by_name: row.try_get("reported_by_name")?,
        on_behalf_of: row.try_get("on_behalf_of")?,
        patient_data: row.try_get("patient_data")?,
        staff_data: row.try_get("staff_data")?,
        near_miss: row.try_get("near_miss")?,
        asset_id: row.try_get::<Option<Uuid>, _>("asset_id")?.map(AssetId),
        likelihood: row.try_get("likelihood")?,
        severity: row.try_get("severity")?,
        vulnerable: row.try_get("vulnerable")?,
        reportable: row.try_get("reportable")?,
        notify_dhsc: row.try_get("notify_dhsc")?,
        breach_types: types.split(',').filter_map(BreachType::parse).collect(),
        people_affected: row.try_get("people_affected")?,
        records_affected: row.try_get("records_affected")?,
        senior_told_at: row.try_get("senior_told_at")?,
        ico_decision: row.try_get("ico_decision")?,
        ico_reference: row.try_get("ico_reference")?,
        ico_reported_at: row.try_get("ico_reported_at")?,
        ico_reason: row.try_get("ico_reason")?,
        subjects_decision: row.try_get("subjects_decision")?,
        subjects_note: row.try_get("subjects_note")?,
        lessons: row.try_get("lessons")?,
        risk_id: row.try_get::<Option<Uuid>, _>("risk_id")?.map(RiskId),
        closed_at: row.try_get("closed_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

type Tx = sqlx::Transaction<'static, <ThisStore as HasDb>::Db>;

/// Writes one timeline entry inside `tx`.
async fn add_entry(
    tx: &mut Tx,
    practice: PracticeId,
    incident: Uuid,
    at: Timestamp,
    by: &AuditMeta,
    step: &str,
    text: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO incident_entries (id, practice_id, incident_id, at, by_id, by_name, step, text) \
         VALUES ($1, $2, $3, $4, $5, \
           COALESCE((SELECT full_name FROM people WHERE id = $5), $6), $7, $8)",
    )
    .bind(Uuid::now_v7())
    .bind(practice.0)
    .bind(incident)
    .bind(at)
    .bind(by.actor_id.map(|p| p.0))
    .bind(&by.actor)
    .bind(step)
    .bind(text)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The name of who or what `who` is, if it is the practice's (a member of its staff, one of its
/// assets or risks); refused naming the field otherwise.
async fn involved_name(tx: &mut Tx, practice: PracticeId, who: Involved) -> Result<String> {
    let (sql, what) = match who {
        Involved::Person(_) => (
            "SELECT p.full_name FROM practice_members m JOIN people p ON p.id = m.person_id \
             WHERE m.practice_id = $1 AND m.person_id = $2",
            "a member of the practice's staff",
        ),
        Involved::Asset(_) => (
            "SELECT name FROM assets WHERE practice_id = $1 AND id = $2",
            "one of the practice's information assets",
        ),
        Involved::Risk(_) => (
            "SELECT reference || ' ' || title FROM risks WHERE practice_id = $1 AND id = $2",
            "one of the practice's risks",
        ),
        Involved::Device(_) => (
            "SELECT asset_tag || ' (' || make_model || ')' FROM devices \
             WHERE practice_id = $1 AND id = $2",
            "one of the practice's devices",
        ),
    };
    let name: Option<String> = sqlx::query_scalar(sql)
        .bind(practice.0)
        .bind(who.id())
        .fetch_optional(&mut **tx)
        .await?;
    name.ok_or_else(|| {
        custodian_domain::Invalid::one("involved_id", format!("Choose {what}")).into()
    })
}

/// A link made or removed: its timeline entry and event, committed with it. `step` is the
/// entry's word, the event's action and how the entry begins.
#[allow(clippy::too_many_arguments)]
async fn record_involvement(
    tx: &mut Tx,
    practice: PracticeId,
    id: IncidentId,
    who: Involved,
    name: &str,
    (word, action, begins): (&str, &str, &str),
    at: Timestamp,
    by: &AuditMeta,
) -> Result<()> {
    let text = format!("{begins}: {} {name}", who.label().to_lowercase());
    add_entry(tx, practice, id.0, at, by, word, &text).await?;
    let event = by
        .event(Some(practice), action, "incident", Some(id.to_string()))
        .details(serde_json::json!({ "kind": who.kind(), "id": who.id() }));
    insert_event(tx, &event).await?;
    Ok(())
}

/// Records a report inside `tx`: the incident (numbered in its practice's year), its first
/// timeline entry and its event. An asset that is not the practice's is refused. Its id.
pub(super) async fn report_in(
    tx: &mut Tx,
    practice: PracticeId,
    r: &ValidReport,
    reporter: PersonId,
    at: Timestamp,
    by: &AuditMeta,
) -> Result<Uuid> {
    if let Some(asset) = r.asset_id {
        let found: Option<Uuid> =
            sqlx::query_scalar("SELECT id FROM assets WHERE practice_id = $1 AND id = $2")
                .bind(practice.0)
                .bind(asset.0)
                .fetch_optional(&mut **tx)
                .await?;
        if found.is_none() {
            return Err(custodian_domain::Invalid::one(
                "asset_id",
                "Choose one of the practice's information assets",
            )
            .into());
        }
    }
    let year = rules::reference_year(at);
    let number = next_number(tx, practice, year).await?;
    let reference = rules::reference(year, u32::try_from(number).unwrap_or(u32::MAX));
    let id = Uuid::now_v7();
    sqlx::query(
            "INSERT INTO incidents (id, practice_id, reference, kind, status, what_happened, location, \
             occurred_at, discovered_at, reported_at, reported_by, on_behalf_of, patient_data, \
             staff_data, near_miss, asset_id, updated_at) \
             VALUES ($1, $2, $3, $4, 'reported', $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $9)",
        )
        .bind(id)
        .bind(practice.0)
        .bind(&reference)
        .bind(r.kind.as_str())
        .bind(&r.what_happened)
        .bind(&r.location)
        .bind(r.occurred_at)
        .bind(r.discovered_at)
        .bind(at)
        .bind(reporter.0)
        .bind(&r.on_behalf_of)
        .bind(r.patient_data)
        .bind(r.staff_data)
        .bind(r.near_miss)
        .bind(r.asset_id.map(|a| a.0))
        .execute(&mut **tx)
        .await?;
    let entry = match &r.on_behalf_of {
        Some(who) => format!("Reported on behalf of {who}"),
        None => "Reported".to_string(),
    };
    add_entry(tx, practice, id, at, by, "reported", &entry).await?;
    // The event says what kind and when, not what happened (the description may name
    // patients; it is read on the incident, where each read is recorded).
    insert_event(
        tx,
        &by.event(
            Some(practice),
            "incident.report",
            "incident",
            Some(id.to_string()),
        )
        .details(serde_json::json!({
            "reference": reference,
            "kind": r.kind.as_str(),
            "near_miss": r.near_miss,
            "patient_data": r.patient_data,
            "on_behalf_of": r.on_behalf_of.is_some(),
        })),
    )
    .await?;
    Ok(id)
}

/// Links who or what `who` is to the incident inside `tx`, with its timeline entry and event;
/// one already linked changes nothing. One not of the practice is refused, naming the field.
pub(super) async fn involve_in(
    tx: &mut Tx,
    practice: PracticeId,
    id: IncidentId,
    who: Involved,
    at: Timestamp,
    by: &AuditMeta,
) -> Result<()> {
    let exists: Option<Uuid> =
        sqlx::query_scalar("SELECT id FROM incidents WHERE practice_id = $1 AND id = $2")
            .bind(practice.0)
            .bind(id.0)
            .fetch_optional(&mut **tx)
            .await?;
    if exists.is_none() {
        return Err(StoreError::NotFound("incident"));
    }
    let name = involved_name(tx, practice, who).await?;
    let added = sqlx::query(
        "INSERT INTO incident_involved (practice_id, incident_id, kind, target_id, added_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (incident_id, kind, target_id) DO NOTHING",
    )
    .bind(practice.0)
    .bind(id.0)
    .bind(who.kind())
    .bind(who.id())
    .bind(at)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if added == 0 {
        return Ok(());
    }
    let step = ("involved", "incident.involve", "Involved");
    record_involvement(tx, practice, id, who, &name, step, at, by).await
}

/// The next number of the practice's `year` (one row per practice and year, taken under its
/// row lock, so reporters at the same moment get one each).
async fn next_number(tx: &mut Tx, practice: PracticeId, year: i32) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO incident_numbers (practice_id, year, last) VALUES ($1, $2, 1) \
         ON CONFLICT (practice_id, year) DO UPDATE SET last = incident_numbers.last + 1 \
         RETURNING last",
    )
    .bind(practice.0)
    .bind(i64::from(year))
    .fetch_one(&mut **tx)
    .await?)
}

/// The columns a step sets (`$3`… after the practice and the incident), bound in order.
fn step_change(step: &Step) -> (String, Vec<Bound>) {
    use Bound::*;
    let (columns, values): (&[&str], Vec<Bound>) = match step {
        Step::Status(s) => (&["status"], vec![Text(Some(s.as_str().into()))]),
        Step::Grade {
            grading,
            assessment,
            breach_types,
            people_affected,
            records_affected,
        } => (
            &[
                "likelihood",
                "severity",
                "vulnerable",
                "reportable",
                "notify_dhsc",
                "breach_types",
                "people_affected",
                "records_affected",
            ],
            vec![
                Int(Some(i64::from(grading.likelihood))),
                Int(Some(i64::from(grading.severity))),
                Flag(grading.vulnerable),
                Flag(assessment.reportable_to_ico),
                Flag(assessment.notify_dhsc),
                Text(Some(
                    breach_types
                        .iter()
                        .map(|b| b.as_str())
                        .collect::<Vec<_>>()
                        .join(","),
                )),
                Int(people_affected.map(i64::from)),
                Int(records_affected.map(i64::from)),
            ],
        ),
        Step::SeniorTold { at } => (&["senior_told_at"], vec![Moment(Some(*at))]),
        Step::Ico(ValidIcoDecision::Reported { reference, at }) => (
            &[
                "ico_decision",
                "ico_reference",
                "ico_reported_at",
                "ico_reason",
            ],
            vec![
                Text(Some("reported".into())),
                Text(Some(reference.clone())),
                Moment(Some(*at)),
                Text(None),
            ],
        ),
        Step::Ico(ValidIcoDecision::NotReportable { reason }) => (
            &[
                "ico_decision",
                "ico_reference",
                "ico_reported_at",
                "ico_reason",
            ],
            vec![
                Text(Some("not_reportable".into())),
                Text(None),
                Moment(None),
                Text(Some(reason.clone())),
            ],
        ),
        Step::PeopleAffected { told, note } => (
            &["subjects_decision", "subjects_note"],
            vec![
                Text(Some(if *told { "told" } else { "not_told" }.into())),
                Text(Some(note.clone())),
            ],
        ),
        Step::Note(_) => (&[], vec![]),
        Step::Close { lessons, risk } => (
            &["status", "lessons", "risk_id"],
            vec![
                Text(Some("closed".into())),
                Text(Some(lessons.clone())),
                Id(risk.as_ref().map(|r| r.id.0)),
            ],
        ),
    };
    let sets: Vec<String> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{c} = ${}", i + 4))
        .collect();
    (sets.join(", "), values)
}

/// A value a step binds.
enum Bound {
    Text(Option<String>),
    Int(Option<i64>),
    Flag(bool),
    Moment(Option<Timestamp>),
    Id(Option<Uuid>),
}

#[async_trait]
impl IncidentStore for ThisStore {
    async fn report_incident(
        &self,
        practice: PracticeId,
        r: &ValidReport,
        reporter: PersonId,
        at: Timestamp,
        by: &AuditMeta,
    ) -> Result<Incident> {
        let mut tx = self.pool.begin_with(BEGIN).await?;
        let id = report_in(&mut tx, practice, r, reporter, at, by).await?;
        tx.commit().await?;
        self.one_of(INCIDENT_QUERY, "i.id", practice, id, incident_from)
            .await
    }

    async fn incidents(&self, practice: PracticeId, f: &IncidentFilter) -> Result<Vec<Incident>> {
        let mut sql = INCIDENT_QUERY.to_string();
        let mut n = 1;
        let mut next = |cond: &str| {
            n += 1;
            format!(" AND {}", cond.replace('?', &format!("${n}")))
        };
        if f.reported_by.is_some() {
            sql += &next("i.reported_by = ?");
        }
        if f.status.is_some() {
            sql += &next("i.status = ?");
        }
        if f.kind.is_some() {
            sql += &next("i.kind = ?");
        }
        if f.reportable.is_some() {
            sql += &next("i.reportable = ?");
        }
        if f.from.is_some() {
            sql += &next("i.reported_at >= ?");
        }
        if f.until.is_some() {
            sql += &next("i.reported_at < ?");
        }
        if f.open {
            sql += &format!(" AND i.status IN {OPEN_STATUSES}");
        }
        sql += &format!(
            " ORDER BY i.reported_at DESC, i.id DESC LIMIT {}",
            f.limit.max(1)
        );
        let mut q = sqlx::query(&sql).bind(practice.0);
        if let Some(p) = f.reported_by {
            q = q.bind(p.0);
        }
        if let Some(s) = f.status {
            q = q.bind(s.as_str());
        }
        if let Some(k) = f.kind {
            q = q.bind(k.as_str());
        }
        if let Some(r) = f.reportable {
            q = q.bind(r);
        }
        if let Some(t) = f.from {
            q = q.bind(t);
        }
        if let Some(t) = f.until {
            q = q.bind(t);
        }
        q.fetch_all(&self.pool)
            .await?
            .iter()
            .map(incident_from)
            .collect()
    }

    async fn open_incidents_everywhere(&self) -> Result<Vec<PracticeOpenIncidents>> {
        let rows = sqlx::query(
            "SELECT p.id AS practice_id, p.name, p.ods_code, i.status, i.reportable, \
               i.discovered_at, i.near_miss, i.senior_told_at, i.ico_decision, i.subjects_decision \
             FROM practices p LEFT JOIN incidents i \
               ON i.practice_id = p.id AND i.status IN ('reported', 'triage', 'investigating', 'contained') \
             ORDER BY p.name, p.id",
        )
        .fetch_all(&self.pool)
        .await?;
        let start = |practice_id, practice, ods_code| PracticeOpenIncidents {
            practice_id,
            practice,
            ods_code,
            open: Vec::new(),
        };
        per_practice(&rows, start, "status", |p, r| {
            let status: String = r.try_get("status")?;
            p.open.push(rules::OpenIncident {
                status: IncidentStatus::parse(&status)
                    .ok_or_else(|| StoreError::Corrupt(format!("status {status}")))?,
                reportable: r.try_get("reportable")?,
                clocks: rules::ClockFacts {
                    aware: r.try_get("discovered_at")?,
                    near_miss: r.try_get("near_miss")?,
                    closed: false,
                    senior_told: r
                        .try_get::<Option<Timestamp>, _>("senior_told_at")?
                        .is_some(),
                    ico_decided: r.try_get::<Option<String>, _>("ico_decision")?.is_some(),
                    subjects_decided: r
                        .try_get::<Option<String>, _>("subjects_decision")?
                        .is_some(),
                },
            });
            Ok(())
        })
    }

    async fn incident(&self, practice: PracticeId, id: IncidentId) -> Result<Option<Incident>> {
        self.find_of(INCIDENT_QUERY, "i.id", practice, id.0, incident_from)
            .await
    }

    async fn report_incident_involving(
        &self,
        practice: PracticeId,
        r: &ValidReport,
        reporter: PersonId,
        who: Involved,
        at: Timestamp,
        by: &AuditMeta,
    ) -> Result<Incident> {
        let mut tx = self.pool.begin_with(BEGIN).await?;
        let id = report_in(&mut tx, practice, r, reporter, at, by).await?;
        involve_in(&mut tx, practice, IncidentId(id), who, at, by).await?;
        tx.commit().await?;
        self.one_of(INCIDENT_QUERY, "i.id", practice, id, incident_from)
            .await
    }

    async fn involve_in_incident(
        &self,
        practice: PracticeId,
        id: IncidentId,
        who: Involved,
        at: Timestamp,
        by: &AuditMeta,
    ) -> Result<()> {
        let mut tx = self.pool.begin_with(BEGIN).await?;
        involve_in(&mut tx, practice, id, who, at, by).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn release_from_incident(
        &self,
        practice: PracticeId,
        id: IncidentId,
        who: Involved,
        at: Timestamp,
        by: &AuditMeta,
    ) -> Result<()> {
        let mut tx = self.pool.begin_with(BEGIN).await?;
        let gone = sqlx::query(
            "DELETE FROM incident_involved WHERE practice_id = $1 AND incident_id = $2 \
             AND kind = $3 AND target_id = $4",
        )
        .bind(practice.0)
        .bind(id.0)
        .bind(who.kind())
        .bind(who.id())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if gone == 0 {
            return Err(StoreError::NotFound("involved"));
        }
        let name = involved_name(&mut tx, practice, who).await?;
        let step = ("released", "incident.release", "No longer involved");
        record_involvement(&mut tx, practice, id, who, &name, step, at, by).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn incident_involved(
        &self,
        practice: PracticeId,
        id: IncidentId,
    ) -> Result<Vec<InvolvedEntry>> {
        let rows = sqlx::query(
            "SELECT v.kind, v.target_id, COALESCE(p.full_name, a.name, r.reference || ' ' || r.title, \
               d.asset_tag || ' (' || d.make_model || ')', '') AS name \
             FROM incident_involved v \
             LEFT JOIN people p ON v.kind = 'person' AND p.id = v.target_id \
             LEFT JOIN assets a ON v.kind = 'asset' AND a.id = v.target_id AND a.practice_id = v.practice_id \
             LEFT JOIN risks r ON v.kind = 'risk' AND r.id = v.target_id AND r.practice_id = v.practice_id \
             LEFT JOIN devices d ON v.kind = 'device' AND d.id = v.target_id AND d.practice_id = v.practice_id \
             WHERE v.practice_id = $1 AND v.incident_id = $2 ORDER BY v.kind, name",
        )
        .bind(practice.0)
        .bind(id.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let kind: String = r.try_get("kind")?;
                let involved = Involved::from_parts(&kind, r.try_get("target_id")?)
                    .ok_or_else(|| StoreError::Corrupt(format!("involved {kind}")))?;
                Ok(InvolvedEntry {
                    involved,
                    kind: involved.kind(),
                    id: involved.id(),
                    name: r.try_get("name")?,
                })
            })
            .collect()
    }

    async fn incident_entries(
        &self,
        practice: PracticeId,
        id: IncidentId,
    ) -> Result<Vec<IncidentEntry>> {
        let rows = sqlx::query(
            "SELECT at, by_name, step, text FROM incident_entries \
             WHERE practice_id = $1 AND incident_id = $2 ORDER BY at, id",
        )
        .bind(practice.0)
        .bind(id.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(IncidentEntry {
                    at: r.try_get("at")?,
                    by_name: r.try_get("by_name")?,
                    step: r.try_get("step")?,
                    text: r.try_get("text")?,
                })
            })
            .collect()
    }

    async fn handle_incident(
        &self,
        practice: PracticeId,
        id: IncidentId,
        step: &Step,
        at: Timestamp,
        by: &AuditMeta,
    ) -> Result<Incident> {
        let (sets, values) = step_change(step);
        // The moment a step is taken stamps the decision or the closing it records.
        let stamped = match step {
            Step::Close { .. } => ", closed_at = $3",
            Step::PeopleAffected { .. } => ", subjects_decided_at = $3",
            _ => "",
        };
        let sql = format!(
            "UPDATE incidents SET updated_at = $3{}{sets}{stamped} \
             WHERE practice_id = $1 AND id = $2 AND status <> 'closed'",
            if sets.is_empty() { "" } else { ", " },
        );
        let mut q = sqlx::query(&sql).bind(practice.0).bind(id.0).bind(at);
        for v in values {
            q = match v {
                Bound::Text(t) => q.bind(t),
                Bound::Int(i) => q.bind(i),
                Bound::Flag(b) => q.bind(b),
                Bound::Moment(m) => q.bind(m),
                Bound::Id(u) => q.bind(u),
            };
        }
        let mut tx = self.pool.begin_with(BEGIN).await?;
        if q.execute(&mut *tx).await?.rows_affected() == 0 {
            let exists: Option<Uuid> =
                sqlx::query_scalar("SELECT id FROM incidents WHERE practice_id = $1 AND id = $2")
                    .bind(practice.0)
                    .bind(id.0)
                    .fetch_optional(&mut *tx)
                    .await?;
            return Err(match exists {
                None => StoreError::NotFound("incident"),
                Some(_) => StoreError::Conflict {
                    field: "status",
                    message: "This incident is closed: it takes no more steps".into(),
                },
            });
        }
        let (word, text) = step.describe();
        add_entry(&mut tx, practice, id.0, at, by, word, &text).await?;
        // The event carries what the step decided, never a note's or the lessons' text.
        let details = match step {
            Step::Note(_) => serde_json::json!({}),
            Step::Close { risk, .. } => serde_json::json!({
                "risk_id": risk.as_ref().map(|r| r.id.to_string()),
                "risk_raised": risk.as_ref().is_some_and(|r| r.raised),
            }),
            Step::PeopleAffected { told, .. } => serde_json::json!({ "told": told }),
            _ => serde_json::json!({ "entry": text }),
        };
        insert_event(
            &mut tx,
            &by.event(
                Some(practice),
                &format!("incident.{word}"),
                "incident",
                Some(id.to_string()),
            )
            .details(details),
        )
        .await?;
        tx.commit().await?;
        self.one_of(INCIDENT_QUERY, "i.id", practice, id.0, incident_from)
            .await
    }
}
