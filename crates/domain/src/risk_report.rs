//! The quarterly threats-and-vulnerabilities report: built from the facts of the risk register
//! for a practice and a quarter. The report is a plain value: it renders as HTML, PDF and CSV,
//! and the copy a practice signs off is stored as it is, with its hash.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::quarters::Quarter;
use crate::risks::{self, Band, Matrix};

mod incidents;
pub use incidents::*;

/// What the report needs to know of a risk.
#[derive(Clone, Debug)]
pub struct RiskFact {
    pub id: crate::RiskId,
    pub reference: String,
    pub title: String,
    pub owner: String,
    pub status: crate::risks::RiskStatus,
    pub category: String,
    pub threat: String,
    pub vulnerability: String,
    /// (dimension, reason) for each of confidentiality, integrity and availability it threatens.
    pub threatens: Vec<(&'static str, String)>,
    pub assets: Vec<String>,
    pub inherent_score: u8,
    pub residual: (u8, u8),
    pub residual_score: u8,
    pub target_score: Option<u8>,
    pub controls: String,
    /// The day it was raised.
    pub created_on: NaiveDate,
    pub next_review_on: NaiveDate,
    /// The latest acceptance: (date, band, above the appetite, until, by whom, why).
    pub acceptance: Option<(NaiveDate, String, bool, NaiveDate, String, String)>,
}

/// What the report needs to know of an action.
#[derive(Clone, Debug)]
pub struct ActionFact {
    pub risk_id: crate::RiskId,
    pub description: String,
    pub owner: String,
    pub due_on: NaiveDate,
    pub status: crate::risks::ActionStatus,
}

/// A change to a risk recorded in the quarter (from the audit trail).
#[derive(Clone, Debug)]
pub struct ChangeFact {
    pub risk_id: crate::RiskId,
    pub on: NaiveDate,
    /// `update`, `review` or `close`.
    pub kind: &'static str,
}

/// One risk as a line of the report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RiskLine {
    pub reference: String,
    pub title: String,
    pub owner: String,
    pub residual_score: u8,
    pub band: Band,
    pub status: String,
    /// Why it is in this section (e.g. "reviewed 3 Nov 2026, scores changed").
    pub note: String,
}

/// A top risk with its action plan's progress.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TopRisk {
    pub line: RiskLine,
    pub actions_done: usize,
    pub actions_open: usize,
    pub actions_overdue: usize,
}

/// A threat and the vulnerability it exploits, for the groupings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ThreatLine {
    pub reference: String,
    pub threat: String,
    pub vulnerability: String,
    pub why: String,
    pub residual_score: u8,
    pub band: Band,
}

/// An overdue action.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ActionLine {
    pub reference: String,
    pub description: String,
    pub owner: String,
    #[schema(value_type = String)]
    pub due_on: NaiveDate,
}

/// A band with how many current risks are in it now and at the last quarter's report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BandCount {
    pub band: Band,
    pub now: usize,
    pub before: Option<usize>,
}

/// The quarterly threats-and-vulnerabilities report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct QuarterlyReport {
    pub practice: String,
    pub ods_code: String,
    /// `2026-Q3`.
    pub quarter: String,
    pub quarter_label: String,
    #[schema(value_type = String)]
    pub period_start: NaiveDate,
    #[schema(value_type = String)]
    pub period_end: NaiveDate,
    pub generated_at: DateTime<Utc>,
    /// The date overdue reviews and actions are judged at.
    #[schema(value_type = String)]
    pub as_at: NaiveDate,
    pub matrix: String,
    pub appetite: Band,
    pub new_risks: Vec<RiskLine>,
    pub changed_risks: Vec<RiskLine>,
    pub closed_risks: Vec<RiskLine>,
    pub accepted_risks: Vec<RiskLine>,
    /// The heat map of current residual risks: (likelihood, impact, count).
    pub cells: Vec<(u8, u8, usize)>,
    /// The same at the last quarter's report, when there was one.
    pub previous_cells: Option<Vec<(u8, u8, usize)>>,
    pub bands: Vec<BandCount>,
    pub top_risks: Vec<TopRisk>,
    /// Threats grouped by confidentiality, integrity and availability.
    pub by_cia: Vec<(String, Vec<ThreatLine>)>,
    /// Threats grouped by asset.
    pub by_asset: Vec<(String, Vec<ThreatLine>)>,
    pub overdue_reviews: Vec<RiskLine>,
    pub overdue_actions: Vec<ActionLine>,
    /// The quarter's incidents (empty in a copy signed before incidents were kept).
    #[serde(default)]
    pub incidents: IncidentsSection,
}

