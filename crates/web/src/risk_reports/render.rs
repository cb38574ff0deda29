//! The quarterly report as PDF and CSV.

use super::*;

pub(crate) fn date(d: chrono::NaiveDate) -> String {
    custodian_domain::time::show_day(d)
}

pub(crate) fn change(now: usize, before: Option<usize>) -> String {
    match before {
        None => "–".into(),
        Some(b) if now > b => format!("+{}", now - b),
        Some(b) if now < b => format!("−{}", b - now),
        Some(_) => "no change".into(),
    }
}

/// The report as a PDF.
pub fn pdf(copy: &SignedCopy, record: &RiskReport) -> Vec<u8> {
    let r = &copy.report;
    let m = risks::matrix(&r.matrix);
    let title = format!("Threats and vulnerabilities report, {}", r.quarter_label);
    let mut d = crate::kit::pdf::Doc::new(
        &title,
        &format!(
            "{} ({}) \u{2013} {}",
            r.practice, r.ods_code, r.quarter_label
        ),
    );
    d.heading(&format!("{} \u{2013} {}", r.practice, title), 16.0);
    d.para(
        &format!(
            "Period {} to {}. Generated {}; reviews and actions judged as at {}. Matrix {}; the practice accepts up to {} without the SIRO.",
            date(r.period_start),
            date(r.period_end),
            show_datetime(r.generated_at),
            date(r.as_at),
            m.name,
            r.appetite.label()
        ),
        9.0,
    );
    d.para(&status_line(record), 9.0);
    d.heading("Current residual risks", 12.0);
    d.heat_map(
        m,
        &r.cells,
        "Heat map of current residual risks (likelihood by impact)",
    );
    band_table(&mut d, r, m);
    top_risks(&mut d, r);
    risk_lists(&mut d, r);
    threats_tables(&mut d, r);
    incidents(&mut d, &r.incidents);
    meeting_notes(&mut d, copy);
    d.finish()
}

/// The heat map's bands now and at last quarter's report.
fn band_table(d: &mut crate::kit::pdf::Doc, r: &QuarterlyReport, m: &Matrix) {
    let headers = ["Band", "Scores", "Now", "Last quarter", "Change"];
    d.table_of(&headers, &[0.2; 5], &r.bands, "", |b| {
        vec![
            b.band.label().to_string(),
            m.band_range(b.band),
            b.now.to_string(),
            b.before
                .map(|n| n.to_string())
                .unwrap_or_else(|| "–".into()),
            change(b.now, b.before),
        ]
    });
}

/// "R-001 Title", "20 Extreme": how a risk is named and scored in the tables.
fn named(reference: &str, title: &str) -> String {
    format!("{reference} {title}")
}
fn scored(score: impl std::fmt::Display, band: custodian_domain::risks::Band) -> String {
    format!("{score} {}", band.label())
}

/// The top risks with their actions' progress.
fn top_risks(d: &mut crate::kit::pdf::Doc, r: &QuarterlyReport) {
    d.heading("Top risks by residual score", 12.0);
    let headers = ["Risk", "Owner", "Residual", "Status", "Actions"];
    let widths = [0.38, 0.16, 0.12, 0.12, 0.22];
    d.table_of(&headers, &widths, &r.top_risks, "", |t| {
        vec![
            named(&t.line.reference, &t.line.title),
            t.line.owner.clone(),
            scored(t.line.residual_score, t.line.band),
            t.line.status.clone(),
            format!(
                "{} done, {} open, {} overdue",
                t.actions_done, t.actions_open, t.actions_overdue
            ),
        ]
    });
}

/// New, changed, closed and accepted risks; overdue reviews and actions.
fn risk_lists(d: &mut crate::kit::pdf::Doc, r: &QuarterlyReport) {
    for (heading, lines) in [
        ("New risks this quarter", &r.new_risks),
        ("Risks changed or reviewed this quarter", &r.changed_risks),
        ("Risks closed this quarter", &r.closed_risks),
        ("Risks accepted this quarter", &r.accepted_risks),
        ("Reviews overdue", &r.overdue_reviews),
    ] {
        d.heading(heading, 12.0);
        let headers = ["Risk", "Owner", "Residual", "Note"];
        d.table_of(&headers, &[0.36, 0.16, 0.12, 0.36], lines, "None.", |l| {
            vec![
                named(&l.reference, &l.title),
                l.owner.clone(),
                scored(l.residual_score, l.band),
                l.note.clone(),
            ]
        });
    }
    d.heading("Actions overdue", 12.0);
    let headers = ["Risk", "Action", "Who", "Due"];
    let widths = [0.14, 0.5, 0.2, 0.16];
    d.table_of(&headers, &widths, &r.overdue_actions, "None.", |a| {
        vec![
            a.reference.clone(),
            a.description.clone(),
            a.owner.clone(),
            date(a.due_on),
        ]
    });
}

