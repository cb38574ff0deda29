//! Information incidents: what any member of staff reports, how the practice grades it on the
//! NHS breach assessment grid, and the clocks the law and the National Data Guardian set from the
//! moment the practice became aware of it.

use chrono::{DateTime, Datelike, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::status::status_enum;
use crate::validation::Checker;
use crate::{AssetId, Invalid};

mod follow_up;
mod involved;
pub use follow_up::*;
pub use involved::*;

status_enum!(
    /// What kind of incident, in a reporter's words.
    IncidentKind {
        WrongRecipient => "wrong_recipient",
        LostOrStolen => "lost_or_stolen",
        InappropriateAccess => "inappropriate_access",
        MalwareOrPhishing => "malware_or_phishing",
        SystemUnavailable => "system_unavailable",
        Other => "other",
    }
);

status_enum!(
    /// Where an incident is in its handling.
    IncidentStatus {
        Reported => "reported",
        Triage => "triage",
        Investigating => "investigating",
        Contained => "contained",
        Closed => "closed",
    }
);

status_enum!(
    /// Which of the three properties of information the breach touched.
    BreachType {
        Confidentiality => "confidentiality",
        Integrity => "integrity",
        Availability => "availability",
    }
);

impl IncidentKind {
    /// The kind as the report form offers it.
    pub fn label(self) -> &'static str {
        match self {
            IncidentKind::WrongRecipient => "Sent to the wrong person or address",
            IncidentKind::LostOrStolen => "Lost or stolen device or paperwork",
            IncidentKind::InappropriateAccess => "Someone looked at records they should not",
            IncidentKind::MalwareOrPhishing => "Virus or suspicious email",
            IncidentKind::SystemUnavailable => "A system was unavailable",
            IncidentKind::Other => "Something else",
        }
    }
}

impl BreachType {
    pub fn label(self) -> &'static str {
        match self {
            BreachType::Confidentiality => "Confidentiality",
            BreachType::Integrity => "Integrity",
            BreachType::Availability => "Availability",
        }
    }
}

impl IncidentStatus {
    pub fn label(self) -> &'static str {
        match self {
            IncidentStatus::Reported => "Reported",
            IncidentStatus::Triage => "Triage",
            IncidentStatus::Investigating => "Investigating",
            IncidentStatus::Contained => "Contained",
            IncidentStatus::Closed => "Closed",
        }
    }
}

/// The longest description of what happened.
pub const DESCRIPTION_MAX: usize = 10_000;
/// How far ahead of the server's clock a reported time may be (a phone's clock running fast).
const FUTURE_SLACK_MINUTES: i64 = 5;

/// What a member of staff reports.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct IncidentReport {
    /// What happened, in their own words.
    #[schema(required = true, min_length = 1, max_length = 10000)]
    pub what_happened: String,
    /// One of the kinds.
    #[schema(
        required = true,
        pattern = "^(wrong_recipient|lost_or_stolen|inappropriate_access|malware_or_phishing|system_unavailable|other)$"
    )]
    pub kind: String,
    /// When it happened: `YYYY-MM-DDTHH:MM`, London time (RFC 3339 with an offset is taken too).
    #[schema(
        required = true,
        pattern = "^(19|20|21)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]$"
    )]
    pub occurred_at: String,
    /// When they found out (the practice's clocks start here), in the same form.
    #[schema(
        required = true,
        pattern = "^(19|20|21)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]$"
    )]
    pub discovered_at: String,
    /// Where it happened (reception, a home visit...).
    #[schema(max_length = 200)]
    pub location: String,
    /// Whether patients' information is involved.
    pub patient_data: bool,
    /// Whether staff information is involved.
    pub staff_data: bool,
    /// A near miss: no data left the practice's control.
    pub near_miss: bool,
    /// The information asset involved, if known.
    pub asset_id: Option<AssetId>,
    /// The practice's device involved, if any: one the reporter holds (any, for those who run
    /// the equipment register). One reported lost or stolen is marked so in the register.
    pub device_id: Option<crate::DeviceId>,
    /// When reporting for someone else (a phone call): who told them.
    #[schema(max_length = 200)]
    pub on_behalf_of: String,
}