/// How many top risks the report lists.
pub const TOP: usize = 10;

fn fmt(d: NaiveDate) -> String {
    d.format("%-d %b %Y").to_string()
}

/// Everything the report is built from.
pub struct ReportFacts<'a> {
    pub practice: &'a str,
    pub ods_code: &'a str,
    pub quarter: Quarter,
    pub matrix: &'a Matrix,
    pub appetite: Band,
    pub risks: &'a [RiskFact],
    pub actions: &'a [ActionFact],
    pub changes: &'a [ChangeFact],
    pub incidents: &'a [IncidentFact],
    /// Incidents' actions past their due date, each with its incident's reference.
    pub incident_actions: &'a [ActionLine],
    pub previous_cells: Option<Vec<(u8, u8, usize)>>,
    pub generated_at: DateTime<Utc>,
    pub today: NaiveDate,
}

/// Where a quarterly report is: a draft (built from the register as it is, minutes being
/// recorded), or signed off by the SIRO and kept as it was signed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    Draft,
    Signed,
}

impl ReportStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportStatus::Draft => "draft",
            ReportStatus::Signed => "signed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "draft" => Some(ReportStatus::Draft),
            "signed" => Some(ReportStatus::Signed),
            _ => None,
        }
    }
}

impl std::fmt::Display for ReportStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Builds the report.
pub fn build(f: ReportFacts<'_>) -> QuarterlyReport {
    let m = f.matrix;
    let (start, end) = (f.quarter.start(), f.quarter.end());
    let mut sorted: Vec<&RiskFact> = f.risks.iter().collect();
    sorted.sort_by(|a, b| {
        b.residual_score
            .cmp(&a.residual_score)
            .then_with(|| a.reference.cmp(&b.reference))
    });
    let live: Vec<&RiskFact> = sorted
        .iter()
        .copied()
        .filter(|r| r.status != crate::risks::RiskStatus::Closed)
        .collect();
    let (new_risks, changed_risks, closed_risks, accepted_risks) = quarter_lists(&f, &sorted);
    let cells = heat_cells(&live);
    let bands = Band::ALL
        .iter()
        .map(|b| BandCount {
            band: *b,
            now: count_in(m, &cells, *b),
            before: f.previous_cells.as_ref().map(|p| count_in(m, p, *b)),
        })
        .collect();
    let top_risks = live.iter().take(TOP).map(|r| top_risk(&f, r)).collect();
    let overdue_reviews = live
        .iter()
        .filter(|r| r.next_review_on < f.today)
        .map(|r| risk_line(m, r, format!("review due {}", fmt(r.next_review_on))))
        .collect();
    QuarterlyReport {
        practice: f.practice.to_string(),
        ods_code: f.ods_code.to_string(),
        quarter: f.quarter.key(),
        quarter_label: f.quarter.label(),
        period_start: start,
        period_end: end,
        generated_at: f.generated_at,
        as_at: f.today,
        matrix: m.key.to_string(),
        appetite: f.appetite,
        new_risks,
        changed_risks,
        closed_risks,
        accepted_risks,
        cells,
        previous_cells: f.previous_cells.clone(),
        bands,
        top_risks,
        by_cia: threats_by_cia(m, &live),
        by_asset: threats_by_asset(m, &live),
        overdue_reviews,
        overdue_actions: overdue_actions(&f),
        incidents: incidents_section(f.quarter, f.incidents, f.incident_actions),
    }
}

