//! The audit trail in the web UI and the API: filtered lists, an event with its proof, the
//! latest checkpoint, consistency proofs, and verifiable exports.

use crate::kit::layout::PracticeAddress;
use askama::Template;
use axum::Json;
use axum::extract::{Query, State};

use axum::response::Response;
use chrono::{DateTime, NaiveDate, Utc};
use custodian_audit::Record;
use custodian_domain::Permission;
use custodian_domain::time::show_datetime;
use custodian_store::{EventFilter, Outcome, StoredEvent};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::kit::capability::{Capability, ProviderPage, Room};
use crate::kit::error::Problem;
use crate::kit::forms::{Errors, PracticeParam};
use crate::kit::layout::{Layout, render, render_with};
use crate::kit::routes::{Reach, Routes};
use crate::kit::session::{InPractice, PracticeScope, SignedIn};
use crate::{AppError, AppState, HttpError};

mod inappropriate_use;

pub(crate) use inappropriate_use::*;

pub fn routes(r: &mut Routes) {
    use Reach::*;
    r.get("/provider/audit", SignedIn, provider_audit_page)
        .get("/api/v1/audit/checkpoint", SignedIn, api_checkpoint)
        .get("/api/v1/audit/consistency", SignedIn, api_consistency);
    r.pages()
        .get("/audit", audit_page)
        .get("/audit/{seq}", event_page)
        .get("/audit-export", export_download)
        .get("/audit/report", report_page);
    r.api()
        .get("/audit/events", api_events)
        .get("/audit/events/{seq}", api_event)
        .get("/audit/export", export_download)
        .get("/audit/report", api_report);
}

#[derive(Deserialize, Default, Clone)]
pub struct AuditQuery {
    #[serde(default)]
    actor: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    outcome: String,
    /// YYYY-MM-DD (Europe/London).
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    /// Only events before this sequence number (the next page).
    #[serde(default)]
    before: Option<i64>,
    #[serde(default)]
    limit: Option<u32>,
}

fn day(
    s: &str,
    field: &str,
    end: bool,
) -> Result<Option<DateTime<Utc>>, custodian_domain::Invalid> {
    if s.trim().is_empty() {
        return Ok(None);
    }
    let d = custodian_domain::time::parse_date(s).ok_or_else(|| {
        custodian_domain::Invalid::one(
            field,
            format!("Enter the {field} date as a real date, like 2026-11-01"),
        )
    })?;
    let d = if end {
        d + chrono::Duration::days(1)
    } else {
        d
    };
    Ok(Some(custodian_domain::identity::start_of_day(d)))
}

/// The latest verification of the log, as the audit pages show it.
async fn latest_verification(state: &AppState) -> Result<Option<VerificationView>, HttpError> {
    Ok(state
        .store
        .latest_verification()
        .await?
        .map(|v| VerificationView {
            ok: v.ok,
            ran_at: show_datetime(v.ran_at),
            summary: v.summary,
        }))
}

impl AuditQuery {
    /// The next page's address (`page` ends in `?` or `&`) when this one is full: the same
    /// filter, before the last event shown.
    fn next_page(&self, page: &str, events: &[custodian_store::StoredEvent]) -> Option<String> {
        use crate::kit::session::urlencode;
        let full = events.len() == self.limit.unwrap_or(100).clamp(1, 500) as usize;
        full.then(|| {
            let last = events.last().map(|e| e.seq).unwrap_or(0);
            format!(
                "{page}actor={}&action={}&outcome={}&from={}&to={}&before={last}",
                urlencode(&self.actor),
                urlencode(&self.action),
                urlencode(&self.outcome),
                urlencode(&self.from),
                urlencode(&self.to)
            )
        })
    }

    fn filter(
        &self,
        scope: &PracticeScope,
        people: Vec<custodian_domain::PersonId>,
    ) -> Result<EventFilter, custodian_domain::Invalid> {
        self.filter_for(Some(scope.id()), people)
    }

