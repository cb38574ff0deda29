//! The information risk register's storage.
//!
//! Its queries are in `queries.rs`, compiled for each backend (see `backends/`).

mod records;
pub use records::*;

use async_trait::async_trait;
use custodian_domain::*;

use crate::*;

/// The information risk register. Every change commits with its audit event.
#[async_trait]
pub trait RiskStore: Send + Sync {
    /// Adds a risk with the next reference (RSK-0001...). The owner must be on the practice's
    /// staff and the assets in its register.
    async fn create_risk(
        &self,
        practice: PracticeId,
        risk: &custodian_domain::risks::ValidRisk,
        by: &AuditMeta,
    ) -> Result<Risk>;
    /// Replaces a risk's fields; the event records each changed field's old and new value.
    async fn update_risk(
        &self,
        practice: PracticeId,
        id: RiskId,
        risk: &custodian_domain::risks::ValidRisk,
        by: &AuditMeta,
    ) -> Result<Risk>;
    async fn risk(&self, practice: PracticeId, id: RiskId) -> Result<Option<Risk>>;
    /// The practice's risks, highest residual score first.
    async fn risks(&self, practice: PracticeId, filter: &RiskFilter) -> Result<Vec<Risk>>;
    /// What in the register is due: open risks whose review date has passed `today`, actions
    /// not done whose due date has passed, and accepted risks whose acceptance ends by
    /// `soon`.
    async fn risks_due(
        &self,
        practice: PracticeId,
        today: chrono::NaiveDate,
        soon: chrono::NaiveDate,
    ) -> Result<RisksDue>;
    /// The open risks due a review by `by`: each one's owner and review date, soonest first.
    async fn risk_reviews_due(
        &self,
        practice: PracticeId,
        by: chrono::NaiveDate,
    ) -> Result<Vec<(PersonId, chrono::NaiveDate)>>;
    /// Records a review: the residual scores it found become the risk's, and the next review
    /// date is set.
    async fn review_risk(
        &self,
        practice: PracticeId,
        risk: RiskId,
        review: &custodian_domain::risks::ValidReview,
        by: &AuditMeta,
    ) -> Result<RiskReview>;
    async fn risk_reviews(&self, practice: PracticeId, risk: RiskId) -> Result<Vec<RiskReview>>;
    /// Accepts a risk until a date: its status becomes accepted and it comes back for review
    /// when the acceptance ends (or earlier if a review was already due).
    async fn accept_risk(
        &self,
        practice: PracticeId,
        risk: RiskId,
        acceptance: &custodian_domain::risks::ValidAcceptance,
        band: custodian_domain::risks::Band,
        by: &AuditMeta,
    ) -> Result<RiskAcceptance>;
    /// Writes imported risks in one transaction (all or none), numbering them in turn. With
    /// `import`, marks that staged file imported (once only). Each risk's creation is recorded,
    /// and the import itself with `summary`.
    async fn import_risks(
        &self,
        practice: PracticeId,
        import: Option<ImportId>,
        risks: &[custodian_domain::risks::ValidRisk],
        summary: serde_json::Value,
        by: &AuditMeta,
    ) -> Result<usize>;
}

/// The quarterly risk reports, and the provider's threat library and view of every practice's
/// risks.
#[async_trait]
pub trait RiskReportStore: Send + Sync {
    /// The quarter's report: the existing one, or a new draft with `snapshot` (JSON). Creating
    /// it is recorded; asking again returns the same report.
    async fn ensure_risk_report(
        &self,
        practice: PracticeId,
        quarter: &str,
        snapshot: &str,
        by: &AuditMeta,
    ) -> Result<RiskReport>;
    async fn risk_report(&self, practice: PracticeId, quarter: &str) -> Result<Option<RiskReport>>;
    /// The practice's reports, latest quarter first.
    async fn risk_reports(&self, practice: PracticeId) -> Result<Vec<RiskReport>>;
    /// Records the practice meeting's minutes and decisions on a draft.
    async fn record_report_minutes(
        &self,
        practice: PracticeId,
        quarter: &str,
        minutes: &str,
        decisions: &str,
        by: &AuditMeta,
    ) -> Result<RiskReport>;
    /// Signs a draft off: `report` (JSON) is kept unchanged with its SHA-256 from then on.
    async fn sign_risk_report(
        &self,
        practice: PracticeId,
        quarter: &str,
        report: &str,
        by: &AuditMeta,
    ) -> Result<RiskReport>;
    /// The threats the provider added to the library (not those removed), by title.
    async fn provider_threats(&self) -> Result<Vec<custodian_domain::risks::Threat>>;
    /// Adds a checked threat to the provider's library; its key is its new id.
    async fn add_provider_threat(
        &self,
        threat: &custodian_domain::risks::Threat,
        by: &AuditMeta,
    ) -> Result<custodian_domain::risks::Threat>;
    async fn remove_provider_threat(&self, id: uuid::Uuid, by: &AuditMeta) -> Result<()>;
    /// Every practice with its settings, its current risks by residual score, its reviews
    /// overdue on `today`, and the status of its reports for `quarters` (keys like `2026-Q3`).
    async fn provider_risk_overview(
        &self,
        today: chrono::NaiveDate,
        quarters: &[String],
    ) -> Result<Vec<PracticeRiskSummary>>;
}