/// A risk as the report's lists show it, with a note.
fn risk_line(m: &Matrix, r: &RiskFact, note: String) -> RiskLine {
    RiskLine {
        reference: r.reference.clone(),
        title: r.title.clone(),
        owner: r.owner.clone(),
        residual_score: r.residual_score,
        band: m.band(r.residual_score),
        status: r.status.label().to_string(),
        note,
    }
}

/// A risk as the threats tables show it.
fn threat_line(m: &Matrix, r: &RiskFact, why: String) -> ThreatLine {
    ThreatLine {
        reference: r.reference.clone(),
        threat: r.threat.clone(),
        vulnerability: r.vulnerability.clone(),
        why,
        residual_score: r.residual_score,
        band: m.band(r.residual_score),
    }
}

/// The risks raised, changed or reviewed, closed and accepted during the quarter.
fn quarter_lists(
    f: &ReportFacts<'_>,
    sorted: &[&RiskFact],
) -> (Vec<RiskLine>, Vec<RiskLine>, Vec<RiskLine>, Vec<RiskLine>) {
    let m = f.matrix;
    let (start, end) = (f.quarter.start(), f.quarter.end());
    let in_quarter = |d: NaiveDate| start <= d && d <= end;
    let line = |r: &RiskFact, note: String| risk_line(m, r, note);
    let new_risks = sorted
        .iter()
        .filter(|r| in_quarter(r.created_on))
        .map(|r| line(r, format!("raised {}", fmt(r.created_on))))
        .collect();
    let changes_of = |r: &RiskFact, kind: &str| -> Vec<NaiveDate> {
        f.changes
            .iter()
            .filter(|c| c.risk_id == r.id && c.kind == kind && in_quarter(c.on))
            .map(|c| c.on)
            .collect()
    };
    let changed_risks = sorted
        .iter()
        .filter(|r| !in_quarter(r.created_on))
        .filter_map(|r| {
            let updates = changes_of(r, "update");
            let reviews = changes_of(r, "review");
            let mut what = Vec::new();
            if let Some(d) = reviews.iter().max() {
                what.push(format!("reviewed {}", fmt(*d)));
            }
            if let Some(d) = updates.iter().max() {
                what.push(format!("changed {}", fmt(*d)));
            }
            (!what.is_empty()).then(|| line(r, what.join("; ")))
        })
        .collect();
    let closed_risks = sorted
        .iter()
        .filter(|r| r.status == crate::risks::RiskStatus::Closed)
        .filter_map(|r| {
            let closed = changes_of(r, "close");
            closed
                .iter()
                .max()
                .map(|d| line(r, format!("closed {}", fmt(*d))))
        })
        .collect();
    let accepted_risks = sorted
        .iter()
        .filter_map(|r| {
            let (on, band, above, until, by, why) = r.acceptance.as_ref()?;
            in_quarter(*on).then(|| {
                line(
                    r,
                    format!(
                        "accepted {} by {by} at {band}{} until {}: {why}",
                        fmt(*on),
                        if *above { " (above the appetite)" } else { "" },
                        fmt(*until)
                    ),
                )
            })
        })
        .collect();
    (new_risks, changed_risks, closed_risks, accepted_risks)
}

/// The heat map: how many live risks sit in each (likelihood, impact) cell.
fn heat_cells(live: &[&RiskFact]) -> Vec<(u8, u8, usize)> {
    let mut cells: Vec<(u8, u8, usize)> = Vec::new();
    for r in live {
        match cells.iter_mut().find(|(l, i, _)| (*l, *i) == r.residual) {
            Some(c) => c.2 += 1,
            None => cells.push((r.residual.0, r.residual.1, 1)),
        }
    }
    cells.sort();
    cells
}

/// How many of the heat map's risks are in a band.
fn count_in(m: &Matrix, cells: &[(u8, u8, usize)], b: Band) -> usize {
    cells
        .iter()
        .filter(|(l, i, _)| m.band(m.score(*l, *i)) == b)
        .map(|(_, _, n)| n)
        .sum()
}

