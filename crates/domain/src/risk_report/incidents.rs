//! The quarterly report's incidents section: the quarter's incidents by kind and grading, the
//! ones reportable to the ICO, those still open with a clock overdue, and the lessons learned
//! from those closed in the quarter.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::incidents::IncidentKind;
use crate::quarters::Quarter;

/// What the report needs to know of an incident.
#[derive(Clone, Debug)]
pub struct IncidentFact {
    pub reference: String,
    pub kind: IncidentKind,
    pub reported_at: DateTime<Utc>,
    pub near_miss: bool,
    /// The grading (likelihood, severity), once graded.
    pub grading: Option<(i64, i64)>,
    pub reportable: Option<bool>,
    /// The ICO decision as a sentence, once made.
    pub ico: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
    pub lessons: Option<String>,
    /// Its clocks past their time without a decision.
    pub clocks_overdue: usize,
}

/// A count under a label.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Tally {
    pub label: String,
    pub count: usize,
}

/// An incident as a line of the report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct IncidentLine {
    pub reference: String,
    pub kind: String,
    #[schema(value_type = String)]
    pub reported_on: NaiveDate,
    pub note: String,
}

/// The incidents section. Empty in reports signed before incidents were kept.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct IncidentsSection {
    /// Reported in the quarter, near misses included.
    pub reported: usize,
    pub near_misses: usize,
    pub by_kind: Vec<Tally>,
    pub by_grading: Vec<Tally>,
    /// Reported in the quarter and reportable to the ICO, with the decision.
    pub reportable: Vec<IncidentLine>,
    /// Open (whenever reported) with a clock past its time.
    pub overdue: Vec<IncidentLine>,
    /// Closed in the quarter, with their lessons learned.
    pub lessons: Vec<IncidentLine>,
    /// Incidents' actions past their due date and not done.
    #[serde(default)]
    pub overdue_actions: Vec<super::ActionLine>,
}