    /// The filter for one practice (with its staff's events of no practice), or with `None`
    /// for every event.
    fn filter_for(
        &self,
        practice: Option<custodian_domain::PracticeId>,
        people: Vec<custodian_domain::PersonId>,
    ) -> Result<EventFilter, custodian_domain::Invalid> {
        let outcome = match self.outcome.as_str() {
            "" => None,
            o => Some(Outcome::parse(o).ok_or_else(|| {
                custodian_domain::Invalid::one(
                    "outcome",
                    "Outcome must be success, failure or denied",
                )
            })?),
        };
        let (from, to) = (day(&self.from, "from", false)?, day(&self.to, "to", true)?);
        if let (Some(f), Some(t)) = (from, to)
            && f >= t
        {
            return Err(custodian_domain::Invalid::one(
                "to",
                "The 'to' date must not be before the 'from' date",
            ));
        }
        Ok(EventFilter {
            practice,
            people,
            actor: Some(self.actor.trim().to_lowercase()).filter(|a| !a.is_empty()),
            action: Some(self.action.trim().to_string()).filter(|a| !a.is_empty()),
            outcome,
            from,
            to,
            before_seq: self.before,
            limit: self.limit.unwrap_or(100).clamp(1, 500),
            ..Default::default()
        })
    }
}

/// The practice's staff: their sign-ins and other events of no practice belong to its trail.
async fn staff(
    state: &AppState,
    scope: &PracticeScope,
) -> Result<Vec<custodian_domain::PersonId>, HttpError> {
    Ok(state
        .store
        .access_overview(scope.id())
        .await?
        .into_iter()
        .map(|o| o.person_id)
        .collect())
}

/// An event's details as a list shows them: what changed ("field: old → new"), in at most 160
/// characters; nothing when there are none.
fn details_in_list(text: &str) -> String {
    if text.trim() == "{}" {
        return String::new();
    }
    crate::kit::history::describe_changes(text, 160)
}

struct EventRow {
    seq: i64,
    when: String,
    /// Who acted, by name.
    actor: String,
    /// What happened, as a sentence (`audit_text`).
    action: String,
    outcome: &'static str,
    details: String,
}