/// A top risk with its actions' progress.
fn top_risk(f: &ReportFacts<'_>, r: &RiskFact) -> TopRisk {
    let mine: Vec<&ActionFact> = f.actions.iter().filter(|a| a.risk_id == r.id).collect();
    TopRisk {
        line: risk_line(f.matrix, r, r.controls.clone()),
        actions_done: mine
            .iter()
            .filter(|a| a.status == risks::ActionStatus::Done)
            .count(),
        actions_open: mine
            .iter()
            .filter(|a| a.status != risks::ActionStatus::Done)
            .count(),
        actions_overdue: mine
            .iter()
            .filter(|a| risks::action_overdue(a.status, a.due_on, f.today))
            .count(),
    }
}

/// The live risks by which of confidentiality, integrity and availability they threaten.
fn threats_by_cia(m: &Matrix, live: &[&RiskFact]) -> Vec<(String, Vec<ThreatLine>)> {
    ["Confidentiality", "Integrity", "Availability"]
        .iter()
        .map(|dim| {
            (
                dim.to_string(),
                live.iter()
                    .filter_map(|r| {
                        r.threatens
                            .iter()
                            .find(|(d, _)| d == dim)
                            .map(|(_, why)| threat_line(m, r, why.clone()))
                    })
                    .collect::<Vec<_>>(),
            )
        })
        .collect()
}

/// The live risks by the asset they threaten, and those that name none.
fn threats_by_asset(m: &Matrix, live: &[&RiskFact]) -> Vec<(String, Vec<ThreatLine>)> {
    let mut asset_names: Vec<String> = live.iter().flat_map(|r| r.assets.clone()).collect();
    asset_names.sort();
    asset_names.dedup();
    let mut by_asset: Vec<(String, Vec<ThreatLine>)> = asset_names
        .into_iter()
        .map(|a| {
            let lines = live
                .iter()
                .filter(|r| r.assets.contains(&a))
                .map(|r| threat_line(m, r, r.title.clone()))
                .collect();
            (a, lines)
        })
        .collect();
    let unlinked: Vec<ThreatLine> = live
        .iter()
        .filter(|r| r.assets.is_empty())
        .map(|r| threat_line(m, r, r.title.clone()))
        .collect();
    if !unlinked.is_empty() {
        by_asset.push(("No asset named".to_string(), unlinked));
    }
    by_asset
}

