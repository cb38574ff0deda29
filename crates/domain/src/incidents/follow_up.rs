//! What follows from an incident: the risk its closing raises in the risk register, and the
//! notification draft (UK GDPR Art. 33(3)) the DPO copies into the DSPT incident reporting tool.

use chrono::{DateTime, Duration, Utc};

use super::{BreachType, IncidentKind, LIKELIHOOD, SEVERITY};
use crate::risks::RiskInput;
use crate::{AssetId, RiskId};

/// The risk an incident's closing raised or linked, as its timeline tells it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClosingRisk {
    pub id: RiskId,
    pub title: String,
    /// Raised by the closing (not an existing risk linked).
    pub raised: bool,
}

/// What an incident says about the risk it shows.
pub struct RiskFacts<'a> {
    pub reference: &'a str,
    pub kind: IncidentKind,
    /// The grading's severity (1–5), if graded.
    pub severity: Option<i64>,
    pub breach_types: &'a [BreachType],
    pub asset_id: Option<AssetId>,
    pub lessons: &'a str,
}

/// The risk register's category for an incident's kind.
fn category(kind: IncidentKind) -> &'static str {
    match kind {
        IncidentKind::WrongRecipient | IncidentKind::InappropriateAccess => "people",
        IncidentKind::LostOrStolen => "physical",
        IncidentKind::MalwareOrPhishing | IncidentKind::SystemUnavailable => "technology",
        IncidentKind::Other => "process",
    }
}

/// A new risk from a closed incident, titled by the handler: the threat is what happened (by
/// kind, never the description, which may name patients), the weakness is what the lessons
/// learned say, scored as having happened (likelihood in the middle of the matrix) with the
/// incident's severity as its impact, to be reduced. The handler refines it in the register.
/// `size` is the practice's matrix size (4 or 5).
pub fn risk_from(f: &RiskFacts<'_>, title: &str, size: u8) -> RiskInput {
    let middle = size.div_ceil(2);
    let impact = f
        .severity
        .and_then(|s| u8::try_from(s).ok())
        .unwrap_or(middle)
        .clamp(1, size);
    // Graded breach types, or before grading what the kind of incident threatens.
    let types: Vec<BreachType> = if f.breach_types.is_empty() {
        match f.kind {
            IncidentKind::MalwareOrPhishing => {
                vec![BreachType::Confidentiality, BreachType::Integrity]
            }
            IncidentKind::SystemUnavailable => vec![BreachType::Availability],
            _ => vec![BreachType::Confidentiality],
        }
    } else {
        f.breach_types.to_vec()
    };
    let because = |t: BreachType| {
        if types.contains(&t) {
            format!("Incident {}", f.reference)
        } else {
            String::new()
        }
    };
    RiskInput {
        title: title.trim().to_string(),
        description: format!(
            "Raised when incident {} ({}) was closed.",
            f.reference,
            f.kind.label().to_lowercase()
        ),
        threat: format!("It happens again: {}", f.kind.label().to_lowercase()),
        vulnerability: f.lessons.to_string(),
        asset_ids: f.asset_id.into_iter().collect(),
        confidentiality: types.contains(&BreachType::Confidentiality),
        confidentiality_reason: because(BreachType::Confidentiality),
        integrity: types.contains(&BreachType::Integrity),
        integrity_reason: because(BreachType::Integrity),
        availability: types.contains(&BreachType::Availability),
        availability_reason: because(BreachType::Availability),
        category: category(f.kind).into(),
        inherent_likelihood: Some(middle),
        inherent_impact: Some(impact),
        residual_likelihood: Some(middle),
        residual_impact: Some(impact),
        treatment: "reduce".into(),
        ..Default::default()
    }
}

/// What an incident's notification draft is made from.
pub struct DraftFacts<'a> {
    pub reference: &'a str,
    pub practice: &'a str,
    pub kind: IncidentKind,
    pub what_happened: &'a str,
    pub occurred_at: DateTime<Utc>,
    pub discovered_at: DateTime<Utc>,
    pub patient_data: bool,
    pub staff_data: bool,
    pub vulnerable: bool,
    pub breach_types: &'a [BreachType],
    pub people_affected: Option<i64>,
    pub records_affected: Option<i64>,
    pub likelihood: Option<i64>,
    pub severity: Option<i64>,
    /// The DPO's name and email, if the practice has one in Custodian.
    pub dpo: Option<(String, String)>,
    /// What was done, oldest first (the timeline's notes and steps).
    pub measures: Vec<String>,
    pub lessons: Option<&'a str>,
    /// When it was reported to the ICO, if it was.
    pub ico_reported_at: Option<DateTime<Utc>>,
    pub now: DateTime<Utc>,
}

