//! The information asset register's storage.
//!
//! Its queries are in `queries.rs`, compiled for each backend (see `backends/`).

mod records;
pub use records::*;

use async_trait::async_trait;
use custodian_domain::*;

use crate::*;

/// The information asset register.
#[async_trait]
pub trait AssetStore: Send + Sync {
    /// Adds an asset. The IAO must be on the practice's staff with the IAO role; the IAA, if
    /// any, on its staff.
    async fn create_asset(
        &self,
        practice: PracticeId,
        asset: &custodian_domain::assets::ValidAsset,
        by: &AuditMeta,
    ) -> Result<Asset>;
    /// Replaces an asset's fields; the event records each changed field's old and new value.
    async fn update_asset(
        &self,
        practice: PracticeId,
        id: AssetId,
        asset: &custodian_domain::assets::ValidAsset,
        by: &AuditMeta,
    ) -> Result<Asset>;
    async fn asset(&self, practice: PracticeId, id: AssetId) -> Result<Option<Asset>>;
    /// Every asset in the practice's register (retired ones too) as (id, name), by name: for
    /// choosing one in a form and for spotting a name already taken.
    async fn asset_choices(&self, practice: PracticeId) -> Result<Vec<(AssetId, String)>>;
    /// The practice's assets by name.
    async fn assets(&self, practice: PracticeId, filter: &AssetFilter) -> Result<Vec<Asset>>;
    /// The review dates of the practice's assets that are not retired: when each was added,
    /// last reviewed and how many months apart its reviews are.
    async fn asset_review_dates(
        &self,
        practice: PracticeId,
    ) -> Result<Vec<(Timestamp, Option<chrono::NaiveDate>, u32, PersonId)>>;
    /// Adds a flow between two of the practice's assets, or to an external party.
    async fn add_flow(
        &self,
        practice: PracticeId,
        flow: &custodian_domain::assets::FlowInput,
        by: &AuditMeta,
    ) -> Result<AssetFlow>;
    /// Flows out of and into an asset (or, with `None`, every flow of the practice).
    async fn flows(&self, practice: PracticeId, asset: Option<AssetId>) -> Result<Vec<AssetFlow>>;
    /// Removes a flow into or out of `asset`; a flow of another asset is not found.
    async fn remove_flow(
        &self,
        practice: PracticeId,
        asset: AssetId,
        id: FlowId,
        by: &AuditMeta,
    ) -> Result<()>;
    async fn add_access(
        &self,
        practice: PracticeId,
        asset: AssetId,
        access: &custodian_domain::assets::AccessInput,
        by: &AuditMeta,
    ) -> Result<AssetAccess>;
    /// For the data-quality check, counted without the entries' details: current flows as (the
    /// asset they leave, their facts, how many), and current access entries without a reason as
    /// (their asset, how many).
    async fn register_facts(&self, practice: PracticeId) -> Result<RegisterFacts>;
    /// Who holds a login to each of the practice's systems now, as (system, person): a login
    /// granted through a starter or mover request and not since removed (as the leaver process
    /// counts them). Current members only.
    async fn login_holders(&self, practice: PracticeId) -> Result<Vec<(SystemId, PersonId)>>;
    /// Access entries of an asset (or, with `None`, of every asset of the practice).
    async fn access_entries(
        &self,
        practice: PracticeId,
        asset: Option<AssetId>,
    ) -> Result<Vec<AssetAccess>>;
    /// Removes an access entry of `asset`; an entry of another asset is not found.
    async fn remove_access(
        &self,
        practice: PracticeId,
        asset: AssetId,
        id: AccessEntryId,
        by: &AuditMeta,
    ) -> Result<()>;
    /// Signs off a review of an asset's access at `at`: entries in `keep` are confirmed, every
    /// other current entry is removed, in one transaction with the event.
    async fn review_access(
        &self,
        practice: PracticeId,
        asset: AssetId,
        keep: &[AccessEntryId],
        notes: &str,
        at: Timestamp,
        by: &AuditMeta,
    ) -> Result<AccessReview>;
    /// For each asset that is not retired and has current access entries: its IAO, when it was
    /// added and when its access was last reviewed (`None` if never) — what the yearly access
    /// review's due dates are worked out from.
    async fn access_review_dates(&self, practice: PracticeId) -> Result<Vec<AccessReviewDates>>;
    /// An asset's access reviews, newest first.
    async fn access_reviews(
        &self,
        practice: PracticeId,
        asset: AssetId,
    ) -> Result<Vec<AccessReview>>;
}