/// A report that passed its checks.
#[derive(Clone, Debug, PartialEq)]
pub struct ValidReport {
    pub what_happened: String,
    pub kind: IncidentKind,
    pub occurred_at: DateTime<Utc>,
    pub discovered_at: DateTime<Utc>,
    pub location: String,
    pub patient_data: bool,
    pub staff_data: bool,
    pub near_miss: bool,
    pub asset_id: Option<AssetId>,
    pub on_behalf_of: Option<String>,
}

impl IncidentReport {
    /// Checks the report against the time it is made: a description, a kind, two moments that
    /// are not in the future, found out about no earlier than it happened.
    pub fn validate(&self, now: DateTime<Utc>) -> Result<ValidReport, Invalid> {
        let mut c = Checker::new();
        let what = c.text(
            "what_happened",
            "what happened",
            &self.what_happened,
            DESCRIPTION_MAX,
        );
        let kind = IncidentKind::parse(self.kind.trim());
        if kind.is_none() {
            c.fail("kind", "Choose what kind of incident it was");
        }
        let latest = now + Duration::minutes(FUTURE_SLACK_MINUTES);
        let mut moment = |field: &str, label: &str, value: &str| {
            match crate::time::parse_moment(value) {
                None => c.fail(field, format!("Enter {label} as a date and time")),
                Some(t) if t > latest => c.fail(field, format!("{} is in the future", cap(label))),
                Some(t) => return Some(t),
            }
            None
        };
        let occurred = moment("occurred_at", "when it happened", &self.occurred_at);
        let discovered = moment("discovered_at", "when you found out", &self.discovered_at);
        if let (Some(o), Some(d)) = (occurred, discovered)
            && d < o
        {
            c.fail(
                "discovered_at",
                "You cannot have found out before it happened: check both times",
            );
        }
        let location = optional(&mut c, "location", "where it happened", &self.location);
        let behalf = optional(&mut c, "on_behalf_of", "who told you", &self.on_behalf_of);
        c.finish()?;
        Ok(ValidReport {
            what_happened: what,
            kind: kind.expect("checked"),
            occurred_at: occurred.expect("checked"),
            discovered_at: discovered.expect("checked"),
            location,
            patient_data: self.patient_data,
            staff_data: self.staff_data,
            near_miss: self.near_miss,
            asset_id: self.asset_id,
            on_behalf_of: Some(behalf).filter(|b| !b.is_empty()),
        })
    }
}

fn optional(c: &mut Checker, field: &str, label: &str, value: &str) -> String {
    if let Some(problem) = crate::validation::text_problem(value.trim(), 200) {
        c.fail(field, format!("{} {problem}", cap(label)));
    }
    value.trim().to_string()
}

fn cap(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// An incident's reference, as people say it on the phone: `INC-2026-0042`.
pub fn reference(year: i32, number: u32) -> String {
    format!("INC-{year}-{number:04}")
}

/// The year an incident's reference counts in: the London year it was reported.
pub fn reference_year(reported_at: DateTime<Utc>) -> i32 {
    crate::identity::london_today(reported_at).year()
}

/// Likelihood that harm has occurred, on the NHS grid.
pub const LIKELIHOOD: [&str; 5] = [
    "Not occurred",
    "Not likely",
    "Likely",
    "Highly likely",
    "Occurred",
];
/// Severity of the harm, on the NHS grid.
pub const SEVERITY: [&str; 5] = [
    "No adverse effect",
    "Minor",
    "Adverse effect",
    "Pain and suffering, or financial loss",
    "Death or catastrophic",
];

/// The thresholds of the grid: reportable to the ICO at or above both the likelihood and the
/// severity; the Department of Health and Social Care told as well at or above its severity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GradingRule {
    pub ico_likelihood: u8,
    pub ico_severity: u8,
    pub dhsc_severity: u8,
}