#[derive(Template)]
#[template(path = "audit/audit.html")]
struct AuditPage {
    layout: Layout,
    practice: custodian_domain::Practice,
    errors: Errors,
    f: AuditQuery,
    outcomes: [&'static str; 3],
    events: Vec<EventRow>,
    next: Option<String>,
    public_key: String,
    checkpoint: Option<String>,
    verification: Option<VerificationView>,
    retention: String,
}

/// What the retention setting does, in words.
fn retention(state: &AppState) -> String {
    match state.audit_retention_years {
        0 => {
            "Every event is kept: nothing is ever removed (the audit.retention_years setting is 0)."
                .into()
        }
        n => format!(
            "Events are kept for {n} year{}. Once a day older ones are removed; their hashes stay in the log, so verification, proofs and checkpoints still cover them, and each removal is itself an event in the trail.",
            if n == 1 { "" } else { "s" }
        ),
    }
}

struct VerificationView {
    ok: bool,
    ran_at: String,
    summary: String,
}

async fn audit_page(
    State(state): State<AppState>,
    scope: PracticeScope,
    Query(q): Query<AuditQuery>,
) -> Result<Response, HttpError> {
    scope.require(Permission::AuditView, "audit.list").await?;
    let (events, errors) = match q.filter(&scope, staff(&state, &scope).await?) {
        Ok(f) => (state.store.search_events(&f).await?, Errors::none()),
        Err(e) => (vec![], e.into()),
    };
    scope
        .record_list("audit.list", "audit_event", events.len())
        .await?;
    let next = q.next_page(&scope.path("/audit?"), &events);
    let who = crate::kit::event_names::Names::of(&state, &events).await?;
    let verification = latest_verification(&state).await?;
    let checkpoint = state.store.latest_checkpoint().await?.map(|c| c.note);
    let status = errors.status();
    let here = scope.path("/audit");
    Ok(render_with(
        status,
        &AuditPage {
            layout: scope.layout(&here),
            practice: scope.practice.clone(),
            errors,
            outcomes: ["success", "failure", "denied"],
            events: events
                .iter()
                .map(|e| EventRow {
                    seq: e.seq,
                    when: show_datetime(e.occurred_at),
                    actor: who.actor(e),
                    action: who.sentence(e),
                    outcome: e.event.outcome.as_str(),
                    details: details_in_list(&e.details_text),
                })
                .collect(),
            f: q,
            next,
            public_key: state.audit.public_key(),
            checkpoint,
            verification,
            retention: retention(&state),
        },
    ))
}

#[derive(Deserialize, Default, Clone)]
pub struct ProviderAuditQuery {
    #[serde(flatten)]
    q: AuditQuery,
    /// A practice's id; empty for every practice and the events of none (sign-ins...).
    #[serde(default)]
    practice: String,
}

struct ProviderEventRow {
    seq: i64,
    practice: String,
    /// The practice's address, for the link to the event.
    practice_home: Option<String>,
    when: String,
    actor: String,
    action: String,
    outcome: &'static str,
    details: String,
}

#[derive(Template)]
#[template(path = "audit/provider_audit.html")]
struct ProviderAuditPage {
    layout: Layout,
    errors: Errors,
    f: AuditQuery,
    practice: String,
    practices: Vec<(String, String)>,
    outcomes: [&'static str; 3],
    events: Vec<ProviderEventRow>,
    next: Option<String>,
    verification: Option<VerificationView>,
    retention: String,
}

/// The audit trail across every practice, for provider staff who may read audit trails.
async fn provider_audit_page(
    State(state): State<AppState>,
    user: SignedIn,
    crate::kit::session::RequestMeta(meta): crate::kit::session::RequestMeta,
    Query(pq): Query<ProviderAuditQuery>,
) -> Result<Response, HttpError> {
    crate::kit::session::require_provider(
        &state,
        &user,
        &meta,
        Permission::AuditView,
        "audit.list",
    )
    .await?;
    let q = pq.q.clone();
    let all = custodian_app::practices::all_practices(&state).await?;
    let chosen = all
        .iter()
        .find(|p| p.id.0.to_string() == pq.practice)
        .map(|p| p.id);
    let filter = match (
        q.filter_for(chosen, vec![]),
        pq.practice.is_empty() || chosen.is_some(),
    ) {
        (Ok(f), true) => Ok(f),
        (Ok(_), false) => Err(custodian_domain::Invalid::one(
            "practice",
            "Choose a practice from the list",
        )),
        (Err(e), _) => Err(e),
    };
    let (events, errors) = match filter {
        Ok(f) => (state.store.search_events(&f).await?, Errors::none()),
        Err(e) => (vec![], e.into()),
    };
    state
        .store
        .append_event(
            &meta
                .event(chosen, "audit.list", "audit_event", None)
                .details(serde_json::json!({ "records": events.len(), "provider": true })),
        )
        .await?;
    let names: std::collections::HashMap<custodian_domain::PracticeId, String> =
        all.iter().map(|p| (p.id, p.name.clone())).collect();
    let next = q.next_page(
        &format!(
            "/provider/audit?practice={}&",
            crate::kit::session::urlencode(&pq.practice)
        ),
        &events,
    );
    let verification = latest_verification(&state).await?;
    let who = crate::kit::event_names::Names::of(&state, &events).await?;
    let status = errors.status();
    Ok(render_with(
        status,
        &ProviderAuditPage {
            layout: Layout::new(&user, None, "/provider/audit"),
            errors,
            outcomes: ["success", "failure", "denied"],
            practices: all
                .iter()
                .map(|p| (p.id.0.to_string(), format!("{} ({})", p.name, p.ods_code)))
                .collect(),
            events: events
                .iter()
                .map(|e| ProviderEventRow {
                    seq: e.seq,
                    practice: e
                        .event
                        .practice_id
                        .and_then(|p| names.get(&p).cloned())
                        .unwrap_or_else(|| "–".into()),
                    practice_home: e
                        .event
                        .practice_id
                        .map(|p| crate::kit::layout::PracticeAddress::home(&p)),
                    when: show_datetime(e.occurred_at),
                    actor: who.actor(e),
                    action: who.sentence(e),
                    outcome: e.event.outcome.as_str(),
                    details: details_in_list(&e.details_text),
                })
                .collect(),
            practice: pq.practice,
            f: q,
            next,
            verification,
            retention: retention(&state),
        },
    ))
}

/// An event of this practice, or 404 (never another practice's).
async fn practice_event(
    state: &AppState,
    scope: &PracticeScope,
    seq: &str,
) -> Result<StoredEvent, HttpError> {
    let seq: i64 = seq.parse().map_err(|_| AppError::NotFound)?;
    let e = state.store.event(seq).await?.ok_or(AppError::NotFound)?;
    let mine = match e.event.practice_id {
        Some(p) => p == scope.id(),
        None => {
            let staff = staff(state, scope).await?;
            e.event.meta.actor_id.is_some_and(|a| staff.contains(&a))
                || e.event
                    .object_id
                    .as_deref()
                    .is_some_and(|o| staff.iter().any(|s| s.to_string() == o))
        }
    };
    if !mine {
        return Err(AppError::NotFound.into());
    }
    Ok(e)
}

#[derive(Template)]
#[template(path = "audit/audit_event.html")]
struct EventPage {
    layout: Layout,
    practice: custodian_domain::Practice,
    seq: i64,
    when: String,
    record: Record,
    details: String,
    leaf_index: i64,
    tree_size: i64,
    proof: Vec<String>,
    checkpoint: String,
}

async fn event_page(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(seq): InPractice<String>,
) -> Result<Response, HttpError> {
    scope.require(Permission::AuditView, "audit.view").await?;
    let e = practice_event(&state, &scope, &seq).await?;
    let p = state.audit.prove(&state.store, e.seq, None).await?;
    scope
        .record(scope.event("audit.view", "audit_event", Some(e.seq.to_string())))
        .await?;
    Ok(render(&EventPage {
        layout: scope.layout(&scope.path("/audit")),
        practice: scope.practice.clone(),
        seq: e.seq,
        when: show_datetime(e.occurred_at),
        details: serde_json::to_string_pretty(&e.event.details)
            .unwrap_or_else(|_| e.details_text.clone()),
        record: p.record,
        leaf_index: p.leaf_index,
        tree_size: p.tree_size,
        proof: p.proof,
        checkpoint: p.checkpoint,
    }))
}

#[derive(Deserialize)]
struct ExportQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

async fn export_download(
    State(state): State<AppState>,
    scope: PracticeScope,
    Query(q): Query<ExportQuery>,
) -> Result<Response, HttpError> {
    scope.require(Permission::AuditView, "audit.export").await?;
    let from = day(&q.from, "from", false)?.unwrap_or_else(|| {
        custodian_domain::identity::start_of_day(NaiveDate::from_ymd_opt(2000, 1, 1).unwrap())
    });
    let to =
        day(&q.to, "to", true)?.unwrap_or_else(|| state.clock.now() + chrono::Duration::days(1));
    let export = state
        .audit
        .export(&state.store, scope.id(), from, to)
        .await?;
    scope
        .record(
            scope.event("audit.export", "audit_event", None).details(
                serde_json::json!({ "records": export.count, "from": q.from, "to": q.to }),
            ),
        )
        .await?;
    let body =
        serde_json::to_string_pretty(&export).map_err(|e| AppError::Internal(e.to_string()))?;
    let name = format!(
        "custodian-audit-{}-{}.json",
        scope.practice.ods_code,
        state.clock.now().format("%Y%m%d")
    );
    Ok(crate::kit::csv::download(&name, "application/json", body))
}

/// An audit event as the API shows it.
#[derive(Serialize, ToSchema)]
pub struct EventOut {
    pub seq: i64,
    pub occurred_at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub object_type: String,
    pub object_id: Option<String>,
    pub outcome: String,
    pub details: serde_json::Value,
    pub ip: Option<String>,
    pub request_id: Option<String>,
}

fn event_out(e: &StoredEvent) -> EventOut {
    EventOut {
        seq: e.seq,
        occurred_at: e.occurred_at,
        actor: e.event.meta.actor.clone(),
        action: e.event.action.clone(),
        object_type: e.event.object_type.clone(),
        object_id: e.event.object_id.clone(),
        outcome: e.event.outcome.as_str().into(),
        details: e.event.details.clone(),
        ip: e.event.meta.ip.clone(),
        request_id: e.event.meta.request_id.clone(),
    }
}

#[derive(Serialize, ToSchema)]
pub struct EventsPage {
    pub items: Vec<EventOut>,
    /// Pass as `before` for older events.
    pub next_before: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/practices/{practice_id}/audit/events", tag = "audit", summary = "Audit events of a practice",
    description = "Newest first. Filters: actor (username), action (or its start, e.g. `session.`), outcome, from/to (YYYY-MM-DD, UK dates). Recorded with the number of events returned.",
    params(PracticeParam, ("actor" = Option<String>, Query, description = "Username"),
           ("action" = Option<String>, Query, description = "Action or prefix"), ("outcome" = Option<String>, Query, description = "success, failure or denied", pattern = "^$|^(success|failure|denied)$"),
           ("from" = Option<String>, Query, description = "First day"), ("to" = Option<String>, Query, description = "Last day"),
           ("before" = Option<i64>, Query, description = "Only events before this sequence number"), ("limit" = Option<u32>, Query, description = "1 to 500", minimum = 1, maximum = 500)),
    responses((status = 200, body = EventsPage), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn api_events(
    State(state): State<AppState>,
    scope: PracticeScope,
    Query(q): Query<AuditQuery>,
) -> Result<Json<EventsPage>, HttpError> {
    scope.require(Permission::AuditView, "audit.list").await?;
    let f = q.filter(&scope, staff(&state, &scope).await?)?;
    let events = state.store.search_events(&f).await?;
    scope
        .record_list("audit.list", "audit_event", events.len())
        .await?;
    let next_before = (events.len() == f.limit as usize)
        .then(|| events.last().map(|e| e.seq))
        .flatten();
    Ok(Json(EventsPage {
        items: events.iter().map(event_out).collect(),
        next_before,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct ProvenEventOut {
    pub event: EventOut,
    /// The record exactly as hashed (canonical form v1, see docs/audit-log.md).
    #[schema(value_type = Object)]
    pub record: Record,
    pub leaf_index: i64,
    pub tree_size: i64,
    /// Hex SHA-256 hashes from the leaf up (RFC 9162).
    pub inclusion_proof: Vec<String>,
    /// The signed checkpoint the proof leads to.
    pub checkpoint: String,
}

#[derive(Deserialize)]
struct ProofQuery {
    tree_size: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/practices/{practice_id}/audit/events/{seq}", tag = "audit", summary = "One event with its inclusion proof",
    description = "Against the checkpoint of `tree_size`, or the latest.",
    params(PracticeParam, ("seq" = i64, Path, description = "The event's sequence number"),
           ("tree_size" = Option<i64>, Query, description = "A checkpoint's size")),
    responses((status = 200, body = ProvenEventOut), (status = 400, body = Problem), (status = 404, body = Problem)))]
async fn api_event(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(seq): InPractice<String>,
    Query(q): Query<ProofQuery>,
) -> Result<Json<ProvenEventOut>, HttpError> {
    scope.require(Permission::AuditView, "audit.view").await?;
    let e = practice_event(&state, &scope, &seq).await?;
    let p = state.audit.prove(&state.store, e.seq, q.tree_size).await?;
    scope
        .record(scope.event("audit.view", "audit_event", Some(e.seq.to_string())))
        .await?;
    Ok(Json(ProvenEventOut {
        event: event_out(&p.event),
        record: p.record,
        leaf_index: p.leaf_index,
        tree_size: p.tree_size,
        inclusion_proof: p.proof,
        checkpoint: p.checkpoint,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct CheckpointOut {
    pub tree_size: i64,
    pub root_hash: String,
    pub signed_note: String,
    pub created_at: DateTime<Utc>,
    /// The note verifier key that signs checkpoints.
    pub public_key: String,
}

#[utoipa::path(get, path = "/api/v1/audit/checkpoint", tag = "audit", summary = "The latest signed checkpoint",
    description = "Signs a new one first if the log has grown. Holds only the log's size and root: no event data.",
    responses((status = 200, body = CheckpointOut), (status = 401, body = Problem)))]
async fn api_checkpoint(
    State(state): State<AppState>,
    _user: SignedIn,
) -> Result<Json<CheckpointOut>, HttpError> {
    let c = state
        .audit
        .checkpoint(&state.store)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(CheckpointOut {
        tree_size: c.tree_size,
        root_hash: c.root_hash,
        signed_note: c.note,
        created_at: c.created_at,
        public_key: state.audit.public_key(),
    }))
}

#[derive(Deserialize)]
struct ConsistencyQuery {
    from: Option<i64>,
    to: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct ConsistencyOut {
    pub from: i64,
    pub to: i64,
    pub proof: Vec<String>,
}

#[utoipa::path(get, path = "/api/v1/audit/consistency", tag = "audit", summary = "A consistency proof between two log sizes",
    params(("from" = i64, Query, description = "The older size"), ("to" = i64, Query, description = "The newer size")),
    responses((status = 200, body = ConsistencyOut), (status = 422, body = Problem)))]
async fn api_consistency(
    State(state): State<AppState>,
    _user: SignedIn,
    Query(q): Query<ConsistencyQuery>,
) -> Result<Json<ConsistencyOut>, HttpError> {
    let from = q
        .from
        .ok_or_else(|| custodian_domain::Invalid::one("from", "Give the older size as from"))?;
    let to =
        q.to.ok_or_else(|| custodian_domain::Invalid::one("to", "Give the newer size as to"))?;
    let proof = state.audit.consistency(&state.store, from, to).await?;
    Ok(Json(ConsistencyOut { from, to, proof }))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        api_events,
        api_event,
        api_checkpoint,
        api_consistency,
        export_api_doc,
        api_report
    ),
    components(schemas(
        EventOut,
        EventsPage,
        ProvenEventOut,
        CheckpointOut,
        ConsistencyOut,
        ReportOut,
        custodian_app::audit::inappropriate_use::Section,
        custodian_app::audit::inappropriate_use::Line
    ))
)]
pub struct AuditApi;

/// Documents the export endpoint (the handler is shared with the page's download).
#[utoipa::path(get, path = "/api/v1/practices/{practice_id}/audit/export", tag = "audit", summary = "A verifiable export of a practice's events",
    description = "Every event of the practice in the period with its inclusion proof against one signed checkpoint: `custodian audit verify --export FILE --public-key KEY` checks it offline.",
    params(PracticeParam, ("from" = Option<String>, Query, description = "First day"), ("to" = Option<String>, Query, description = "Last day")),
    responses((status = 200, description = "The export file (JSON)"), (status = 403, body = Problem)))]
#[allow(dead_code)]
fn export_api_doc() {}

/// The audit trail: each practice's, and every practice's for provider staff.
pub const CAPABILITY: Capability = Capability {
    routes,
    api: Some(<AuditApi as utoipa::OpenApi>::openapi),
    rooms: &[Room {
        path: "/audit",
        title: "Audit trail",
        description: "Every change and every view of confidential data, tamper-evident.",
        opens: |a| a.can(Permission::AuditView),
    }],
    provider_pages: &[ProviderPage {
        path: "/provider/audit",
        label: "Audit across practices",
        opens: |a| a.can(Permission::ProviderView) && a.can(Permission::AuditView),
    }],
};
