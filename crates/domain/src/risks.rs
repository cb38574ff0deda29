//! The information risk register: threats to the confidentiality, integrity and availability of
//! the practice's information assets, scored on a likelihood × impact matrix, treated, reviewed
//! and, when accepted above the practice's appetite, signed off by the SIRO. Plain rules, no I/O.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::validation::Checker;
use crate::{Invalid, PersonId};

/// A score band.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Band {
    Low,
    Medium,
    High,
    Extreme,
}

impl Band {
    pub const ALL: [Band; 4] = [Band::Low, Band::Medium, Band::High, Band::Extreme];

    pub fn as_str(self) -> &'static str {
        match self {
            Band::Low => "low",
            Band::Medium => "medium",
            Band::High => "high",
            Band::Extreme => "extreme",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Band::Low => "Low",
            Band::Medium => "Medium",
            Band::High => "High",
            Band::Extreme => "Extreme",
        }
    }
    /// The band's colour on the heat map (GOV.UK palette), and a text colour that meets WCAG
    /// contrast on it.
    pub fn colours(self) -> (&'static str, &'static str) {
        match self {
            Band::Low => ("#00703c", "#ffffff"),
            Band::Medium => ("#ffdd00", "#0b0c0c"),
            Band::High => ("#f47738", "#0b0c0c"),
            Band::Extreme => ("#d4351c", "#ffffff"),
        }
    }
    pub fn parse(s: &str) -> Option<Band> {
        Band::ALL.into_iter().find(|b| b.as_str() == s)
    }
}

/// A likelihood × impact matrix with its labels and score bands.
#[derive(Debug, PartialEq, Eq)]
pub struct Matrix {
    /// `5x5` or `4x4`: the practice setting's value.
    pub key: &'static str,
    pub name: &'static str,
    /// Labels from 1 upwards.
    pub likelihood: &'static [&'static str],
    pub impact: &'static [&'static str],
    /// The highest score of each band, from low to high; the last band takes the rest.
    band_tops: [u8; 3],
}

/// The NHS-style 5 × 5 matrix (the default).
pub const MATRIX_5X5: Matrix = Matrix {
    key: "5x5",
    name: "5 × 5 (likelihood 1–5 × impact 1–5)",
    likelihood: &["Rare", "Unlikely", "Possible", "Likely", "Almost certain"],
    impact: &["Negligible", "Minor", "Moderate", "Major", "Catastrophic"],
    band_tops: [3, 6, 12],
};

/// A simpler 4 × 4 matrix.
pub const MATRIX_4X4: Matrix = Matrix {
    key: "4x4",
    name: "4 × 4 (likelihood 1–4 × impact 1–4)",
    likelihood: &["Unlikely", "Possible", "Likely", "Almost certain"],
    impact: &["Minor", "Moderate", "Major", "Severe"],
    band_tops: [2, 4, 8],
};

pub const MATRICES: [&Matrix; 2] = [&MATRIX_5X5, &MATRIX_4X4];

/// The matrix a practice setting names; the default for anything else.
pub fn matrix(key: &str) -> &'static Matrix {
    MATRICES
        .into_iter()
        .find(|m| m.key == key)
        .unwrap_or(&MATRIX_5X5)
}

impl Matrix {
    pub fn size(&self) -> u8 {
        self.likelihood.len() as u8
    }
    /// The score of a likelihood and impact: their product. Scores are computed, never typed.
    pub fn score(&self, likelihood: u8, impact: u8) -> u8 {
        likelihood * impact
    }
    pub fn band(&self, score: u8) -> Band {
        match score {
            s if s <= self.band_tops[0] => Band::Low,
            s if s <= self.band_tops[1] => Band::Medium,
            s if s <= self.band_tops[2] => Band::High,
            _ => Band::Extreme,
        }
    }
    /// The scores a band covers, as "1–3".
    pub fn band_range(&self, band: Band) -> String {
        let max = self.size() * self.size();
        let (lo, hi) = match band {
            Band::Low => (1, self.band_tops[0]),
            Band::Medium => (self.band_tops[0] + 1, self.band_tops[1]),
            Band::High => (self.band_tops[1] + 1, self.band_tops[2]),
            Band::Extreme => (self.band_tops[2] + 1, max),
        };
        format!("{lo}–{hi}")
    }
    pub fn likelihood_label(&self, l: u8) -> &'static str {
        self.likelihood
            .get(usize::from(l).wrapping_sub(1))
            .copied()
            .unwrap_or("")
    }
    pub fn impact_label(&self, i: u8) -> &'static str {
        self.impact
            .get(usize::from(i).wrapping_sub(1))
            .copied()
            .unwrap_or("")
    }
}