impl Default for GradingRule {
    fn default() -> Self {
        GradingRule {
            ico_likelihood: 3,
            ico_severity: 2,
            dhsc_severity: 4,
        }
    }
}

/// An incident's place on the grid, as the handler grades it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Grading {
    pub likelihood: u8,
    pub severity: u8,
    /// Vulnerable groups are involved (children, people at risk...): the grid counts both scales
    /// as at least 2.
    pub vulnerable: bool,
}

/// What the grid says of a grading.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Assessment {
    /// The scales after the vulnerable-groups rule.
    pub likelihood: u8,
    pub severity: u8,
    pub reportable_to_ico: bool,
    pub notify_dhsc: bool,
}

impl Grading {
    /// Checks each scale is 1 to 5, naming the field.
    pub fn check(&self) -> Result<(), Invalid> {
        let mut c = Checker::new();
        if !(1..=5).contains(&self.likelihood) {
            c.fail("likelihood", "Likelihood must be from 1 to 5");
        }
        if !(1..=5).contains(&self.severity) {
            c.fail("severity", "Severity must be from 1 to 5");
        }
        c.finish()
    }

    /// Where the grid puts the incident under `rule`.
    pub fn assess(&self, rule: GradingRule) -> Assessment {
        let floor = if self.vulnerable { 2 } else { 1 };
        let likelihood = self.likelihood.clamp(1, 5).max(floor);
        let severity = self.severity.clamp(1, 5).max(floor);
        let reportable = likelihood >= rule.ico_likelihood && severity >= rule.ico_severity;
        Assessment {
            likelihood,
            severity,
            reportable_to_ico: reportable,
            notify_dhsc: reportable && severity >= rule.dhsc_severity,
        }
    }
}

/// The clocks that run from the moment the practice became aware.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClockKind {
    /// UK GDPR Art. 33: the ICO told within 72 hours, or the reason it is not reportable kept.
    Ico,
    /// The National Data Guardian's standard 6: senior management told within 12 hours.
    SeniorManagement,
    /// UK GDPR Art. 34: decided whether to tell the people affected (by the ICO's deadline).
    PeopleAffected,
}

impl ClockKind {
    pub fn hours(self) -> i64 {
        match self {
            ClockKind::SeniorManagement => 12,
            ClockKind::Ico | ClockKind::PeopleAffected => 72,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ClockKind::Ico => "Report to the ICO, or record why not (72 hours)",
            ClockKind::SeniorManagement => "Tell senior management (12 hours)",
            ClockKind::PeopleAffected => "Decide whether to tell the people affected (72 hours)",
        }
    }
}

/// How a clock stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClockState {
    /// Stopped by a recorded decision.
    Stopped,
    /// More than a third of its time left.
    Running,
    /// A third of its time or less left.
    Amber,
    /// Its time has passed with no decision.
    Red,
}

/// One clock of one incident.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Clock {
    pub kind: ClockKind,
    #[schema(value_type = String, format = DateTime)]
    pub due_at: DateTime<Utc>,
    pub state: ClockState,
    /// Minutes left (negative once it has run out); none once stopped.
    pub minutes_left: Option<i64>,
}

/// A clock started at `aware` (weekends and bank holidays count: it is plain elapsed time),
/// stopped when `stopped` is set.
pub fn clock(kind: ClockKind, aware: DateTime<Utc>, stopped: bool, now: DateTime<Utc>) -> Clock {
    let total = Duration::hours(kind.hours());
    let due_at = aware + total;
    let left = due_at - now;
    let state = if stopped {
        ClockState::Stopped
    } else if left <= Duration::zero() {
        ClockState::Red
    } else if left * 3 <= total {
        ClockState::Amber
    } else {
        ClockState::Running
    };
    Clock {
        kind,
        due_at,
        state,
        minutes_left: (!stopped).then(|| left.num_minutes()),
    }
}

