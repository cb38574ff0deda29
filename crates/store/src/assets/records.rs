//! The records of the information asset register.

use chrono::{DateTime, Utc};
use custodian_domain::{PersonId, PracticeId, PracticeRole};

/// An information asset.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Asset {
    pub id: custodian_domain::AssetId,
    pub practice_id: PracticeId,
    #[serde(flatten)]
    pub fields: custodian_domain::assets::AssetInput,
    pub iao_name: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A data flow out of (or into) an asset.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct AssetFlow {
    pub id: custodian_domain::FlowId,
    pub from_name: String,
    pub to_name: Option<String>,
    #[serde(flatten)]
    pub fields: custodian_domain::assets::FlowInput,
    pub created_at: DateTime<Utc>,
}

/// One "who has access and why" entry.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct AssetAccess {
    pub id: custodian_domain::AccessEntryId,
    pub asset_id: custodian_domain::AssetId,
    pub role: Option<PracticeRole>,
    pub person_id: Option<PersonId>,
    pub person_name: Option<String>,
    pub level: String,
    pub reason: String,
    pub created_at: DateTime<Utc>,
}

/// Which assets to list.
#[derive(Clone, Debug, Default)]
pub struct AssetFilter {
    /// Part of the name (case-insensitive).
    pub search: Option<String>,
    pub asset_type: Option<String>,
    pub status: Option<String>,
    pub iao: Option<PersonId>,
    pub limit: u32,
}

/// What the data-quality check needs: see [`crate::AssetStore::register_facts`].
pub type RegisterFacts = (
    Vec<(
        custodian_domain::AssetId,
        custodian_domain::assets::FlowFact,
        usize,
    )>,
    Vec<(custodian_domain::AssetId, usize)>,
);

/// What an asset's next access review is worked out from: see
/// [`crate::AssetStore::access_review_dates`].
#[derive(Clone, Debug)]
pub struct AccessReviewDates {
    pub asset_id: custodian_domain::AssetId,
    pub iao_id: PersonId,
    pub created_at: DateTime<Utc>,
    pub last_reviewed_at: Option<DateTime<Utc>>,
}

/// A signed-off review of who has access to an asset.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct AccessReview {
    pub id: custodian_domain::AccessReviewId,
    pub asset_id: custodian_domain::AssetId,
    pub reviewed_by: PersonId,
    pub reviewed_by_name: String,
    pub reviewed_at: DateTime<Utc>,
    pub confirmed: i64,
    pub removed: i64,
    pub notes: String,
}
