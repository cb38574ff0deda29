//! Personal devices (bring your own device): a member of staff declares one for a piece of work,
//! their line manager records the business need (no practice-issued option) or refuses it, and
//! management checks it against the protocol's list for its kind before it is approved, approved
//! with its risks, or refused. An approval lasts a year; then the person attests again.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::Invalid;
use crate::status::status_enum;
use crate::validation::Checker;

status_enum!(
    /// What kind of personal device: the protocol's two checklists.
    PersonalKind {
        Laptop => "laptop",
        Mobile => "mobile",
    }
);

status_enum!(
    /// Where a declaration stands.
    PersonalStatus {
        Declared => "declared",
        NeedApproved => "need_approved",
        NeedRefused => "need_refused",
        Approved => "approved",
        ApprovedWithRisks => "approved_with_risks",
        Refused => "refused",
        Withdrawn => "withdrawn",
    }
);

status_enum!(
    /// A checklist item's answer.
    Answer {
        Pass => "pass",
        Fail => "fail",
        NotApplicable => "not_applicable",
    }
);

impl PersonalKind {
    pub fn label(self) -> &'static str {
        match self {
            PersonalKind::Laptop => "Laptop or computer",
            PersonalKind::Mobile => "Phone or tablet",
        }
    }

    /// What management checks before a device of this kind is used for the practice's work
    /// (the Information Security Protocol's lists): (item's word, what is checked).
    pub fn checklist(self) -> &'static [(&'static str, &'static str)] {
        match self {
            PersonalKind::Laptop => &[
                ("anti_virus", "Anti-virus is installed and updating"),
                ("encryption", "The disk is encrypted"),
                ("access_control", "A password or PIN is needed to use it"),
                (
                    "browser_only",
                    "Practice data is reached through the browser and nothing is downloaded",
                ),
            ],
            PersonalKind::Mobile => &[
                (
                    "no_patient_photos",
                    "No patient photos are kept outside approved software",
                ),
                ("pin_changed", "The default PIN has been changed"),
                (
                    "two_factor",
                    "Two-factor authentication is on where available",
                ),
                ("unused_apps_removed", "Unused apps are removed"),
                (
                    "trusted_apps",
                    "Only apps from trusted stores are installed",
                ),
            ],
        }
    }
}

impl PersonalStatus {
    pub fn label(self) -> &'static str {
        match self {
            PersonalStatus::Declared => "Waiting for the line manager",
            PersonalStatus::NeedApproved => "Waiting for its check",
            PersonalStatus::NeedRefused => "Business need refused",
            PersonalStatus::Approved => "Approved",
            PersonalStatus::ApprovedWithRisks => "Approved with risks",
            PersonalStatus::Refused => "Refused",
            PersonalStatus::Withdrawn => "No longer used",
        }
    }

    /// Whether the device may be used for the practice's work.
    pub fn in_use(self) -> bool {
        matches!(
            self,
            PersonalStatus::Approved | PersonalStatus::ApprovedWithRisks
        )
    }
}

/// How long an approval lasts before the person attests again, unless the practice says.
pub const APPROVAL_MONTHS: u32 = 12;
const SHORT_MAX: usize = 200;
const TEXT_MAX: usize = 2_000;

/// When an approval given on `on` runs out.
pub fn approval_expires(on: NaiveDate, months: u32) -> NaiveDate {
    on.checked_add_months(Months::new(months))
        .unwrap_or(NaiveDate::MAX)
}

/// A personal device as its owner declares it.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(default)]
pub struct Declaration {
    /// `laptop` or `mobile`.
    #[schema(required = true, pattern = "^(laptop|mobile)$")]
    pub kind: String,
    /// Make and model, e.g. "iPhone 14".
    #[schema(required = true, min_length = 1, max_length = 200)]
    pub make_model: String,
    /// Its operating system and version.
    #[schema(max_length = 200)]
    pub operating_system: String,
    /// The work it is for.
    #[schema(required = true, min_length = 1, max_length = 2000)]
    pub purpose: String,
}

/// A declaration that passed its checks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidDeclaration {
    pub kind: PersonalKind,
    pub make_model: String,
    pub operating_system: String,
    pub purpose: String,
}

impl Declaration {
    pub fn validate(&self) -> Result<ValidDeclaration, Invalid> {
        let mut c = Checker::new();
        let kind = PersonalKind::parse(self.kind.trim());
        if kind.is_none() {
            c.fail("kind", "Choose a laptop or a phone or tablet");
        }
        let make_model = c.text(
            "make_model",
            "its make and model",
            &self.make_model,
            SHORT_MAX,
        );
        let operating_system = self.operating_system.trim().to_string();
        if let Some(problem) = crate::validation::text_problem(&operating_system, SHORT_MAX) {
            c.fail(
                "operating_system",
                format!("The operating system {problem}"),
            );
        }
        let purpose = c.text("purpose", "the work it is for", &self.purpose, TEXT_MAX);
        c.finish()?;
        Ok(ValidDeclaration {
            kind: kind.expect("checked"),
            make_model,
            operating_system,
            purpose,
        })
    }
}

/// The line manager's decision on the business need.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(default)]
pub struct NeedDecision {
    /// Whether the need is approved.
    pub approve: bool,
    /// When approving: that no practice-issued device can do the work.
    pub no_practice_option: bool,
    /// The business need (approving) or why it is refused.
    #[schema(required = true, min_length = 1, max_length = 2000)]
    pub reason: String,
}