/// What an incident's clocks are worked out from.
#[derive(Clone, Copy, Debug)]
pub struct ClockFacts {
    /// When the practice found out.
    pub aware: DateTime<Utc>,
    pub near_miss: bool,
    pub closed: bool,
    pub senior_told: bool,
    pub ico_decided: bool,
    pub subjects_decided: bool,
}

/// An incident's clocks at `now`: senior management (12 hours) for every incident; for a breach
/// (not a near miss) the ICO and the decision whether to tell the people affected (72 hours);
/// each stopped by its recorded decision, and all by closing.
pub fn incident_clocks(f: ClockFacts, now: DateTime<Utc>) -> Vec<Clock> {
    let mut out = vec![clock(
        ClockKind::SeniorManagement,
        f.aware,
        f.closed || f.senior_told,
        now,
    )];
    if !f.near_miss {
        out.push(clock(
            ClockKind::Ico,
            f.aware,
            f.closed || f.ico_decided,
            now,
        ));
        out.push(clock(
            ClockKind::PeopleAffected,
            f.aware,
            f.closed || f.subjects_decided,
            now,
        ));
    }
    out
}

/// Whether any clock is amber or red.
pub fn clocks_pressing(clocks: &[Clock]) -> bool {
    clocks
        .iter()
        .any(|c| matches!(c.state, ClockState::Amber | ClockState::Red))
}

/// An open incident as the provider's overview counts it.
#[derive(Clone, Copy, Debug)]
pub struct OpenIncident {
    pub status: IncidentStatus,
    pub reportable: Option<bool>,
    pub clocks: ClockFacts,
}

/// One practice's line of the provider's incident overview.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PracticeIncidents {
    pub practice_id: crate::PracticeId,
    pub practice: String,
    pub ods_code: String,
    /// Incidents not closed.
    pub open: usize,
    /// Reported and not yet triaged.
    pub awaiting_triage: usize,
    /// Open and graded reportable to the ICO.
    pub reportable: usize,
    /// Open with a clock amber (a third of its time or less left).
    pub clocks_running_out: usize,
    /// Open with a clock that has run out with no decision.
    pub clocks_overdue: usize,
}

impl PracticeIncidents {
    /// Counts a practice's open incidents at `now`.
    pub fn tally(
        practice_id: crate::PracticeId,
        practice: String,
        ods_code: String,
        open: &[OpenIncident],
        now: DateTime<Utc>,
    ) -> Self {
        let mut t = PracticeIncidents {
            practice_id,
            practice,
            ods_code,
            open: open.len(),
            awaiting_triage: 0,
            reportable: 0,
            clocks_running_out: 0,
            clocks_overdue: 0,
        };
        for i in open {
            t.awaiting_triage += usize::from(i.status == IncidentStatus::Reported);
            t.reportable += usize::from(i.reportable == Some(true));
            let clocks = incident_clocks(i.clocks, now);
            if clocks.iter().any(|c| c.state == ClockState::Red) {
                t.clocks_overdue += 1;
            } else if clocks_pressing(&clocks) {
                t.clocks_running_out += 1;
            }
        }
        t
    }
}

/// "2 h 5 min left", "3 days 4 h left", "overdue by 40 min": a clock's time as people read it.
pub fn time_left(minutes: i64) -> String {
    let m = minutes.abs();
    let (d, h, min) = (m / (24 * 60), (m / 60) % 24, m % 60);
    let span = match (d, h) {
        (0, 0) => format!("{min} min"),
        (0, _) => format!("{h} h {min} min"),
        _ => format!("{d} day{} {h} h", if d == 1 { "" } else { "s" }),
    };
    if minutes >= 0 {
        format!("{span} left")
    } else {
        format!("overdue by {span}")
    }
}

