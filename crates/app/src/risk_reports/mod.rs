//! The quarterly risk report: drafted by the scheduler when a quarter ends, minuted at the
//! practice meeting, signed off by the SIRO; the signed copy is kept as it was signed.

/// The quarter's draft report, and reports waiting for sign-off.
pub const CAPABILITY: crate::Capability = crate::Capability {
    jobs: &[QUARTERLY_DRAFTS],
    attention: Some(attention),
};

use custodian_domain::quarters::{Quarter, parse_quarter};
use custodian_domain::risk_report::ReportStatus;
use custodian_domain::risk_report::{
    self, ActionFact, ChangeFact, QuarterlyReport, ReportFacts, RiskFact,
};
use custodian_domain::risks::{self, Matrix};
use custodian_domain::{Permission, Practice};
use custodian_store::{AuditMeta, EventFilter, RiskFilter, RiskReport};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{Actor, App, AppError};

// ---- building the report ---------------------------------------------------------------------

/// The copy kept when the SIRO signs off: the report with the meeting's minutes and decisions.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct SignedCopy {
    pub report: QuarterlyReport,
    pub minutes: String,
    pub decisions: String,
}

/// The quarter's report built from the register as it is now.
pub async fn build_report(
    app: &App,
    practice: &Practice,
    quarter: Quarter,
) -> Result<QuarterlyReport, AppError> {
    let settings = app.store.settings(practice.id).await?;
    let m: &Matrix = risks::matrix(&settings.risk_matrix);
    let list = app
        .store
        .risks(
            practice.id,
            &RiskFilter {
                limit: 50_000,
                ..Default::default()
            },
        )
        .await?;
    let assets: std::collections::HashMap<custodian_domain::AssetId, String> = app
        .store
        .asset_choices(practice.id)
        .await?
        .into_iter()
        .collect();
    let facts: Vec<RiskFact> = list.iter().map(|r| risk_fact(r, &assets)).collect();
    let actions: Vec<ActionFact> = app
        .store
        .actions(practice.id, custodian_store::ActionsOf::Register("risk"))
        .await?
        .into_iter()
        .map(|a| ActionFact {
            risk_id: custodian_domain::RiskId(a.record_id),
            description: a.description,
            owner: a.owner_name,
            due_on: a.due_on,
            status: a.status,
        })
        .collect();
    let changes = quarter_changes(app, practice, quarter).await?;
    let (incidents, incident_actions) = incident_facts(app, practice).await?;
    let previous_cells = match app
        .store
        .risk_report(practice.id, &quarter.previous().key())
        .await?
    {
        Some(prev) => content_of(&prev).ok().map(|c| c.report.cells),
        None => None,
    };
    Ok(risk_report::build(ReportFacts {
        practice: &practice.name,
        ods_code: &practice.ods_code,
        quarter,
        matrix: m,
        appetite: settings.risk_appetite,
        risks: &facts,
        actions: &actions,
        changes: &changes,
        incidents: &incidents,
        incident_actions: &incident_actions,
        previous_cells,
        generated_at: app.clock.now(),
        today: app.today(),
    }))
}