pub const CATEGORIES: &[(&str, &str)] = &[
    ("people", "People"),
    ("process", "Process"),
    ("technology", "Technology"),
    ("supplier", "Supplier"),
    ("physical", "Physical"),
];
pub const TREATMENTS: &[(&str, &str)] = &[
    ("reduce", "Reduce"),
    ("accept", "Accept"),
    ("transfer", "Transfer"),
    ("avoid", "Avoid"),
];
/// Statuses a person sets in the form; `accepted` comes only from an acceptance.
pub const STATUSES: &[(&str, &str)] = &[
    ("open", "Open"),
    ("treating", "Being treated"),
    ("accepted", "Accepted"),
    ("closed", "Closed"),
];
pub const ACTION_STATUSES: &[(&str, &str)] = &[
    ("open", "Not started"),
    ("in_progress", "In progress"),
    ("done", "Done"),
];

fn label(list: &[(&'static str, &'static str)], value: &str) -> &'static str {
    list.iter()
        .find(|(v, _)| *v == value)
        .map(|(_, l)| *l)
        .unwrap_or("")
}
pub fn category_label(v: &str) -> &'static str {
    label(CATEGORIES, v)
}
pub fn treatment_label(v: &str) -> &'static str {
    label(TREATMENTS, v)
}
pub fn status_label(v: &str) -> &'static str {
    label(STATUSES, v)
}
pub fn action_status_label(v: &str) -> &'static str {
    label(ACTION_STATUSES, v)
}

/// A risk as typed into the form or the API.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(default)]
pub struct RiskInput {
    pub title: String,
    pub description: String,
    /// What could happen (e.g. "a phishing email harvests a password").
    pub threat: String,
    /// The weakness it exploits (e.g. "staff not trained to spot phishing").
    pub vulnerability: String,
    /// The assets affected, from the practice's asset register.
    pub asset_ids: Vec<crate::AssetId>,
    pub confidentiality: bool,
    pub confidentiality_reason: String,
    pub integrity: bool,
    pub integrity_reason: String,
    pub availability: bool,
    pub availability_reason: String,
    /// people, process, technology, supplier or physical.
    pub category: String,
    /// The risk owner; by default the IAO of the first asset.
    pub owner_id: Option<PersonId>,
    /// Before controls: 1 to the matrix's size.
    pub inherent_likelihood: Option<u8>,
    pub inherent_impact: Option<u8>,
    /// The controls in place now.
    pub controls: String,
    /// With the current controls.
    pub residual_likelihood: Option<u8>,
    pub residual_impact: Option<u8>,
    /// reduce, accept, transfer or avoid.
    pub treatment: String,
    /// Where treatment should bring it.
    pub target_likelihood: Option<u8>,
    pub target_impact: Option<u8>,
    /// open, treating or closed (accepted comes from an acceptance).
    pub status: String,
    /// Months between reviews (default 3: every quarter).
    pub review_interval_months: Option<u32>,
    /// The date the risk was raised (default today).
    pub raised_on: String,
}

/// A risk that passed validation, with its computed scores.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidRisk {
    pub input: RiskInput,
    pub raised_on: NaiveDate,
    pub review_interval_months: u32,
    pub inherent_score: u8,
    pub residual_score: u8,
    pub target_score: Option<u8>,
}

fn choice(c: &mut Checker, field: &str, what: &str, value: &str, list: &[(&str, &str)]) -> String {
    let v = value.trim();
    if !list.iter().any(|(k, _)| *k == v) {
        c.fail(field, format!("Choose {what} from the list"));
    }
    v.to_string()
}

fn level(
    c: &mut Checker,
    m: &Matrix,
    field: &str,
    what: &str,
    v: Option<u8>,
    required: bool,
) -> Option<u8> {
    let labels = if what.contains("likelihood") {
        m.likelihood
    } else {
        m.impact
    };
    match v {
        None if !required => None,
        Some(n) if (1..=m.size()).contains(&n) => Some(n),
        _ => {
            c.fail(
                field,
                format!(
                    "Choose the {what} from 1 ({}) to {} ({})",
                    labels[0],
                    m.size(),
                    labels[labels.len() - 1]
                ),
            );
            None
        }
    }
}