impl IncidentsSection {
    /// The counts, as the report shows them: by kind, by grading.
    pub fn tallies(&self) -> [(&'static str, &[Tally]); 2] {
        [("Kind", &self.by_kind), ("Grading", &self.by_grading)]
    }

    /// The lists, as the report shows them: (heading, what the note says, lines).
    pub fn lists(&self) -> [(&'static str, &'static str, &[IncidentLine]); 3] {
        [
            (
                "Reportable to the ICO",
                "Grading and decision",
                &self.reportable,
            ),
            ("Open with a clock past its time", "Clocks", &self.overdue),
            (
                "Lessons learned (closed this quarter)",
                "Lessons learned",
                &self.lessons,
            ),
        ]
    }
}

/// The section for `quarter` from the practice's incidents.
pub fn incidents_section(
    quarter: Quarter,
    all: &[IncidentFact],
    overdue_actions: &[super::ActionLine],
) -> IncidentsSection {
    let day = crate::identity::london_today;
    let within = |t: DateTime<Utc>| (quarter.start()..=quarter.end()).contains(&day(t));
    let line = |i: &IncidentFact, note: String| IncidentLine {
        reference: i.reference.clone(),
        kind: i.kind.label().to_string(),
        reported_on: day(i.reported_at),
        note,
    };
    let of_quarter: Vec<&IncidentFact> = all.iter().filter(|i| within(i.reported_at)).collect();
    let by_kind = IncidentKind::ALL
        .iter()
        .map(|k| Tally {
            label: k.label().to_string(),
            count: of_quarter.iter().filter(|i| i.kind == *k).count(),
        })
        .filter(|t| t.count > 0)
        .collect();
    let grading = |i: &IncidentFact| match (i.grading, i.reportable) {
        (None, _) => "Not graded yet",
        (Some(_), Some(true)) => "Reportable to the ICO",
        (Some(_), _) => "Graded, not reportable",
    };
    let by_grading = [
        "Reportable to the ICO",
        "Graded, not reportable",
        "Not graded yet",
    ]
    .iter()
    .map(|label| Tally {
        label: label.to_string(),
        count: of_quarter.iter().filter(|i| grading(i) == *label).count(),
    })
    .collect();
    let reportable = of_quarter
        .iter()
        .filter(|i| i.reportable == Some(true))
        .map(|i| {
            let (l, s) = i.grading.unwrap_or_default();
            let ico = i.ico.clone();
            line(
                i,
                format!(
                    "Likelihood {l}, severity {s}. {}",
                    ico.unwrap_or_else(|| "ICO decision not yet recorded".into())
                ),
            )
        })
        .collect();
    let overdue = all
        .iter()
        .filter(|i| i.closed_at.is_none() && i.clocks_overdue > 0)
        .map(|i| line(i, format!("{} clock(s) past their time", i.clocks_overdue)))
        .collect();
    let lessons = all
        .iter()
        .filter(|i| i.closed_at.is_some_and(within))
        .map(|i| line(i, i.lessons.clone().unwrap_or_default()))
        .collect();
    IncidentsSection {
        reported: of_quarter.len(),
        near_misses: of_quarter.iter().filter(|i| i.near_miss).count(),
        by_kind,
        by_grading,
        reportable,
        overdue,
        lessons,
        overdue_actions: overdue_actions.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    fn fact(reference: &str, kind: IncidentKind, reported: &str) -> IncidentFact {
        IncidentFact {
            reference: reference.into(),
            kind,
            reported_at: at(reported),
            near_miss: false,
            grading: None,
            reportable: None,
            ico: None,
            closed_at: None,
            lessons: None,
            clocks_overdue: 0,
        }
    }

    #[test]
    fn the_quarter_counts_its_own_incidents_and_the_lessons_of_those_it_closed() {
        use IncidentKind::*;
        let q = Quarter::parse("2026-Q4", 1).unwrap();
        let mut reported = fact("INC-2026-0007", LostOrStolen, "2026-10-02T09:00:00Z");
        reported.grading = Some((4, 3));
        reported.reportable = Some(true);
        reported.ico = Some("Reported to the ICO (DSPT-1)".into());
        let mut near = fact("INC-2026-0008", WrongRecipient, "2026-11-02T09:00:00Z");
        near.near_miss = true;
        near.grading = Some((1, 1));
        near.reportable = Some(false);
        // Reported last quarter, closed in this one; and one still open, its clock overdue.
        let mut earlier = fact("INC-2026-0003", WrongRecipient, "2026-09-20T09:00:00Z");
        earlier.closed_at = Some(at("2026-10-05T09:00:00Z"));
        earlier.lessons = Some("Check the address".into());
        let mut open = fact("INC-2026-0009", Other, "2026-12-01T09:00:00Z");
        open.clocks_overdue = 2;
        // 31 December late in the evening in London is still the quarter.
        let late = fact("INC-2026-0010", Other, "2026-12-31T23:30:00Z");
        let next = fact("INC-2027-0001", Other, "2027-01-01T00:30:00Z");
        let s = incidents_section(q, &[reported, near, earlier, open, late, next], &[]);
        assert_eq!((s.reported, s.near_misses), (4, 1));
        let kinds: Vec<(&str, usize)> = s
            .by_kind
            .iter()
            .map(|t| (t.label.as_str(), t.count))
            .collect();
        assert_eq!(kinds.iter().map(|k| k.1).sum::<usize>(), 4);
        assert!(kinds.contains(&(Other.label(), 2)));
        let grades: Vec<usize> = s.by_grading.iter().map(|t| t.count).collect();
        assert_eq!(grades, [1, 1, 2]);
        assert_eq!(s.reportable.len(), 1);
        assert!(s.reportable[0].note.contains("DSPT-1"));
        assert_eq!(s.overdue[0].reference, "INC-2026-0009");
        assert_eq!(s.lessons.len(), 1);
        assert_eq!(s.lessons[0].note, "Check the address");
    }
}