/// Threats and vulnerabilities by C/I/A and by asset.
fn threats_tables(d: &mut crate::kit::pdf::Doc, r: &QuarterlyReport) {
    d.heading(
        "Threats and vulnerabilities by confidentiality, integrity and availability",
        12.0,
    );
    for (dim, lines) in &r.by_cia {
        d.heading(dim, 10.0);
        let headers = ["Risk", "Threat", "Vulnerability", "How", "Residual"];
        let widths = [0.12, 0.28, 0.26, 0.22, 0.12];
        d.table_of(&headers, &widths, lines, "No current risk threatens it.", |t| {
            vec![
                t.reference.clone(),
                t.threat.clone(),
                t.vulnerability.clone(),
                t.why.clone(),
                scored(t.residual_score, t.band),
            ]
        });
    }
    d.heading("Threats and vulnerabilities by asset", 12.0);
    for (asset, lines) in &r.by_asset {
        d.heading(asset, 10.0);
        let headers = ["Risk", "Threat", "Vulnerability", "Residual"];
        d.table_of(&headers, &[0.14, 0.4, 0.34, 0.12], lines, "", |t| {
            vec![
                t.reference.clone(),
                t.threat.clone(),
                t.vulnerability.clone(),
                scored(t.residual_score, t.band),
            ]
        });
    }
}

/// The quarter's incidents: by kind and grading, the reportable ones, those overdue, lessons.
fn incidents(d: &mut crate::kit::pdf::Doc, s: &risk_report::IncidentsSection) {
    d.heading("Incidents this quarter", 12.0);
    d.para(
        &format!(
            "{} reported, {} of them near misses.",
            s.reported, s.near_misses
        ),
        9.0,
    );
    for (head, tallies) in s.tallies() {
        d.table_of(&[head, "Incidents"], &[0.7, 0.3], tallies, "None.", |t| {
            vec![t.label.clone(), t.count.to_string()]
        });
    }
    for (heading, note, lines) in s.lists() {
        d.heading(heading, 10.0);
        let headers = ["Incident", "Kind", "Reported", note];
        d.table_of(&headers, &[0.16, 0.24, 0.14, 0.46], lines, "None.", |l| {
            vec![
                l.reference.clone(),
                l.kind.clone(),
                date(l.reported_on),
                l.note.clone(),
            ]
        });
    }
    d.heading("Incidents' actions overdue", 10.0);
    let headers = ["Incident", "Action", "Who", "Due"];
    let widths = [0.16, 0.5, 0.18, 0.16];
    d.table_of(&headers, &widths, &s.overdue_actions, "None.", |a| {
        vec![
            a.reference.clone(),
            a.description.clone(),
            a.owner.clone(),
            date(a.due_on),
        ]
    });
}

/// The practice meeting's minutes and decisions.
fn meeting_notes(d: &mut crate::kit::pdf::Doc, copy: &SignedCopy) {
    d.heading("Practice meeting", 12.0);
    d.heading("Minutes", 10.0);
    d.para(
        if copy.minutes.is_empty() {
            "Not recorded yet."
        } else {
            &copy.minutes
        },
        9.0,
    );
    d.heading("Decisions", 10.0);
    d.para(
        if copy.decisions.is_empty() {
            "Not recorded yet."
        } else {
            &copy.decisions
        },
        9.0,
    );
}

pub(crate) fn status_line(record: &RiskReport) -> String {
    match (
        &record.signed_at,
        &record.signed_by_name,
        &record.signed_sha256,
    ) {
        (Some(at), Some(by), Some(sha)) => format!(
            "Signed off by {by} (SIRO) on {}. SHA-256 of the signed copy: {sha}",
            show_datetime(*at)
        ),
        _ => format!(
            "Draft, made {} by {}. Not yet signed off by the SIRO.",
            show_datetime(record.created_at),
            record.created_by
        ),
    }
}

/// The report's rows as CSV: one row per risk per section, and the overdue actions.
pub fn csv(copy: &SignedCopy) -> String {
    use crate::kit::csv::csv_line;
    let r = &copy.report;
    let mut out = csv_line(&[
        "quarter",
        "section",
        "reference",
        "title",
        "owner",
        "residual_score",
        "band",
        "status",
        "note",
    ]);
    let mut rows = |section: &str, lines: &[risk_report::RiskLine]| {
        for l in lines {
            out.push_str(&csv_line(&[
                r.quarter.clone(),
                section.to_string(),
                l.reference.clone(),
                l.title.clone(),
                l.owner.clone(),
                l.residual_score.to_string(),
                l.band.as_str().to_string(),
                l.status.clone(),
                l.note.clone(),
            ]));
        }
    };
    let top: Vec<risk_report::RiskLine> = r.top_risks.iter().map(|t| t.line.clone()).collect();
    rows("top", &top);
    rows("new", &r.new_risks);
    rows("changed", &r.changed_risks);
    rows("closed", &r.closed_risks);
    rows("accepted", &r.accepted_risks);
    rows("review_overdue", &r.overdue_reviews);
    for a in &r.overdue_actions {
        out.push_str(&csv_line(&[
            r.quarter.clone(),
            "action_overdue".into(),
            a.reference.clone(),
            a.description.clone(),
            a.owner.clone(),
            String::new(),
            String::new(),
            String::new(),
            format!("due {}", a.due_on),
        ]));
    }
    out
}