impl RiskInput {
    /// Checks the risk against the practice's matrix; `today` is the practice's date and
    /// `current_status` the stored risk's status (`None` for a new risk): only an acceptance
    /// makes a risk `accepted`.
    pub fn validate(
        &self,
        m: &Matrix,
        today: NaiveDate,
        current_status: Option<&str>,
    ) -> Result<ValidRisk, Invalid> {
        let mut c = Checker::new();
        let mut out = self.clone();
        (out.title, out.threat, out.vulnerability) =
            threat_text(&mut c, &self.title, &self.threat, &self.vulnerability);
        out.description = self.description.trim().to_string();
        out.controls = self.controls.trim().to_string();
        for (field, v, max) in [
            ("description", &out.description, 4000),
            ("controls", &out.controls, 4000),
        ] {
            if v.chars().count() > max {
                c.fail(field, format!("This must be {max} characters or fewer"));
            }
        }
        out.category = choice(
            &mut c,
            "category",
            "the category",
            &self.category,
            CATEGORIES,
        );
        out.treatment = choice(
            &mut c,
            "treatment",
            "the treatment",
            &self.treatment,
            TREATMENTS,
        );
        out.status = if self.status.trim().is_empty() {
            "open".into()
        } else {
            choice(&mut c, "status", "the status", &self.status, STATUSES)
        };
        if !(self.confidentiality || self.integrity || self.availability) {
            c.fail(
                "confidentiality",
                "Say which of confidentiality, integrity and availability the risk threatens",
            );
        }
        for (field, on, reason, what) in [
            (
                "confidentiality_reason",
                self.confidentiality,
                &self.confidentiality_reason,
                "confidentiality",
            ),
            (
                "integrity_reason",
                self.integrity,
                &self.integrity_reason,
                "integrity",
            ),
            (
                "availability_reason",
                self.availability,
                &self.availability_reason,
                "availability",
            ),
        ] {
            if on && reason.trim().is_empty() {
                c.fail(field, format!("Say briefly how it threatens {what}"));
            }
        }
        let il = level(
            &mut c,
            m,
            "inherent_likelihood",
            "inherent likelihood",
            self.inherent_likelihood,
            true,
        );
        let ii = level(
            &mut c,
            m,
            "inherent_impact",
            "inherent impact",
            self.inherent_impact,
            true,
        );
        let rl = level(
            &mut c,
            m,
            "residual_likelihood",
            "residual likelihood",
            self.residual_likelihood,
            true,
        );
        let ri = level(
            &mut c,
            m,
            "residual_impact",
            "residual impact",
            self.residual_impact,
            true,
        );
        let tl = level(
            &mut c,
            m,
            "target_likelihood",
            "target likelihood",
            self.target_likelihood,
            false,
        );
        let ti = level(
            &mut c,
            m,
            "target_impact",
            "target impact",
            self.target_impact,
            false,
        );
        let inherent = il.zip(ii).map(|(l, i)| m.score(l, i));
        let residual = rl.zip(ri).map(|(l, i)| m.score(l, i));
        let target = tl.zip(ti).map(|(l, i)| m.score(l, i));
        if tl.is_some() != ti.is_some() {
            c.fail(
                if tl.is_none() {
                    "target_likelihood"
                } else {
                    "target_impact"
                },
                "Give both the target likelihood and the target impact, or neither",
            );
        }
        if let (Some(i), Some(r)) = (inherent, residual)
            && r > i
        {
            c.fail(
                    "residual_likelihood",
                    format!("The residual score ({r}) cannot be higher than the inherent score ({i}): controls do not add risk"),
                );
        }
        if let (Some(r), Some(t)) = (residual, target)
            && t > r
        {
            c.fail(
                "target_likelihood",
                format!("The target score ({t}) cannot be higher than the residual score ({r})"),
            );
        }
        if out.status == "accepted" && current_status != Some("accepted") {
            c.fail(
                "status",
                "Accept a risk with its acceptance form, which records why and until when (and the SIRO's sign-off above the appetite)",
            );
        }
        let raised_on = if self.raised_on.trim().is_empty() {
            Some(today)
        } else {
            let d = crate::identity::parse_date(self.raised_on.trim());
            if d.is_none() {
                c.fail(
                    "raised_on",
                    "Enter the date the risk was raised as a real date, like 2026-11-01",
                );
            }
            d
        };
        if raised_on.is_some_and(|d| d > today) {
            c.fail(
                "raised_on",
                "The date the risk was raised cannot be in the future",
            );
        }
        let interval = self.review_interval_months.unwrap_or(3);
        if !(1..=24).contains(&interval) {
            c.fail("review_interval_months", "Review every 1 to 24 months");
        }
        let mut assets = self.asset_ids.clone();
        assets.dedup();
        if assets.len() != self.asset_ids.len() || assets.len() > 50 {
            c.fail("asset_ids", "Choose each asset once (at most 50)");
        }
        c.finish()?;
        let raised_on = raised_on.expect("checked");
        out.raised_on = raised_on.to_string();
        out.review_interval_months = Some(interval);
        Ok(ValidRisk {
            input: out,
            raised_on,
            review_interval_months: interval,
            inherent_score: inherent.expect("checked"),
            residual_score: residual.expect("checked"),
            target_score: target,
        })
    }
}

/// Whether someone may change a risk: those who manage the register, or the risk's owner.
pub fn may_edit(access: &crate::Access, owner: Option<PersonId>) -> bool {
    access.can(crate::Permission::RisksManage)
        || (owner == Some(access.person) && access.can(crate::Permission::RisksView))
}

/// The date a risk's next review is due: the last review (or the day it was raised) plus the
/// interval.
pub fn next_review(last: NaiveDate, interval_months: u32) -> NaiveDate {
    last.checked_add_months(Months::new(interval_months))
        .unwrap_or(last)
}

