//! Treating a risk: its actions, reviews and acceptance.

use super::*;

/// A review of a risk (the Check of Plan–Do–Check–Act).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(default)]
pub struct ReviewInput {
    /// The residual likelihood and impact found at the review.
    #[schema(minimum = 1, maximum = 5)]
    pub residual_likelihood: Option<u8>,
    #[schema(minimum = 1, maximum = 5)]
    pub residual_impact: Option<u8>,
    /// What was looked at and concluded; why the scores changed, when they did.
    #[schema(min_length = 1, max_length = 4000)]
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
        } else if let Some(problem) = crate::validation::text_problem(&out.notes, 4000) {
            c.fail("notes", format!("This {problem}"));
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
    #[schema(min_length = 1, max_length = 2000)]
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
    status: RiskStatus,
    next_review_on: NaiveDate,
    acceptance_expires_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Vec<String> {
    let mut out = Vec::new();
    if status == RiskStatus::Closed {
        return out;
    }
    if next_review_on < today {
        out.push(format!(
            "Review overdue since {}",
            next_review_on.format("%-d %b %Y")
        ));
    }
    if status == RiskStatus::Accepted && acceptance_expires_on.is_some_and(|d| d < today) {
        out.push("Acceptance has lapsed: review the risk".to_string());
    }
    out
}

/// Whether an action is overdue.
pub fn action_overdue(status: ActionStatus, due_on: NaiveDate, today: NaiveDate) -> bool {
    status != ActionStatus::Done && due_on < today
}