/// The Art. 33(3) items, filled from the record, as plain text to copy: (a) the nature of the
/// breach with the categories and approximate numbers of people and records, (b) the DPO's
/// name and contact, (c) the likely consequences, (d) the measures taken and proposed; and,
/// when it is (or was) reported after 72 hours, the reminder that the reasons for the delay
/// are due (Art. 33(1)).
pub fn notification_draft(f: &DraftFacts<'_>) -> String {
    let show = crate::time::show_datetime;
    let mut subjects = Vec::new();
    if f.patient_data {
        subjects.push("patients");
    }
    if f.staff_data {
        subjects.push("staff");
    }
    let subjects = if subjects.is_empty() {
        "none recorded".to_string()
    } else {
        subjects.join(" and ")
    };
    let number = |n: Option<i64>| n.map_or("not yet known".to_string(), |n| format!("about {n}"));
    let types = if f.breach_types.is_empty() {
        "not yet assessed".to_string()
    } else {
        f.breach_types
            .iter()
            .map(|b| b.label().to_lowercase())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let graded = |n: Option<i64>, labels: &[&str; 5]| {
        n.and_then(|n| usize::try_from(n).ok())
            .filter(|n| (1..=5).contains(n))
            .map_or("not yet graded".to_string(), |n| {
                format!("{n} – {}", labels[n - 1])
            })
    };
    let dpo = match &f.dpo {
        Some((name, email)) => format!("{name}, Data Protection Officer, {email}"),
        None => {
            "No Data Protection Officer is recorded in Custodian: add their name and contact".into()
        }
    };
    let mut measures: Vec<String> = f.measures.iter().map(|m| format!("- {m}")).collect();
    if let Some(l) = f.lessons {
        measures.push(format!("- Proposed (lessons learned): {l}"));
    }
    if measures.is_empty() {
        measures.push("- None recorded yet".into());
    }
    let mut out = format!(
        "Personal data breach notification – {reference}, {practice}\n\n\
         (a) Nature of the breach\n\
         What happened: {what}\n\
         Kind: {kind}. Breach type: {types}.\n\
         When it happened: {occurred}. When the practice became aware: {aware}.\n\
         Categories of people concerned: {subjects}{vulnerable}.\n\
         Approximate number of people concerned: {people}.\n\
         Approximate number of records concerned: {records}.\n\n\
         (b) Data Protection Officer\n{dpo}\n\n\
         (c) Likely consequences\n\
         Likelihood that harm has occurred: {likelihood}.\n\
         Severity of the harm: {severity}.\n\n\
         (d) Measures taken or proposed\n{measures}\n",
        reference = f.reference,
        practice = f.practice,
        what = f.what_happened,
        kind = f.kind.label(),
        occurred = show(f.occurred_at),
        aware = show(f.discovered_at),
        vulnerable = if f.vulnerable {
            ", including vulnerable people"
        } else {
            ""
        },
        people = number(f.people_affected),
        records = number(f.records_affected),
        likelihood = graded(f.likelihood, &LIKELIHOOD),
        severity = graded(f.severity, &SEVERITY),
        measures = measures.join("\n"),
    );
    // Late is judged when it was (or, not yet reported, would now be) reported.
    if f.ico_reported_at.unwrap_or(f.now) - f.discovered_at > Duration::hours(72) {
        out.push_str(
            "\nReasons for the delay (more than 72 hours since the practice became aware, Art. 33(1)):\n- \n",
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(breach: &[BreachType]) -> RiskFacts<'_> {
        RiskFacts {
            reference: "INC-2026-0042",
            kind: IncidentKind::WrongRecipient,
            severity: Some(4),
            breach_types: breach,
            asset_id: None,
            lessons: "Addresses are not checked against the record before posting",
        }
    }

    #[test]
    fn a_raised_risk_carries_the_incident_without_its_description() {
        let r = risk_from(
            &facts(&[BreachType::Confidentiality]),
            " Letters misaddressed ",
            5,
        );
        assert_eq!(r.title, "Letters misaddressed");
        assert_eq!(r.category, "people");
        assert_eq!(r.treatment, "reduce");
        assert_eq!(
            (r.inherent_likelihood, r.inherent_impact),
            (Some(3), Some(4))
        );
        assert!(r.confidentiality && !r.integrity);
        assert_eq!(r.confidentiality_reason, "Incident INC-2026-0042");
        assert!(r.vulnerability.starts_with("Addresses"));
        // It passes the risk register's own rules on both matrix sizes.
        for size in [4u8, 5] {
            let m = crate::risks::matrix(if size == 4 { "4x4" } else { "5x5" });
            let r = risk_from(&facts(&[]), "Letters misaddressed", size);
            let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();
            let mut r = r;
            r.owner_id = Some(crate::PersonId::new());
            let v = r.validate(m, today, None);
            assert!(v.is_ok(), "{size}x{size}: {v:?}");
        }
    }

    #[test]
    fn the_closing_entry_names_the_risk_raised_or_linked() {
        let risk = |raised| ClosingRisk {
            id: RiskId::new(),
            title: "Letters misaddressed".into(),
            raised,
        };
        let close = |lessons: &str, risk| super::super::Step::Close {
            lessons: lessons.into(),
            risk,
        };
        assert_eq!(
            close("Check addresses.", Some(risk(true))).describe().1,
            "Closed. Lessons learned: Check addresses. Risk raised: Letters misaddressed"
        );
        assert_eq!(
            close("Check addresses", Some(risk(false))).describe().1,
            "Closed. Lessons learned: Check addresses. Linked to the risk: Letters misaddressed"
        );
        assert_eq!(
            close("Check addresses", None).describe().1,
            "Closed. Lessons learned: Check addresses"
        );
    }

    #[test]
    fn the_draft_fills_every_art_33_item_and_asks_for_the_delay_after_72_hours() {
        let at = DateTime::parse_from_rfc3339("2026-12-04T09:00:00Z")
            .unwrap()
            .to_utc();
        let mut f = DraftFacts {
            reference: "INC-2026-0042",
            practice: "Riverside Medical Centre",
            kind: IncidentKind::WrongRecipient,
            what_happened: "A discharge letter went to the wrong address",
            occurred_at: at - Duration::hours(2),
            discovered_at: at,
            patient_data: true,
            staff_data: false,
            vulnerable: true,
            breach_types: &[BreachType::Confidentiality],
            people_affected: Some(1),
            records_affected: None,
            likelihood: Some(3),
            severity: Some(2),
            dpo: Some(("Chidi Okafor".into(), "dpo@example.nhs.uk".into())),
            measures: vec!["Letter retrieved from the neighbour".into()],
            lessons: None,
            ico_reported_at: None,
            now: at + Duration::hours(10),
        };
        let d = notification_draft(&f);
        for item in [
            "(a) Nature of the breach",
            "A discharge letter went to the wrong address",
            "patients, including vulnerable people",
            "people concerned: about 1",
            "records concerned: not yet known",
            "Breach type: confidentiality",
            "(b) Data Protection Officer\nChidi Okafor, Data Protection Officer, dpo@example.nhs.uk",
            "(c) Likely consequences",
            "Likelihood that harm has occurred: 3 –",
            "Severity of the harm: 2 –",
            "(d) Measures taken or proposed\n- Letter retrieved from the neighbour",
        ] {
            assert!(d.contains(item), "{item} in\n{d}");
        }
        assert!(!d.contains("Reasons for the delay"));
        f.now = at + Duration::hours(73);
        f.dpo = None;
        let d = notification_draft(&f);
        assert!(d.contains("Reasons for the delay"));
        assert!(d.contains("No Data Protection Officer is recorded"));
        // Reported within the 72 hours: no delay to explain, however long ago that was.
        f.ico_reported_at = Some(at + Duration::hours(30));
        assert!(!notification_draft(&f).contains("Reasons for the delay"));
    }
}