/// The practice's incidents as the report's incidents section needs them, and their actions
/// past their due date.
async fn incident_facts(
    app: &App,
    practice: &Practice,
) -> Result<(Vec<risk_report::IncidentFact>, Vec<risk_report::ActionLine>), AppError> {
    let all = custodian_store::IncidentFilter {
        limit: crate::incidents::REGISTER_MAX,
        ..Default::default()
    };
    let now = app.clock.now();
    let incidents = app.store.incidents(practice.id, &all).await?;
    let today = app.today();
    let references: std::collections::HashMap<uuid::Uuid, &str> = incidents
        .iter()
        .map(|i| (i.id.0, i.reference.as_str()))
        .collect();
    let actions = app
        .store
        .actions(practice.id, custodian_store::ActionsOf::Register("incident"))
        .await?
        .into_iter()
        .filter(|a| a.overdue(today))
        .map(|a| risk_report::ActionLine {
            reference: references.get(&a.record_id).copied().unwrap_or("").to_string(),
            description: a.description,
            owner: a.owner_name,
            due_on: a.due_on,
        })
        .collect();
    let facts = incidents
        .into_iter()
        .map(|i| risk_report::IncidentFact {
            clocks_overdue: crate::incidents::clocks(&i, now)
                .iter()
                .filter(|c| c.state == custodian_domain::incidents::ClockState::Red)
                .count(),
            ico: match i.ico_decision.as_deref() {
                Some("reported") => Some(format!(
                    "Reported to the ICO (reference {})",
                    i.ico_reference.clone().unwrap_or_default()
                )),
                Some(_) => Some(format!(
                    "Not reportable: {}",
                    i.ico_reason.clone().unwrap_or_default()
                )),
                None => None,
            },
            reference: i.reference,
            kind: i.kind,
            reported_at: i.reported_at,
            near_miss: i.near_miss,
            grading: i.likelihood.zip(i.severity),
            reportable: i.reportable,
            closed_at: i.closed_at,
            lessons: i.lessons,
        })
        .collect();
    Ok((facts, actions))
}

/// A risk as the report needs it.
fn risk_fact(
    r: &custodian_store::Risk,
    assets: &std::collections::HashMap<custodian_domain::AssetId, String>,
) -> RiskFact {
    let f = &r.fields;
    let threatens = f
        .threatens()
        .into_iter()
        .map(|(dim, why)| (dim, why.to_string()))
        .collect();
    RiskFact {
        id: r.id,
        reference: r.reference.clone(),
        title: f.title.clone(),
        owner: r.owner_name.clone(),
        status: f.status(),
        category: f.category.clone(),
        threat: f.threat.clone(),
        vulnerability: f.vulnerability.clone(),
        threatens,
        assets: f
            .asset_ids
            .iter()
            .filter_map(|a| assets.get(a).cloned())
            .collect(),
        inherent_score: r.inherent_score as u8,
        residual: (
            f.residual_likelihood.unwrap_or(1),
            f.residual_impact.unwrap_or(1),
        ),
        residual_score: r.residual_score as u8,
        target_score: r.target_score.map(|t| t as u8),
        controls: f.controls.clone(),
        // Raised: the date the practice gives (a risk may be recorded after it was
        // raised), else the day it was added.
        created_on: custodian_domain::identity::parse_date(&f.raised_on)
            .unwrap_or_else(|| custodian_domain::identity::london_today(r.created_at)),
        next_review_on: r.next_review_on,
        acceptance: r.acceptance.as_ref().map(|a| {
            (
                custodian_domain::identity::london_today(a.accepted_at),
                a.band.clone(),
                a.above_appetite,
                a.expires_on,
                a.accepted_by_name.clone(),
                a.reason.clone(),
            )
        }),
    }
}

/// What happened to the register's risks during the quarter: updates, closures and reviews.
async fn quarter_changes(
    app: &App,
    practice: &Practice,
    quarter: Quarter,
) -> Result<Vec<ChangeFact>, AppError> {
    let from = quarter
        .start()
        .and_hms_opt(0, 0, 0)
        .expect("midnight")
        .and_utc();
    let to = (quarter.end() + chrono::Duration::days(1))
        .and_hms_opt(0, 0, 0)
        .expect("midnight")
        .and_utc();
    Ok(app
        .store
        .search_events(&EventFilter {
            practice: Some(practice.id),
            action: Some("risk.".into()),
            from: Some(from),
            to: Some(to),
            limit: 50_000,
            ..Default::default()
        })
        .await?
        .into_iter()
        .filter_map(|e| {
            let risk_id = e.event.object_id.as_deref()?.parse().ok()?;
            let on = custodian_domain::identity::london_today(e.occurred_at);
            let kind = match e.event.action.as_str() {
                "risk.update" if e.event.details["status"]["new"] == risks::RiskStatus::Closed.as_str() => "close",
                "risk.update" => "update",
                "risk.review" => "review",
                _ => return None,
            };
            Some(ChangeFact { risk_id, on, kind })
        })
        .collect())
}

