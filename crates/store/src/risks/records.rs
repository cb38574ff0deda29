//! The records of the information risk register and its quarterly reports.

use chrono::{DateTime, Utc};
use custodian_domain::{PersonId, PracticeId};

/// A risk in the practice's risk register.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Risk {
    pub id: custodian_domain::RiskId,
    pub practice_id: PracticeId,
    /// Said aloud: RSK-0007.
    pub reference: String,
    #[serde(flatten)]
    pub fields: custodian_domain::risks::RiskInput,
    pub owner_name: String,
    /// Computed from likelihood × impact on the practice's matrix.
    pub inherent_score: i64,
    pub residual_score: i64,
    pub target_score: Option<i64>,
    #[schema(value_type = String)]
    pub next_review_on: chrono::NaiveDate,
    /// The latest acceptance, if the risk was ever accepted.
    pub acceptance: Option<RiskAcceptance>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Which risks to list.
#[derive(Clone, Debug, Default)]
pub struct RiskFilter {
    pub search: Option<String>,
    pub status: Option<String>,
    pub category: Option<String>,
    pub owner: Option<PersonId>,
    /// Risks that threaten this asset.
    pub asset: Option<custodian_domain::AssetId>,
    pub limit: u32,
}

/// A review of a risk.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct RiskReview {
    pub id: custodian_domain::RiskReviewId,
    pub risk_id: custodian_domain::RiskId,
    pub reviewed_by: PersonId,
    pub reviewed_by_name: String,
    pub reviewed_at: DateTime<Utc>,
    pub residual_likelihood: i64,
    pub residual_impact: i64,
    pub residual_score: i64,
    pub scores_changed: bool,
    pub notes: String,
    #[schema(value_type = String)]
    pub next_review_on: chrono::NaiveDate,
}

/// An acceptance of a risk, signed off by the SIRO when above the practice's appetite.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct RiskAcceptance {
    pub id: custodian_domain::AcceptanceId,
    pub risk_id: custodian_domain::RiskId,
    pub accepted_by: PersonId,
    pub accepted_by_name: String,
    pub accepted_at: DateTime<Utc>,
    /// The residual band when accepted.
    pub band: String,
    pub above_appetite: bool,
    pub reason: String,
    #[schema(value_type = String)]
    pub expires_on: chrono::NaiveDate,
}

/// A quarterly threats-and-vulnerabilities report of a practice.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct RiskReport {
    pub id: uuid::Uuid,
    pub practice_id: PracticeId,
    /// `2026-Q3`.
    pub quarter: String,
    /// draft or signed.
    pub status: custodian_domain::risk_report::ReportStatus,
    pub created_at: DateTime<Utc>,
    /// Who made the draft: a username, or `scheduler`.
    pub created_by: String,
    /// The report as first produced (JSON), the baseline for next quarter's comparison.
    #[serde(skip)]
    pub snapshot: String,
    /// The practice meeting's minutes and decisions, recorded after the meeting.
    pub minutes: String,
    pub decisions: String,
    pub signed_by: Option<PersonId>,
    pub signed_by_name: Option<String>,
    pub signed_at: Option<DateTime<Utc>>,
    /// The report as signed off (JSON), kept unchanged.
    #[serde(skip)]
    pub signed_report: Option<String>,
    /// SHA-256 of the signed report, in hex.
    pub signed_sha256: Option<String>,
}

/// One practice's line of the provider's risk overview.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct PracticeRiskSummary {
    pub practice_id: PracticeId,
    pub practice: String,
    pub ods_code: String,
    /// The practice's settings (its matrix and its quarters).
    #[serde(skip)]
    pub settings: custodian_domain::settings::PracticeSettings,
    /// Current (not closed) risks by residual score: (score, count).
    pub residual_scores: Vec<(i64, i64)>,
    pub overdue_reviews: i64,
    /// The practice's reports for the quarters asked about: (quarter, status).
    pub reports: Vec<(String, String)>,
}

/// What in a practice's risk register is due (see `RiskStore::risks_due`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RisksDue {
    pub reviews_overdue: i64,
    pub actions_overdue: i64,
    pub acceptances_ending: i64,
}