/// An action of a risk's treatment plan.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(default)]
pub struct ActionInput {
    pub description: String,
    pub owner_id: Option<PersonId>,
    /// YYYY-MM-DD.
    pub due_on: String,
    /// open, in_progress or done.
    pub status: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidAction {
    pub input: ActionInput,
    pub due_on: NaiveDate,
}

impl ActionInput {
    /// Checks an action of a risk raised on `raised_on`.
    pub fn validate(&self, raised_on: NaiveDate) -> Result<ValidAction, Invalid> {
        let mut c = Checker::new();
        let mut out = self.clone();
        out.description = c.text("description", "what will be done", &self.description, 1000);
        if self.owner_id.is_none() {
            c.fail("owner_id", "Choose who will do it");
        }
        out.status = if self.status.trim().is_empty() {
            "open".into()
        } else {
            choice(
                &mut c,
                "status",
                "the status",
                &self.status,
                ACTION_STATUSES,
            )
        };
        let due = crate::identity::parse_date(self.due_on.trim());
        match due {
            None => c.fail("due_on", "Enter the date it is due, like 2026-12-31"),
            Some(d) if d < raised_on => c.fail(
                "due_on",
                format!(
                    "The action cannot be due before the risk was raised ({})",
                    raised_on.format("%-d %B %Y")
                ),
            ),
            Some(_) => {}
        }
        c.finish()?;
        let due_on = due.expect("checked");
        out.due_on = due_on.to_string();
        Ok(ValidAction { input: out, due_on })
    }
}

/// A review of a risk (the Check of Plan–Do–Check–Act).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(default)]
pub struct ReviewInput {
    /// The residual likelihood and impact found at the review.
    pub residual_likelihood: Option<u8>,
    pub residual_impact: Option<u8>,
    /// What was looked at and concluded; why the scores changed, when they did.
    pub notes: String,
    /// The next review; by default the interval from today.
    pub next_review_on: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidReview {
    pub input: ReviewInput,
    pub residual_score: u8,
    pub scores_changed: bool,
    pub next_review_on: NaiveDate,
}

impl ReviewInput {
    /// Checks a review of a risk whose residual scores are `current` (likelihood, impact).
    pub fn validate(
        &self,
        m: &Matrix,
        current: (u8, u8),
        inherent_score: u8,
        interval_months: u32,
        today: NaiveDate,
    ) -> Result<ValidReview, Invalid> {
        let mut c = Checker::new();
        let mut out = self.clone();
        let l = level(
            &mut c,
            m,
            "residual_likelihood",
            "residual likelihood",
            self.residual_likelihood,
            true,
        );
        let i = level(
            &mut c,
            m,
            "residual_impact",
            "residual impact",
            self.residual_impact,
            true,
        );
        out.notes = self.notes.trim().to_string();
        let changed = l.zip(i).is_some_and(|s| s != current);
        if out.notes.is_empty() {
            c.fail(
                "notes",
                if changed {
                    "Say why the scores changed"
                } else {
                    "Say what the review looked at and concluded"
                },
            );
        }
        if let (Some(l), Some(i)) = (l, i)
            && m.score(l, i) > inherent_score
        {
            c.fail(
                    "residual_likelihood",
                    format!("The residual score ({}) cannot be higher than the inherent score ({inherent_score})", m.score(l, i)),
                );
        }
        let next = if self.next_review_on.trim().is_empty() {
            Some(next_review(today, interval_months))
        } else {
            let d = crate::identity::parse_date(self.next_review_on.trim());
            if d.is_none() {
                c.fail(
                    "next_review_on",
                    "Enter the next review date as a real date, like 2027-02-26",
                );
            }
            d
        };
        if next.is_some_and(|d| d <= today) {
            c.fail("next_review_on", "The next review must be after today");
        }
        c.finish()?;
        let next_review_on = next.expect("checked");
        out.next_review_on = next_review_on.to_string();
        let (l, i) = (l.expect("checked"), i.expect("checked"));
        Ok(ValidReview {
            input: out,
            residual_score: m.score(l, i),
            scores_changed: changed,
            next_review_on,
        })
    }
}

/// Accepting a risk: why, and until when.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(default)]
pub struct AcceptanceInput {
    pub reason: String,
    /// The acceptance lapses after this date and the risk comes back for review.
    pub expires_on: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidAcceptance {
    pub input: AcceptanceInput,
    pub expires_on: NaiveDate,
    /// The residual band was above the practice's appetite: signed off by the SIRO.
    pub above_appetite: bool,
}

/// Whether accepting a risk in `band` needs the SIRO: it is above the practice's appetite.
pub fn above_appetite(band: Band, appetite: Band) -> bool {
    band > appetite
}

impl AcceptanceInput {
    /// Checks an acceptance of a risk in `band` by someone who `is_siro` (may sign off above the
    /// appetite) or not. An acceptance lasts at most a year.
    pub fn validate(
        &self,
        band: Band,
        appetite: Band,
        is_siro: bool,
        today: NaiveDate,
    ) -> Result<ValidAcceptance, Invalid> {
        let mut c = Checker::new();
        let above = above_appetite(band, appetite);
        if above && !is_siro {
            c.fail(
                "reason",
                format!(
                    "This risk is {} and the practice accepts up to {} without the SIRO: only the SIRO can accept it",
                    band.label(),
                    appetite.label()
                ),
            );
        }
        let reason = c.text("reason", "why the risk is accepted", &self.reason, 2000);
        let expires = crate::identity::parse_date(self.expires_on.trim());
        match expires {
            None => c.fail(
                "expires_on",
                "Enter the date the acceptance ends, like 2027-05-31",
            ),
            Some(d) if d <= today => c.fail("expires_on", "The acceptance must end after today"),
            Some(d) if d > today.checked_add_months(Months::new(12)).unwrap_or(d) => c.fail(
                "expires_on",
                "Accept a risk for at most a year, then review it again",
            ),
            Some(_) => {}
        }
        c.finish()?;
        let expires_on = expires.expect("checked");
        Ok(ValidAcceptance {
            input: AcceptanceInput {
                reason,
                expires_on: expires_on.to_string(),
            },
            expires_on,
            above_appetite: above,
        })
    }
}

/// What needs attention on a risk today.
pub fn attention(
    status: &str,
    next_review_on: NaiveDate,
    acceptance_expires_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Vec<String> {
    let mut out = Vec::new();
    if status == "closed" {
        return out;
    }
    if next_review_on < today {
        out.push(format!(
            "Review overdue since {}",
            next_review_on.format("%-d %b %Y")
        ));
    }
    if status == "accepted" && acceptance_expires_on.is_some_and(|d| d < today) {
        out.push("Acceptance has lapsed: review the risk".to_string());
    }
    out
}

/// Whether an action is overdue.
pub fn action_overdue(status: &str, due_on: NaiveDate, today: NaiveDate) -> bool {
    status != "done" && due_on < today
}

/// A common GP-practice threat a practice can add to its register in one step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct LibraryEntry {
    pub key: &'static str,
    pub title: &'static str,
    pub threat: &'static str,
    pub vulnerability: &'static str,
    pub category: &'static str,
    pub confidentiality: bool,
    pub integrity: bool,
    pub availability: bool,
    /// Suggested on the 5 × 5 matrix; scaled to a smaller one.
    pub likelihood: u8,
    pub impact: u8,
    pub controls: &'static str,
}

impl LibraryEntry {
    /// The entry as a new risk for the form, on the practice's matrix.
    pub fn to_input(&self, m: &Matrix) -> RiskInput {
        Threat::from(self).to_input(m)
    }
}

/// A threat of a library: a built-in one (its key is a word) or one the provider added (its key
/// is its id).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct Threat {
    pub key: String,
    pub title: String,
    pub threat: String,
    pub vulnerability: String,
    /// people, process, technology, supplier or physical.
    pub category: String,
    pub confidentiality: bool,
    pub integrity: bool,
    pub availability: bool,
    /// On the 5 × 5 matrix (1 to 5); scaled to a smaller matrix.
    pub likelihood: u8,
    pub impact: u8,
    pub controls: String,
    /// Added by the provider rather than built in.
    pub from_provider: bool,
}

impl From<&LibraryEntry> for Threat {
    fn from(e: &LibraryEntry) -> Threat {
        Threat {
            key: e.key.into(),
            title: e.title.into(),
            threat: e.threat.into(),
            vulnerability: e.vulnerability.into(),
            category: e.category.into(),
            confidentiality: e.confidentiality,
            integrity: e.integrity,
            availability: e.availability,
            likelihood: e.likelihood,
            impact: e.impact,
            controls: e.controls.into(),
            from_provider: false,
        }
    }
}

/// The title, threat and vulnerability of a risk or a library threat, checked alike.
fn threat_text(
    c: &mut Checker,
    title: &str,
    threat: &str,
    vulnerability: &str,
) -> (String, String, String) {
    (
        c.text("title", "a short title", title, 200),
        c.text("threat", "the threat: what could happen", threat, 2000),
        c.text(
            "vulnerability",
            "the vulnerability it exploits",
            vulnerability,
            2000,
        ),
    )
}

impl Threat {
    /// Checks a threat the provider adds to its library.
    pub fn validate(&self) -> Result<Threat, Invalid> {
        let mut c = Checker::new();
        let mut out = self.clone();
        (out.title, out.threat, out.vulnerability) =
            threat_text(&mut c, &self.title, &self.threat, &self.vulnerability);
        out.category = choice(
            &mut c,
            "category",
            "the category",
            &self.category,
            CATEGORIES,
        );
        out.controls = self.controls.trim().to_string();
        if out.controls.chars().count() > 2000 {
            c.fail("controls", "This must be 2000 characters or fewer");
        }
        if !(self.confidentiality || self.integrity || self.availability) {
            c.fail(
                "confidentiality",
                "Say which of confidentiality, integrity and availability the threat affects",
            );
        }
        for (field, v, what) in [
            ("likelihood", self.likelihood, "likelihood"),
            ("impact", self.impact, "impact"),
        ] {
            if !(1..=5).contains(&v) {
                c.fail(
                    field,
                    format!("Suggest the {what} from 1 to 5 (on the 5 × 5 matrix)"),
                );
            }
        }
        c.finish()?;
        out.from_provider = true;
        Ok(out)
    }