/// What a stored report holds: the signed copy, or the draft as first produced.
pub fn content_of(r: &RiskReport) -> Result<SignedCopy, AppError> {
    match &r.signed_report {
        Some(json) => serde_json::from_str(json)
            .map_err(|e| AppError::Internal(format!("signed report {}: {e}", r.quarter))),
        None => Ok(SignedCopy {
            report: serde_json::from_str(&r.snapshot)
                .map_err(|e| AppError::Internal(format!("report snapshot {}: {e}", r.quarter)))?,
            minutes: r.minutes.clone(),
            decisions: r.decisions.clone(),
        }),
    }
}

/// The quarter's report record: the existing one, or a new draft.
pub async fn ensure_report(
    app: &App,
    practice: &Practice,
    quarter: Quarter,
    by: &AuditMeta,
) -> Result<RiskReport, AppError> {
    quarter.check_reportable(app.today())?;
    if let Some(r) = app.store.risk_report(practice.id, &quarter.key()).await? {
        return Ok(r);
    }
    let report = build_report(app, practice, quarter).await?;
    let snapshot = serde_json::to_string(&report).expect("a report serialises");
    Ok(app
        .store
        .ensure_risk_report(practice.id, &quarter.key(), &snapshot, by)
        .await?)
}

/// The scheduler's part: at the start of each quarter, every practice gets the draft of the
/// quarter just ended. Returns how many drafts were made.
pub async fn draft_quarterly_reports(app: &App) -> Result<usize, AppError> {
    let today = app.today();
    let mut made = 0;
    for p in &crate::practices::all_practices(app).await? {
        let settings = app.store.settings(p.id).await?;
        let quarter = Quarter::containing(today, settings.quarter_start_month).previous();
        if app.store.risk_report(p.id, &quarter.key()).await?.is_none() {
            ensure_report(app, p, quarter, &AuditMeta::system("scheduler")).await?;
            made += 1;
        }
    }
    Ok(made)
}

pub async fn first_month(app: &App, actor: &Actor<'_>) -> Result<u32, AppError> {
    Ok(app
        .store
        .settings(actor.practice_id())
        .await?
        .quarter_start_month)
}

pub async fn load(
    app: &App,
    actor: &Actor<'_>,
    key: &str,
) -> Result<(Quarter, RiskReport), AppError> {
    app.require(actor, Permission::RisksView, "risk_report.view")
        .await?;
    let q = Quarter::parse(key, first_month(app, actor).await?).ok_or(AppError::NotFound)?;
    let r = app
        .store
        .risk_report(actor.practice_id(), &q.key())
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((q, r))
}

/// What the report shows now: the signed copy, or for a draft the register as it is today.
pub async fn current(
    app: &App,
    actor: &Actor<'_>,
    q: Quarter,
    r: &RiskReport,
) -> Result<SignedCopy, AppError> {
    if r.status == ReportStatus::Signed {
        return content_of(r);
    }
    Ok(SignedCopy {
        report: build_report(app, actor.practice, q).await?,
        minutes: r.minutes.clone(),
        decisions: r.decisions.clone(),
    })
}

/// A report and what it shows, read for a person (a view or an export, recorded as `action`).
pub async fn read(
    app: &App,
    actor: &Actor<'_>,
    key: &str,
    action: &str,
    format: Option<&str>,
) -> Result<(RiskReport, SignedCopy), AppError> {
    let (q, record) = load(app, actor, key).await?;
    let copy = current(app, actor, q, &record).await?;
    let mut details = serde_json::json!({ "quarter": record.quarter });
    if let Some(f) = format {
        details["format"] = f.into();
    }
    app.record_read(
        actor
            .event(action, "risk_report", Some(record.id.to_string()))
            .details(details),
    )
    .await?;
    Ok((record, copy))
}

pub async fn generate(app: &App, actor: &Actor<'_>, key: &str) -> Result<RiskReport, AppError> {
    app.require(actor, Permission::RisksManage, "risk_report.create")
        .await?;
    let q = parse_quarter(key, first_month(app, actor).await?)?;
    ensure_report(app, actor.practice, q, actor.meta).await
}