/// Every overdue action, soonest due first, with its risk's reference.
fn overdue_actions(f: &ReportFacts<'_>) -> Vec<ActionLine> {
    let references: std::collections::HashMap<crate::RiskId, &str> = f
        .risks
        .iter()
        .map(|r| (r.id, r.reference.as_str()))
        .collect();
    let mut overdue: Vec<ActionLine> = f
        .actions
        .iter()
        .filter(|a| risks::action_overdue(a.status, a.due_on, f.today))
        .filter_map(|a| {
            Some(ActionLine {
                reference: references.get(&a.risk_id)?.to_string(),
                description: a.description.clone(),
                owner: a.owner.clone(),
                due_on: a.due_on,
            })
        })
        .collect();
    overdue.sort_by_key(|a| a.due_on);
    overdue
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::risks::MATRIX_5X5;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    fn risk(reference: &str, residual: (u8, u8), created: NaiveDate, status: &str) -> RiskFact {
        RiskFact {
            id: crate::RiskId::new(),
            reference: reference.into(),
            title: format!("Risk {reference}"),
            owner: "Ivy".into(),
            status: crate::risks::RiskStatus::parse(status).unwrap(),
            category: "people".into(),
            threat: "Threat".into(),
            vulnerability: "Weakness".into(),
            threatens: vec![("Confidentiality", "Records read".into())],
            assets: vec!["EMIS Web".into()],
            inherent_score: 25,
            residual,
            residual_score: residual.0 * residual.1,
            target_score: None,
            controls: "Training".into(),
            created_on: created,
            next_review_on: d(12, 1),
            acceptance: None,
        }
    }

    #[test]
    fn the_quarter_sections_come_from_dates_and_changes() {
        let q = Quarter::parse("2026-Q3", 1).unwrap();
        let old = risk("RSK-0001", (3, 4), d(3, 1), "open");
        let new = risk("RSK-0002", (5, 5), d(8, 10), "treating");
        let mut closed = risk("RSK-0003", (1, 1), d(2, 1), "closed");
        closed.threatens = vec![("Availability", "Down".into())];
        let mut accepted = risk("RSK-0004", (2, 5), d(1, 5), "accepted");
        accepted.acceptance = Some((
            d(9, 1),
            "high".into(),
            true,
            d(12, 31),
            "Sid".into(),
            "Cost".into(),
        ));
        accepted.next_review_on = d(9, 20);
        accepted.assets = vec![];
        let risks = [old.clone(), new.clone(), closed.clone(), accepted.clone()];
        let actions = [
            ActionFact {
                risk_id: new.id,
                description: "Turn on MFA".into(),
                owner: "Ivy".into(),
                due_on: d(9, 1),
                status: crate::risks::ActionStatus::Open,
            },
            ActionFact {
                risk_id: new.id,
                description: "Train staff".into(),
                owner: "Ivy".into(),
                due_on: d(8, 1),
                status: crate::risks::ActionStatus::Done,
            },
        ];
        let changes = [
            ChangeFact {
                risk_id: old.id,
                on: d(7, 15),
                kind: "review",
            },
            ChangeFact {
                risk_id: closed.id,
                on: d(8, 2),
                kind: "close",
            },
            ChangeFact {
                risk_id: old.id,
                on: d(4, 2),
                kind: "update",
            },
        ];
        let r = build(ReportFacts {
            practice: "Riverside",
            ods_code: "Z00001",
            quarter: q,
            matrix: &MATRIX_5X5,
            appetite: Band::Medium,
            risks: &risks,
            actions: &actions,
            changes: &changes,
            incidents: &[],
            incident_actions: &[],
            previous_cells: Some(vec![(3, 4, 1), (1, 1, 1)]),
            generated_at: Utc::now(),
            today: d(10, 1),
        });
        let refs = |v: &[RiskLine]| v.iter().map(|l| l.reference.clone()).collect::<Vec<_>>();
        assert_eq!(refs(&r.new_risks), ["RSK-0002"]);
        assert_eq!(refs(&r.changed_risks), ["RSK-0001"]);
        assert_eq!(
            r.changed_risks[0].note, "reviewed 15 Jul 2026",
            "the April change is another quarter"
        );
        assert_eq!(refs(&r.closed_risks), ["RSK-0003"]);
        assert_eq!(refs(&r.accepted_risks), ["RSK-0004"]);
        assert!(r.accepted_risks[0].note.contains("above the appetite"));
        assert_eq!(
            r.cells,
            [(2, 5, 1), (3, 4, 1), (5, 5, 1)],
            "closed risks are not on the heat map"
        );
        let extreme = r.bands.iter().find(|b| b.band == Band::Extreme).unwrap();
        assert_eq!((extreme.now, extreme.before), (1, Some(0)));
        assert_eq!(r.top_risks[0].line.reference, "RSK-0002");
        assert_eq!(
            (
                r.top_risks[0].actions_done,
                r.top_risks[0].actions_open,
                r.top_risks[0].actions_overdue
            ),
            (1, 1, 1)
        );
        assert_eq!(
            r.by_cia[0].1.len(),
            3,
            "confidentiality: the three live risks"
        );
        assert!(
            r.by_cia[2].1.is_empty(),
            "the closed availability risk is not current"
        );
        assert_eq!(
            r.by_asset
                .iter()
                .map(|(a, _)| a.as_str())
                .collect::<Vec<_>>(),
            ["EMIS Web", "No asset named"]
        );
        assert_eq!(refs(&r.overdue_reviews), ["RSK-0004"]);
        assert_eq!(r.overdue_actions.len(), 1);
        assert_eq!(r.quarter_label, "Q3 2026 (July to September)");
        // It survives being stored and read back unchanged.
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(serde_json::from_str::<QuarterlyReport>(&json).unwrap(), r);
    }
}
