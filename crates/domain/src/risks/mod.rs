//! The information risk register: threats to the confidentiality, integrity and availability of
//! the practice's information assets, scored on a likelihood × impact matrix, treated, reviewed
//! and, when accepted above the practice's appetite, signed off by the SIRO. Plain rules, no I/O.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::validation::Checker;
use crate::{Invalid, PersonId};

mod library;
mod treatment;
pub use library::*;
pub use treatment::*;

#[cfg(test)]
mod tests;

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

/// The highest likelihood or impact any matrix has (a test holds every matrix to it).
pub const LEVEL_MAX: u8 = 5;

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
crate::status::status_enum! {
    /// Where a risk stands (the choices of [`STATUSES`]).
    RiskStatus { Open => "open", Treating => "treating", Accepted => "accepted", Closed => "closed" }
}

impl RiskStatus {
    /// As a practice manager reads it ("Being treated").
    pub fn label(self) -> &'static str {
        status_label(self.as_str())
    }
}

pub use crate::actions::{
    ACTION_STATUSES, ActionInput, ActionStatus, ValidAction, action_status_label,
};

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

/// A risk as typed into the form or the API.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(default)]
pub struct RiskInput {
    #[schema(max_length = 200)]
    pub title: String,
    #[schema(max_length = 4000)]
    pub description: String,
    /// What could happen (e.g. "a phishing email harvests a password").
    #[schema(max_length = 2000)]
    pub threat: String,
    /// The weakness it exploits (e.g. "staff not trained to spot phishing").
    #[schema(max_length = 2000)]
    pub vulnerability: String,
    /// The assets affected, from the practice's asset register.
    pub asset_ids: Vec<crate::AssetId>,
    pub confidentiality: bool,
    #[schema(max_length = 500)]
    pub confidentiality_reason: String,
    pub integrity: bool,
    #[schema(max_length = 500)]
    pub integrity_reason: String,
    pub availability: bool,
    #[schema(max_length = 500)]
    pub availability_reason: String,
    /// people, process, technology, supplier or physical.
    pub category: String,
    /// The risk owner; by default the IAO of the first asset.
    pub owner_id: Option<PersonId>,
    /// Before controls: 1 to the matrix's size.
    #[schema(minimum = 1, maximum = 5)]
    pub inherent_likelihood: Option<u8>,
    #[schema(minimum = 1, maximum = 5)]
    pub inherent_impact: Option<u8>,
    /// The controls in place now.
    #[schema(max_length = 4000)]
    pub controls: String,
    /// With the current controls.
    #[schema(minimum = 1, maximum = 5)]
    pub residual_likelihood: Option<u8>,
    #[schema(minimum = 1, maximum = 5)]
    pub residual_impact: Option<u8>,
    /// reduce, accept, transfer or avoid.
    pub treatment: String,
    /// Where treatment should bring it.
    #[schema(minimum = 1, maximum = 5)]
    pub target_likelihood: Option<u8>,
    #[schema(minimum = 1, maximum = 5)]
    pub target_impact: Option<u8>,
    /// open, treating or closed (accepted comes from an acceptance).
    pub status: String,
    /// Months between reviews (default 3: every quarter).
    #[schema(minimum = 1, maximum = 24)]
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
    /// The fields a risk cannot be saved without (the API's document marks them required; a
    /// test keeps this list and the validation the same).
    pub const REQUIRED: &'static [&'static str] = &[
        "title",
        "threat",
        "vulnerability",
        "category",
        "treatment",
        "inherent_likelihood",
        "inherent_impact",
        "residual_likelihood",
        "residual_impact",
    ];
    /// Its choice fields, their lists, and whether each may be left empty.
    pub const CHOICES: crate::assets::Choices = &[
        ("category", CATEGORIES, false),
        ("treatment", TREATMENTS, false),
        ("status", STATUSES, true),
    ];
}

impl RiskInput {
    /// What the risk threatens (confidentiality, integrity, availability), each with why.
    pub fn threatens(&self) -> Vec<(&'static str, &str)> {
        [
            (
                self.confidentiality,
                "Confidentiality",
                &self.confidentiality_reason,
            ),
            (self.integrity, "Integrity", &self.integrity_reason),
            (self.availability, "Availability", &self.availability_reason),
        ]
        .into_iter()
        .filter(|(on, _, _)| *on)
        .map(|(_, dim, why)| (dim, why.as_str()))
        .collect()
    }

    /// The status chosen (validation leaves only a choice of the list; none is open).
    pub fn status(&self) -> RiskStatus {
        RiskStatus::parse(&self.status).unwrap_or(RiskStatus::Open)
    }

    /// Checks the risk against the practice's matrix; `today` is the practice's date and
    /// `current_status` the stored risk's status (`None` for a new risk): only an acceptance
    /// makes a risk `accepted`.
    pub fn validate(
        &self,
        m: &Matrix,
        today: NaiveDate,
        current_status: Option<RiskStatus>,
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
            if let Some(problem) = crate::validation::text_problem(v, max) {
                c.fail(field, format!("This {problem}"));
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
            RiskStatus::Open.to_string()
        } else {
            choice(&mut c, "status", "the status", &self.status, STATUSES)
        };
        self.check_threatened(&mut c);
        let (inherent, residual, target) = self.scores(&mut c, m);
        let accepted = Some(RiskStatus::Accepted);
        if Some(out.status()) == accepted && current_status != accepted {
            c.fail(
                "status",
                "Accept a risk with its acceptance form, which records why and until when (and the SIRO's sign-off above the appetite)",
            );
        }
        let raised_on = self.raised_on_date(&mut c, today);
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

impl RiskInput {
    /// At least one of C, I and A is threatened, each with how.
    fn check_threatened(&self, c: &mut Checker) {
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
            } else if let Some(problem) = crate::validation::text_problem(reason.trim(), 500) {
                c.fail(field, format!("This {problem}"));
            }
        }
    }

    /// The inherent, residual and target scores on the matrix, each level checked; residual
    /// no higher than inherent, target no higher than residual.
    fn scores(&self, c: &mut Checker, m: &Matrix) -> (Option<u8>, Option<u8>, Option<u8>) {
        let il = level(
            c,
            m,
            "inherent_likelihood",
            "inherent likelihood",
            self.inherent_likelihood,
            true,
        );
        let ii = level(
            c,
            m,
            "inherent_impact",
            "inherent impact",
            self.inherent_impact,
            true,
        );
        let rl = level(
            c,
            m,
            "residual_likelihood",
            "residual likelihood",
            self.residual_likelihood,
            true,
        );
        let ri = level(
            c,
            m,
            "residual_impact",
            "residual impact",
            self.residual_impact,
            true,
        );
        let tl = level(
            c,
            m,
            "target_likelihood",
            "target likelihood",
            self.target_likelihood,
            false,
        );
        let ti = level(
            c,
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
        (inherent, residual, target)
    }

    /// The date the risk was raised: today when not given; never in the future.
    fn raised_on_date(&self, c: &mut Checker, today: NaiveDate) -> Option<NaiveDate> {
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
        raised_on
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