/// The meeting's minutes and decisions.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct MinutesInput {
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 20000)]
    pub minutes: String,
    #[serde(default)]
    pub decisions: String,
}

pub async fn record_minutes(
    app: &App,
    actor: &Actor<'_>,
    key: &str,
    input: &MinutesInput,
) -> Result<RiskReport, AppError> {
    let (q, _) = load(app, actor, key).await?;
    app.require(actor, Permission::RisksManage, "risk_report.minutes")
        .await?;
    let mut c = custodian_domain::validation::Checker::new();
    c.text(
        "minutes",
        "the minutes of the practice meeting",
        &input.minutes,
        20_000,
    );
    if input.decisions.chars().count() > 20_000 {
        c.fail(
            "decisions",
            "The decisions must be 20,000 characters or fewer",
        );
    }
    c.finish()?;
    Ok(app
        .store
        .record_report_minutes(
            actor.practice_id(),
            &q.key(),
            &input.minutes,
            &input.decisions,
            actor.meta,
        )
        .await?)
}

pub async fn sign(app: &App, actor: &Actor<'_>, key: &str) -> Result<RiskReport, AppError> {
    let (q, r) = load(app, actor, key).await?;
    app.require(
        actor,
        Permission::RiskAcceptAboveAppetite,
        "risk_report.sign",
    )
    .await?;
    if r.status == ReportStatus::Signed {
        return Err(custodian_domain::Invalid::one(
            "quarter",
            "This report has already been signed off",
        )
        .into());
    }
    if q.in_progress(app.today()) {
        return Err(custodian_domain::Invalid::one(
            "quarter",
            format!(
                "{} has not ended yet: sign the report off after the quarter ends",
                q.label()
            ),
        )
        .into());
    }
    if r.minutes.trim().is_empty() {
        return Err(custodian_domain::Invalid::one(
            "minutes",
            "Record the practice meeting's minutes before signing the report off",
        )
        .into());
    }
    let copy = SignedCopy {
        report: build_report(app, actor.practice, q).await?,
        minutes: r.minutes.clone(),
        decisions: r.decisions.clone(),
    };
    let json = serde_json::to_string(&copy).expect("a report serialises");
    Ok(app
        .store
        .sign_risk_report(actor.practice_id(), &q.key(), &json, actor.meta)
        .await?)
}

/// The scheduler's job: each practice's draft report for the quarter just ended.
pub const QUARTERLY_DRAFTS: crate::scheduler::Job = crate::scheduler::Job {
    name: "quarterly risk reports",
    cadence: crate::scheduler::Cadence::EveryTick,
    run: |app| {
        Box::pin(async move {
            let n = draft_quarterly_reports(app).await?;
            Ok((n > 0).then(|| format!("{n} quarterly risk reports drafted")))
        })
    },
};

/// Last quarter's report, once drafted and until the SIRO signs it off.
pub fn attention<'a>(app: &'a App, actor: &'a Actor<'a>) -> crate::home::AttentionFuture<'a> {
    Box::pin(async move {
        if !actor.access.can(Permission::RisksView) {
            return Ok(vec![]);
        }
        let practice = actor.practice_id();
        let settings = app.store.settings(practice).await?;
        let last = Quarter::containing(app.today(), settings.quarter_start_month).previous();
        Ok(match app.store.risk_report(practice, &last.key()).await? {
            Some(r) if r.status == ReportStatus::Draft => {
                let kind = custodian_domain::notifications::NoticeKind::ReportSignOff;
                let path = format!("/risk-reports/{}", r.quarter);
                let label = last.label();
                // The SIRO's task; for everyone else who sees risks, news of the practice's.
                vec![if actor.access.can(Permission::RiskAcceptAboveAppetite) {
                    crate::home::Attention::task(
                        kind,
                        path,
                        format!("Sign off the {label} threats and vulnerabilities report after the practice meeting"),
                    )
                } else {
                    crate::home::Attention::problem(
                        kind,
                        path,
                        format!("The {label} threats and vulnerabilities report is ready for the practice meeting and the SIRO's sign-off"),
                    )
                }]
            }
            _ => vec![],
        })
    })
}
