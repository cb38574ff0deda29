//! An incident's notification draft (UK GDPR Art. 33(3), to copy into the DSPT incident
//! reporting tool) and the whole record as a PDF to print.

use super::*;
use crate::kit::layout::PracticeAddress;
use custodian_app::incidents::{IncidentRecord, RecordFor};

#[derive(Template)]
#[template(path = "incidents/notification.html")]
pub(crate) struct NotificationPage {
    pub(crate) layout: Layout,
    pub(crate) practice: custodian_domain::Practice,
    pub(crate) i: Incident,
    pub(crate) draft: String,
    pub(crate) rows: usize,
}

pub(crate) async fn notification_page(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
) -> Result<Response, HttpError> {
    let r = uc::whole_record(&state, &scope.actor(), &id, RecordFor::NotificationDraft).await?;
    Ok(render(&NotificationPage {
        layout: scope.layout(&scope.path("/incidents")),
        practice: scope.practice.clone(),
        rows: r.draft.lines().count() + 2,
        draft: r.draft,
        i: r.incident,
    }))
}

/// The notification draft, as the API gives it.
#[derive(Serialize, ToSchema)]
pub struct IncidentNotificationDraft {
    pub reference: String,
    /// The Art. 33(3) items as plain text, to copy.
    pub text: String,
}

#[utoipa::path(get, path = "/api/v1/practices/{practice_id}/incidents/{incident_id}/notification-draft", tag = "incidents",
    summary = "The incident's notification draft: every UK GDPR Art. 33(3) item filled from the record, to copy into the DSPT incident reporting tool",
    params(PracticeParam, ("incident_id" = String, Path, description = "The incident's id")),
    responses((status = 200, body = IncidentNotificationDraft), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub(crate) async fn api_notification(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
) -> Result<Json<IncidentNotificationDraft>, HttpError> {
    let r = uc::whole_record(&state, &scope.actor(), &id, RecordFor::NotificationDraft).await?;
    Ok(Json(IncidentNotificationDraft {
        reference: r.incident.reference,
        text: r.draft,
    }))
}

pub(crate) async fn incident_pdf(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
) -> Result<Response, HttpError> {
    let r = uc::whole_record(&state, &scope.actor(), &id, RecordFor::Printing).await?;
    let holder = custodian_domain::evidence::Holder::Incident(r.incident.id);
    let evidence = custodian_app::evidence::files_of(&state, &scope.actor(), holder).await?;
    let clocks = uc::clocks(&r.incident, state.clock.now());
    let practice = scope.practice.clone();
    let name = format!("{}.pdf", r.incident.reference);
    let bytes = custodian_app::heavy::run(move || printable(&r, &evidence, &practice, &clocks)).await?;
    Ok(crate::kit::csv::download(&name, "application/pdf", bytes))
}

/// The whole incident on paper: the report, the grading and decisions, the clocks, the
/// timeline, the evidence files and the notification draft.
fn printable(
    r: &IncidentRecord,
    evidence: &[custodian_store::EvidenceFile],
    practice: &custodian_domain::Practice, clocks: &[Clock]) -> Vec<u8> {
    let i = &r.incident;
    let title = format!("Incident {}", i.reference);
    let mut d = crate::kit::pdf::Doc::new(
        &title,
        &format!("{} ({}) \u{2013} {} \u{2013} confidential", practice.name, practice.ods_code, i.reference),
    );
    d.heading(&format!("{} \u{2013} {title}", practice.name), 16.0);
    d.heading("The report", 12.0);
    let rows: Vec<Vec<String>> = details(i, None)
        .into_iter()
        .map(|(k, v)| vec![k.to_string(), v])
        .collect();
    d.table(&["", ""], &[0.3, 0.7], &rows);
    d.heading("Clocks", 12.0);
    d.table_of(&["What", "Due", "Time"], &[0.5, 0.3, 0.2], &clock_rows(clocks), "", |c| {
        vec![c.label.to_string(), c.due.clone(), c.left.clone()]
    });
    d.heading("Timeline", 12.0);
    d.table_of(&["When", "Who", "What"], &[0.2, 0.2, 0.6], &r.timeline, "", |e| {
        vec![
            custodian_domain::time::show_datetime(e.at),
            e.by_name.clone(),
            e.text.clone(),
        ]
    });
    d.heading("Evidence files", 12.0);
    d.table_of(
        &["File", "Kind", "Added", "SHA-256"],
        &[0.3, 0.15, 0.25, 0.3],
        evidence,
        "No files attached.",
        |f| {
            vec![
                f.filename.clone(),
                f.kind.label().to_string(),
                format!(
                    "{} by {}{}",
                    custodian_domain::time::show_datetime(f.added_at),
                    f.added_by_name,
                    if f.removed_at.is_some() { " (removed)" } else { "" }
                ),
                f.sha256.clone(),
            ]
        },
    );
    d.heading("Notification draft (UK GDPR Art. 33(3))", 12.0);
    for line in r.draft.lines().filter(|l| !l.trim().is_empty()) {
        d.para(line, 9.0);
    }
    d.finish()
}