    /// The threat as a new risk for the form, on the practice's matrix.
    pub fn to_input(&self, m: &Matrix) -> RiskInput {
        let scale = |v: u8| -> u8 {
            let s = u16::from(v.clamp(1, 5)) * u16::from(m.size());
            (s.div_ceil(5)).clamp(1, u16::from(m.size())) as u8
        };
        let (l, i) = (scale(self.likelihood), scale(self.impact));
        let why = |on: bool, what: &str| if on { what.to_string() } else { String::new() };
        RiskInput {
            title: self.title.clone(),
            threat: self.threat.clone(),
            vulnerability: self.vulnerability.clone(),
            category: self.category.clone(),
            confidentiality: self.confidentiality,
            confidentiality_reason: why(
                self.confidentiality,
                "Data seen by people who should not see it",
            ),
            integrity: self.integrity,
            integrity_reason: why(self.integrity, "Records changed or corrupted"),
            availability: self.availability,
            availability_reason: why(
                self.availability,
                "Records or systems unavailable when needed",
            ),
            inherent_likelihood: Some(l),
            inherent_impact: Some(i),
            residual_likelihood: Some(l),
            residual_impact: Some(i),
            controls: self.controls.clone(),
            treatment: "reduce".into(),
            status: "open".into(),
            ..Default::default()
        }
    }
}

/// The built-in library of common threats to a GP practice's information.
pub const LIBRARY: &[LibraryEntry] = &[
    LibraryEntry {
        key: "phishing",
        title: "Phishing email leads to a stolen password",
        threat: "A member of staff enters their password on a fake sign-in page sent by email",
        vulnerability: "Staff not always able to spot phishing; accounts without two-factor authentication",
        category: "people",
        confidentiality: true,
        integrity: true,
        availability: false,
        likelihood: 4,
        impact: 4,
        controls: "NHSmail filtering; annual data security training",
    },
    LibraryEntry {
        key: "ransomware",
        title: "Ransomware encrypts practice systems",
        threat: "Malware encrypts files on practice computers and the shared drive and demands payment",
        vulnerability: "Unpatched computers; macros and downloads allowed; backups reachable from the network",
        category: "technology",
        confidentiality: true,
        integrity: true,
        availability: true,
        likelihood: 3,
        impact: 5,
        controls: "Anti-malware on every computer; NHS-managed firewall; backups",
    },
    LibraryEntry {
        key: "lost_device",
        title: "A laptop, phone or memory stick is lost or stolen",
        threat: "A device holding practice or patient data is lost or stolen outside the practice",
        vulnerability: "Devices or removable media not encrypted; data stored locally",
        category: "physical",
        confidentiality: true,
        integrity: false,
        availability: true,
        likelihood: 3,
        impact: 4,
        controls: "Practice-issued encrypted media only; device register",
    },
    LibraryEntry {
        key: "unsupported_software",
        title: "Unsupported software on practice computers",
        threat: "An attacker exploits a known flaw in software that no longer receives security updates",
        vulnerability: "Old operating systems or applications kept for one task",
        category: "technology",
        confidentiality: true,
        integrity: true,
        availability: true,
        likelihood: 3,
        impact: 4,
        controls: "Software inventory; automatic updates",
    },
    LibraryEntry {
        key: "misdirected_email",
        title: "Email with patient data sent to the wrong person",
        threat: "A letter or result is emailed to the wrong address, or to a whole list",
        vulnerability: "Address autocomplete; similar names; no check before sending",
        category: "people",
        confidentiality: true,
        integrity: false,
        availability: false,
        likelihood: 4,
        impact: 3,
        controls: "NHSmail encryption for external addresses; training",
    },
    LibraryEntry {
        key: "staff_snooping",
        title: "Staff look at records they have no reason to",
        threat: "A member of staff opens the record of a relative, neighbour or public figure",
        vulnerability: "Role-based access is broad; audit trails not reviewed",
        category: "people",
        confidentiality: true,
        integrity: false,
        availability: false,
        likelihood: 3,
        impact: 3,
        controls: "Confidentiality clauses; smartcard access; audit reports",
    },
    LibraryEntry {
        key: "supplier_breach",
        title: "A supplier suffers a breach",
        threat: "A supplier that hosts or processes practice data is breached or fails",
        vulnerability: "Suppliers not checked for DSPT compliance; contracts without data protection terms",
        category: "supplier",
        confidentiality: true,
        integrity: true,
        availability: true,
        likelihood: 2,
        impact: 4,
        controls: "Contracts with data processing terms; suppliers' DSPT status checked",
    },
    LibraryEntry {
        key: "power_network_loss",
        title: "Loss of power or network connection",
        threat: "A power cut or network outage stops access to the clinical system",
        vulnerability: "One network line; no tested business continuity plan",
        category: "physical",
        confidentiality: false,
        integrity: false,
        availability: true,
        likelihood: 3,
        impact: 3,
        controls: "Business continuity plan; clinical system hosted by the supplier",
    },
    LibraryEntry {
        key: "paper_records_loss",
        title: "Paper records lost, damaged or seen",
        threat: "Paper notes or printouts are lost, left in view, or damaged by fire or water",
        vulnerability: "Paper kept in unlocked rooms; no clear-desk habit",
        category: "physical",
        confidentiality: true,
        integrity: true,
        availability: true,
        likelihood: 2,
        impact: 3,
        controls: "Locked store; confidential waste bins",
    },
    LibraryEntry {
        key: "password_sharing",
        title: "Staff share passwords or smartcards",
        threat: "Staff use each other's logins, so actions cannot be traced to a person",
        vulnerability: "Busy reception; slow sign-in; shared computers left signed in",
        category: "people",
        confidentiality: true,
        integrity: true,
        availability: false,
        likelihood: 3,
        impact: 3,
        controls: "Acceptable use policy; screen lock after inactivity",
    },
];

/// A library entry by key.
pub fn library_entry(key: &str) -> Option<&'static LibraryEntry> {
    LIBRARY.iter().find(|e| e.key == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
    }