/// The decision that stops the ICO's clock.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct IcoDecision {
    /// Whether it was reported to the ICO.
    pub reported: bool,
    /// The ICO's (or the DSPT tool's) reference, when reported.
    #[schema(max_length = 100)]
    pub reference: String,
    /// When it was reported (`YYYY-MM-DDTHH:MM` London, or RFC 3339), when reported.
    #[schema(
        pattern = "^$|^(19|20|21)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]$"
    )]
    pub reported_at: String,
    /// Why it is not reportable (UK GDPR Art. 33(5) wants the reason kept), when not reported.
    #[schema(max_length = 2000)]
    pub reason: String,
}

/// A decision that passed its checks: reported (reference, when) or not (why).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ValidIcoDecision {
    Reported {
        reference: String,
        at: DateTime<Utc>,
    },
    NotReportable {
        reason: String,
    },
}

impl IcoDecision {
    pub fn validate(&self, now: DateTime<Utc>) -> Result<ValidIcoDecision, Invalid> {
        let mut c = Checker::new();
        if self.reported {
            let reference = c.text("reference", "the ICO's reference", &self.reference, 100);
            let at = crate::time::parse_moment(&self.reported_at);
            match at {
                None => c.fail(
                    "reported_at",
                    "Enter when it was reported as a date and time",
                ),
                Some(t) if t > now + Duration::minutes(FUTURE_SLACK_MINUTES) => {
                    c.fail("reported_at", "When it was reported is in the future")
                }
                Some(_) => {}
            }
            c.finish()?;
            Ok(ValidIcoDecision::Reported {
                reference,
                at: at.expect("checked"),
            })
        } else {
            let reason = c.text(
                "reason",
                "why it is not reportable (the law asks for the reason to be kept)",
                &self.reason,
                2000,
            );
            c.finish()?;
            Ok(ValidIcoDecision::NotReportable { reason })
        }
    }
}

/// How a handler grades an incident: the grid's two scales, whether vulnerable groups are
/// involved, which properties of the information the breach touched, and how many people and
/// records it affected, as far as known.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct GradeInput {
    /// Likelihood that harm has occurred, 1 (not occurred) to 5 (occurred).
    #[schema(required = true, minimum = 1, maximum = 5)]
    pub likelihood: u8,
    /// Severity of the harm, 1 (no adverse effect) to 5 (catastrophic).
    #[schema(required = true, minimum = 1, maximum = 5)]
    pub severity: u8,
    pub vulnerable: bool,
    pub breach_types: Vec<BreachType>,
    #[schema(maximum = 100000000)]
    pub people_affected: Option<u32>,
    #[schema(maximum = 100000000)]
    pub records_affected: Option<u32>,
}

/// The most people or records an incident may be said to affect.
const AFFECTED_MAX: u32 = 100_000_000;

impl GradeInput {
    pub fn grading(&self) -> Grading {
        Grading {
            likelihood: self.likelihood,
            severity: self.severity,
            vulnerable: self.vulnerable,
        }
    }

    pub fn validate(&self) -> Result<(), Invalid> {
        let mut problems = self
            .grading()
            .check()
            .err()
            .map(|e| e.0)
            .unwrap_or_default();
        for (field, n) in [
            ("people_affected", self.people_affected),
            ("records_affected", self.records_affected),
        ] {
            if n.is_some_and(|n| n > AFFECTED_MAX) {
                problems.push(crate::FieldError {
                    field: field.into(),
                    message: format!("Enter a number up to {AFFECTED_MAX}"),
                });
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Invalid(problems))
        }
    }
}

/// One step of handling an incident; each is written on its timeline with its audit event.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// Moved along (triage, investigating, contained); closing is [`Step::Close`].
    Status(IncidentStatus),
    Grade {
        grading: Grading,
        assessment: Assessment,
        breach_types: Vec<BreachType>,
        people_affected: Option<u32>,
        records_affected: Option<u32>,
    },
    /// Senior management told (the NDG's 12 hours).
    SeniorTold { at: DateTime<Utc> },
    /// The ICO decision (the 72 hours).
    Ico(ValidIcoDecision),
    /// The Art. 34 decision: the people affected told (how), or not (why).
    PeopleAffected { told: bool, note: String },
    /// A dated note of what was done.
    Note(String),
    /// Closed with the lessons learned, and the risk it raised or linked, if any.
    Close {
        lessons: String,
        risk: Option<ClosingRisk>,
    },
}