impl NeedDecision {
    /// Checks the decision: a reason either way, and an approval only when no practice-issued
    /// device can do the work.
    pub fn validate(&self) -> Result<(bool, String), Invalid> {
        let mut c = Checker::new();
        let what = if self.approve {
            "the business need"
        } else {
            "why the need is refused"
        };
        let reason = c.text("reason", what, &self.reason, TEXT_MAX);
        if self.approve && !self.no_practice_option {
            c.fail(
                "no_practice_option",
                "A personal device is approved only when no practice-issued device can do the work: confirm it, or refuse",
            );
        }
        c.finish()?;
        Ok((self.approve, reason))
    }
}

/// Management's check of a device against its kind's list.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(default)]
pub struct CheckInput {
    /// Each item of the kind's checklist by its word: `pass`, `fail` or `not_applicable`.
    pub answers: std::collections::BTreeMap<String, String>,
    /// What was seen, and what a failed item means.
    #[schema(max_length = 2000)]
    pub note: String,
    /// `approved`, `approved_with_risks` or `refused`.
    #[schema(required = true, pattern = "^(approved|approved_with_risks|refused)$")]
    pub outcome: String,
}

/// A check that passed its rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidCheck {
    pub answers: Vec<(&'static str, Answer)>,
    pub note: String,
    pub outcome: PersonalStatus,
}

impl ValidCheck {
    /// The items that failed, as people read them.
    pub fn failed(&self, kind: PersonalKind) -> Vec<&'static str> {
        self.answers
            .iter()
            .filter(|(_, a)| *a == Answer::Fail)
            .filter_map(|(w, _)| {
                kind.checklist()
                    .iter()
                    .find(|(i, _)| i == w)
                    .map(|(_, l)| *l)
            })
            .collect()
    }
}

impl CheckInput {
    /// Checks the answers against the kind's list: every item answered, nothing else, an
    /// outcome; "approved" only when nothing failed, and a failure explained in the note.
    pub fn validate(&self, kind: PersonalKind) -> Result<ValidCheck, Invalid> {
        let mut c = Checker::new();
        let mut answers = Vec::new();
        for (word, label) in kind.checklist() {
            match self.answers.get(*word).map(|a| Answer::parse(a.trim())) {
                Some(Some(a)) => answers.push((*word, a)),
                _ => c.fail(
                    word,
                    format!("Answer \u{201c}{label}\u{201d}: pass, fail or not applicable"),
                ),
            }
        }
        if let Some(extra) = self
            .answers
            .keys()
            .find(|k| !kind.checklist().iter().any(|(w, _)| w == k))
        {
            let shown: String = extra.chars().take(40).collect();
            c.fail(
                "answers",
                format!(
                    "{shown} is not on the checklist for a {}",
                    kind.label().to_lowercase()
                ),
            );
        }
        let note = self.note.trim().to_string();
        if let Some(problem) = crate::validation::text_problem(&note, TEXT_MAX) {
            c.fail("note", format!("The note {problem}"));
        }
        let outcome = match self.outcome.trim() {
            "approved" => Some(PersonalStatus::Approved),
            "approved_with_risks" => Some(PersonalStatus::ApprovedWithRisks),
            "refused" => Some(PersonalStatus::Refused),
            _ => {
                c.fail(
                    "outcome",
                    "Choose the outcome: approved, approved with risks, or refused",
                );
                None
            }
        };
        let failed = answers.iter().any(|(_, a)| *a == Answer::Fail);
        if failed && outcome == Some(PersonalStatus::Approved) {
            c.fail(
                "outcome",
                "An item failed: approve it with its risks, or refuse it",
            );
        }
        if failed && note.is_empty() {
            c.fail("note", "Say what failed and what it means for the practice");
        }
        c.finish()?;
        Ok(ValidCheck {
            answers,
            note,
            outcome: outcome.expect("checked"),
        })
    }
}

/// The risk a check raises when items failed and the device is still used (approved with its
/// risks) or was refused: the weakness is the failed items and what the checker saw, the threat
/// a personal device exposing the practice's data, scored in the middle of the matrix to be
/// reduced. Owned by whoever ran the check; the SIRO and the DPO see it on their homes.
pub fn risk_from_check(
    device: &str,
    owner_name: &str,
    failed: &[&str],
    note: &str,
    size: u8,
    checker: crate::PersonId,
) -> crate::risks::RiskInput {
    let middle = size.div_ceil(2);
    crate::risks::RiskInput {
        title: format!(
            "Personal device not meeting the practice's checks: {owner_name}'s {device}"
        ),
        description: format!(
            "Raised by the check of {owner_name}'s personal {device}, which failed: {}.",
            failed.join("; ")
        ),
        threat: "Practice information on a personal device is exposed or lost".into(),
        vulnerability: note.to_string(),
        confidentiality: true,
        confidentiality_reason: "Practice information on a device the practice does not manage"
            .into(),
        category: "technology".into(),
        owner_id: Some(checker),
        inherent_likelihood: Some(middle),
        inherent_impact: Some(middle),
        residual_likelihood: Some(middle),
        residual_impact: Some(middle),
        treatment: "reduce".into(),
        ..Default::default()
    }
}