    fn risk() -> RiskInput {
        RiskInput {
            title: "Phishing".into(),
            threat: "Password harvested".into(),
            vulnerability: "No MFA".into(),
            category: "people".into(),
            confidentiality: true,
            confidentiality_reason: "Records read".into(),
            inherent_likelihood: Some(4),
            inherent_impact: Some(4),
            residual_likelihood: Some(3),
            residual_impact: Some(4),
            treatment: "reduce".into(),
            target_likelihood: Some(2),
            target_impact: Some(3),
            ..Default::default()
        }
    }

    #[test]
    fn scores_and_bands_on_both_matrices() {
        let m = &MATRIX_5X5;
        assert_eq!(m.score(4, 5), 20);
        let bands: Vec<Band> = [1, 3, 4, 6, 8, 12, 15, 25]
            .iter()
            .map(|s| m.band(*s))
            .collect();
        use Band::*;
        assert_eq!(
            bands,
            [Low, Low, Medium, Medium, High, High, Extreme, Extreme]
        );
        assert_eq!(m.band_range(Extreme), "13–25");
        let m = &MATRIX_4X4;
        let bands: Vec<Band> = [1, 2, 3, 4, 6, 8, 9, 16]
            .iter()
            .map(|s| m.band(*s))
            .collect();
        assert_eq!(
            bands,
            [Low, Low, Medium, Medium, High, High, Extreme, Extreme]
        );
        assert_eq!(m.likelihood_label(4), "Almost certain");
        assert_eq!(m.likelihood_label(5), "");
        assert_eq!(matrix("4x4").size(), 4);
        assert_eq!(matrix("nonsense").key, "5x5");
    }