impl Step {
    /// The step's word (its timeline entry and audit action) and what the entry says.
    pub fn describe(&self) -> (&'static str, String) {
        match self {
            Step::Status(s) => ("status", format!("Status: {}", s.label())),
            Step::Grade { assessment: a, .. } => (
                "graded",
                format!(
                    "Graded: likelihood {} ({}), severity {} ({}); {}{}",
                    a.likelihood,
                    LIKELIHOOD[usize::from(a.likelihood - 1)],
                    a.severity,
                    SEVERITY[usize::from(a.severity - 1)],
                    if a.reportable_to_ico {
                        "reportable to the ICO"
                    } else {
                        "not reportable to the ICO"
                    },
                    if a.notify_dhsc {
                        ", DHSC to be told"
                    } else {
                        ""
                    }
                ),
            ),
            Step::SeniorTold { at } => (
                "senior_told",
                format!(
                    "Senior management told at {}",
                    crate::time::show_datetime(*at)
                ),
            ),
            Step::Ico(ValidIcoDecision::Reported { reference, at }) => (
                "ico_decision",
                format!(
                    "Reported to the ICO at {} (reference {reference})",
                    crate::time::show_datetime(*at)
                ),
            ),
            Step::Ico(ValidIcoDecision::NotReportable { reason }) => (
                "ico_decision",
                format!("Not reportable to the ICO: {reason}"),
            ),
            Step::PeopleAffected { told: true, note } => (
                "people_affected",
                format!("The people affected were told: {note}"),
            ),
            Step::PeopleAffected { told: false, note } => (
                "people_affected",
                format!("The people affected are not to be told: {note}"),
            ),
            Step::Note(text) => ("note", text.clone()),
            Step::Close { lessons, risk } => (
                "closed",
                format!(
                    "Closed. Lessons learned: {lessons}{}",
                    match risk {
                        Some(r) => format!(
                            "{} {} {}",
                            if lessons.ends_with(['.', '!', '?']) {
                                ""
                            } else {
                                "."
                            },
                            if r.raised {
                                "Risk raised:"
                            } else {
                                "Linked to the risk:"
                            },
                            r.title
                        ),
                        None => String::new(),
                    }
                ),
            ),
        }
    }
}

/// What a handler may post to move an incident on: a status (not closed), a note, the time
/// senior management was told, or closing with the lessons learned.
pub fn status_step(word: &str) -> Result<Step, Invalid> {
    match IncidentStatus::parse(word.trim()) {
        Some(IncidentStatus::Closed) => Err(Invalid::one(
            "status",
            "Close an incident with its lessons learned",
        )),
        Some(IncidentStatus::Reported) | None => Err(Invalid::one(
            "status",
            "Choose triage, investigating or contained",
        )),
        Some(s) => Ok(Step::Status(s)),
    }
}

/// The Art. 34 decision as a handler posts it.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct PeopleAffectedDecision {
    /// Whether the people affected were (or will be) told.
    pub told: bool,
    /// How they were told, or why they are not to be (the risk to them is not high).
    #[schema(required = true, min_length = 1, max_length = 5000)]
    pub note: String,
}

impl PeopleAffectedDecision {
    pub fn step(&self) -> Result<Step, Invalid> {
        let label = if self.told {
            "how the people affected were told"
        } else {
            "why the people affected are not to be told"
        };
        Ok(Step::PeopleAffected {
            told: self.told,
            note: note_text("note", label, &self.note)?,
        })
    }
}

/// A note for the timeline, or the lessons learned: present, at most 5,000 characters.
pub fn note_text(field: &str, label: &str, text: &str) -> Result<String, Invalid> {
    let mut c = Checker::new();
    let t = c.text(field, label, text, 5000);
    c.finish().map(|_| t)
}

#[cfg(test)]
mod tests;