    #[test]
    fn a_risk_is_scored_not_typed_and_bad_levels_are_named() {
        let v = risk().validate(&MATRIX_5X5, today(), None).unwrap();
        assert_eq!(
            (v.inherent_score, v.residual_score, v.target_score),
            (16, 12, Some(6))
        );
        assert_eq!(v.raised_on, today());
        assert_eq!(v.review_interval_months, 3);

        let mut r = risk();
        r.inherent_likelihood = Some(0);
        r.residual_impact = Some(5);
        let e = r.validate(&MATRIX_4X4, today(), None).unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert!(fields.contains(&"inherent_likelihood"), "{e}");
        assert!(
            e.to_string()
                .contains("from 1 (Unlikely) to 4 (Almost certain)"),
            "{e}"
        );
        assert!(
            fields.contains(&"residual_impact"),
            "5 is off a 4 × 4 matrix: {e}"
        );

        let mut r = risk();
        r.residual_likelihood = Some(5);
        r.residual_impact = Some(5);
        let e = r.validate(&MATRIX_5X5, today(), None).unwrap_err();
        assert!(
            e.to_string()
                .contains("cannot be higher than the inherent score (16)"),
            "{e}"
        );

        let mut r = risk();
        r.confidentiality = false;
        r.raised_on = "2027-01-01".into();
        r.target_likelihood = None;
        r.status = "accepted".into();
        let e = r.validate(&MATRIX_5X5, today(), None).unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "confidentiality",
                "target_likelihood",
                "status",
                "raised_on"
            ],
            "{e}"
        );
        // An accepted risk keeps its status when edited.
        let mut r = risk();
        r.status = "accepted".into();
        assert!(r.validate(&MATRIX_5X5, today(), Some("accepted")).is_ok());
    }

    #[test]
    fn actions_cannot_be_due_before_the_risk_was_raised() {
        let raised = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap();
        let a = ActionInput {
            description: "Turn on MFA".into(),
            owner_id: Some(PersonId::new()),
            due_on: "2026-09-30".into(),
            ..Default::default()
        };
        let e = a.validate(raised).unwrap_err();
        assert_eq!(e.0[0].field, "due_on");
        assert!(e.0[0].message.contains("1 October 2026"));
        let ok = ActionInput {
            due_on: "2026-10-01".into(),
            ..a
        }
        .validate(raised)
        .unwrap();
        assert_eq!(ok.input.status, "open");
        assert!(action_overdue("open", ok.due_on, today()));
        assert!(!action_overdue("done", ok.due_on, today()));
    }

    #[test]
    fn above_the_appetite_only_the_siro_accepts_and_never_for_more_than_a_year() {
        let good = AcceptanceInput {
            reason: "Cost of the control outweighs the risk".into(),
            expires_on: "2027-05-31".into(),
        };
        let e = good
            .validate(Band::High, Band::Medium, false, today())
            .unwrap_err();
        assert!(e.to_string().contains("only the SIRO can accept it"), "{e}");
        let v = good
            .validate(Band::High, Band::Medium, true, today())
            .unwrap();
        assert!(v.above_appetite);
        let v = good
            .validate(Band::Medium, Band::Medium, false, today())
            .unwrap();
        assert!(!v.above_appetite);
        let late = AcceptanceInput {
            expires_on: "2028-01-01".into(),
            ..good.clone()
        };
        assert!(
            late.validate(Band::Low, Band::Medium, false, today())
                .unwrap_err()
                .to_string()
                .contains("at most a year")
        );
        let past = AcceptanceInput {
            expires_on: "2026-11-26".into(),
            reason: String::new(),
        };
        let e = past
            .validate(Band::Low, Band::Medium, false, today())
            .unwrap_err();
        assert_eq!(e.0.len(), 2, "{e}");
    }

    #[test]
    fn a_review_says_why_scores_changed_and_sets_the_next_date() {
        let m = &MATRIX_5X5;
        let same = ReviewInput {
            residual_likelihood: Some(3),
            residual_impact: Some(4),
            notes: "Controls still in place".into(),
            ..Default::default()
        };
        let v = same.validate(m, (3, 4), 16, 3, today()).unwrap();
        assert!(!v.scores_changed);
        assert_eq!(
            v.next_review_on,
            NaiveDate::from_ymd_opt(2027, 2, 26).unwrap()
        );
        let changed = ReviewInput {
            residual_likelihood: Some(2),
            notes: String::new(),
            ..same.clone()
        };
        let e = changed.validate(m, (3, 4), 16, 3, today()).unwrap_err();
        assert_eq!(e.0[0].message, "Say why the scores changed");
        let past = ReviewInput {
            next_review_on: "2026-11-26".into(),
            ..same
        };
        assert_eq!(
            past.validate(m, (3, 4), 16, 3, today()).unwrap_err().0[0].field,
            "next_review_on"
        );
    }

    #[test]
    fn a_provider_threat_is_checked_and_scaled_to_the_matrix() {
        let t = Threat {
            title: "USB sticks from conferences".into(),
            threat: "Malware on a free memory stick".into(),
            vulnerability: "Autorun not blocked".into(),
            category: "technology".into(),
            integrity: true,
            likelihood: 2,
            impact: 5,
            ..Default::default()
        };
        let v = t.validate().unwrap();
        assert!(v.from_provider);
        assert_eq!(v.to_input(&MATRIX_4X4).inherent_impact, Some(4));
        assert!(
            v.to_input(&MATRIX_5X5)
                .validate(&MATRIX_5X5, today(), None)
                .is_ok()
        );
        let bad = Threat {
            likelihood: 0,
            integrity: false,
            category: "x".into(),
            ..t
        };
        let fields: Vec<String> = bad
            .validate()
            .unwrap_err()
            .0
            .into_iter()
            .map(|f| f.field)
            .collect();
        assert_eq!(fields, ["category", "confidentiality", "likelihood"]);
    }

    #[test]
    fn what_needs_attention_and_the_library() {
        let due = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        assert_eq!(
            attention("open", due, None, today()),
            ["Review overdue since 1 Nov 2026"]
        );
        assert!(attention("closed", due, None, today()).is_empty());
        let later = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
        assert_eq!(
            attention("accepted", later, Some(due), today()),
            ["Acceptance has lapsed: review the risk"]
        );

        assert!(LIBRARY.len() >= 10);
        for e in LIBRARY {
            for m in MATRICES {
                let input = e.to_input(m);
                assert!(
                    input.validate(m, today(), None).is_ok(),
                    "{} on {}",
                    e.key,
                    m.key
                );
                assert!(input.inherent_likelihood.unwrap() <= m.size());
            }
        }
        assert_eq!(
            library_entry("ransomware")
                .unwrap()
                .to_input(&MATRIX_4X4)
                .inherent_impact,
            Some(4)
        );
    }
}
