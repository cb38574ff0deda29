//! Custodian's persistence: one [`Store`] interface with two backends, SQLite (embedded, the
//! default) and PostgreSQL (for providers running several servers against one database).
//!
//! Rules:
//! - every practice-scoped call takes the [`PracticeId`], so a missing tenant filter is a type
//!   error, not a review comment;
//! - every change commits together with its audit event, in one transaction;
//! - SQL is explicit and parameterised; the two backends share the text of their queries
//!   (see `queries.rs`) and differ only in their migrations.

mod error;
mod log_reader;
mod migrations;
mod postgres;
mod queries;
mod sqlite;
mod sqlite_appender;
mod types;

use std::sync::Arc;

use async_trait::async_trait;
use custodian_domain::identity::{SessionStage, ValidAccessRequest};
use custodian_domain::settings::PracticeSettings;
use custodian_domain::{
    AssetId, Page, PageRequest, Person, PersonId, Practice, PracticeId, PracticeMember,
    PracticeRole, ProviderRole, RiskId, people::ValidPerson, practice::ValidPractice,
};

pub use error::StoreError;
pub use log_reader::{canonical_time, event_leaf_hash, stored_hash};
pub use postgres::PgStore;
pub use sqlite::SqliteStore;
pub use types::*;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Which database a store runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Everything Custodian keeps. One implementation per backend; both pass the same conformance
/// suite (`tests/conformance.rs`).
/// The tamper-evident log over the audit events: leaves, checkpoints, verification runs.
#[async_trait]
pub trait AuditStore: Send + Sync {
    /// Events not yet in the log among those with `after < seq <= up_to`, oldest first: each
    /// event's sequence number and the leaf hash computed when it was appended (`None` for
    /// events appended before hashes were stored).
    async fn unintegrated_leaves(
        &self,
        after: i64,
        up_to: i64,
    ) -> Result<Vec<(i64, Option<String>)>>;
    /// The highest sequence number given to an event so far (0 for none).
    async fn last_event_seq(&self) -> Result<i64>;
    /// Appends leaves (event seq, leaf hash hex) after the log's current end, which must be
    /// `expected_size`; a different size (another server got there first) is a conflict.
    async fn append_leaves(&self, expected_size: i64, leaves: &[(i64, String)]) -> Result<()>;
    async fn log_size(&self) -> Result<i64>;
    /// The leaf hashes in `[from_index, to_index)`, in order.
    async fn leaf_hashes(&self, from_index: i64, to_index: i64) -> Result<Vec<String>>;
    /// Every leaf from `from_index` on, in order, with its event's canonical record, for
    /// verification: pages sent down a channel by a reader running beside the caller, ending
    /// after the last leaf or with the first error.
    fn log_leaves(&self, from_index: i64) -> tokio::sync::mpsc::Receiver<Result<LogPage>>;
    /// The leaf index of an event, once integrated.
    async fn leaf_of_event(&self, seq: i64) -> Result<Option<i64>>;
    async fn event(&self, seq: i64) -> Result<Option<StoredEvent>>;
    /// Events matching a filter, newest first.
    async fn search_events(&self, filter: &EventFilter) -> Result<Vec<StoredEvent>>;
    /// Events of one practice in a period, oldest first, with their leaf index (for export),
    /// and the events of no practice (sign-ins, password and MFA changes) of `people`, its staff.
    async fn practice_log(
        &self,
        practice: PracticeId,
        from: Timestamp,
        to: Timestamp,
        people: &[PersonId],
    ) -> Result<Vec<(i64, StoredEvent)>>;
    async fn add_checkpoint(&self, tree_size: i64, root_hash: &str, note: &str) -> Result<()>;
    async fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>>;
    async fn latest_checkpoint(&self) -> Result<Option<StoredCheckpoint>>;
    async fn record_verification(&self, ok: bool, summary: &str) -> Result<()>;
    async fn latest_verification(&self) -> Result<Option<VerificationRun>>;
    /// Events not in the log among those at or before `seq` (should be none once integrated).
    async fn count_unintegrated_before(&self, seq: i64) -> Result<i64>;
    /// The leaf index of the first event in the log that occurred at or after `at`; `None`
    /// when every remaining event is older.
    async fn first_leaf_since(&self, at: Timestamp) -> Result<Option<i64>>;
    /// Retention: removes the events at leaves `0..=through_leaf` that are still present and
    /// records `event` (the prune, naming the range) in the same transaction. The leaves and
    /// their hashes stay, so the tree and every checkpoint still verify. Returns how many events
    /// were removed. Only this operation gets past the database's append-only triggers.
    async fn prune_events(&self, through_leaf: i64, event: &AuditEvent) -> Result<u64>;
    /// The prune events that are in the log, with their leaf index, oldest first.
    async fn prunes(&self) -> Result<Vec<(i64, StoredEvent)>>;
}

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
    async fn add_risk_action(
        &self,
        practice: PracticeId,
        risk: RiskId,
        action: &custodian_domain::risks::ValidAction,
        by: &AuditMeta,
    ) -> Result<RiskAction>;
    async fn update_risk_action(
        &self,
        practice: PracticeId,
        id: uuid::Uuid,
        action: &custodian_domain::risks::ValidAction,
        by: &AuditMeta,
    ) -> Result<RiskAction>;
    /// A risk's actions (or, with `None`, every action of the practice), by due date.
    async fn risk_actions(
        &self,
        practice: PracticeId,
        risk: Option<RiskId>,
    ) -> Result<Vec<RiskAction>>;
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
        import: Option<uuid::Uuid>,
        risks: &[custodian_domain::risks::ValidRisk],
        summary: serde_json::Value,
        by: &AuditMeta,
    ) -> Result<usize>;
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
    /// Keeps an uploaded register file (checked by the caller) until its uploader chooses how
    /// to import it; records the upload with `summary` (rows, valid and invalid counts).
    async fn stage_import(
        &self,
        practice: PracticeId,
        register: &str,
        file_name: &str,
        content: &[u8],
        summary: serde_json::Value,
        by: &AuditMeta,
    ) -> Result<RegisterImport>;
    async fn register_import(
        &self,
        practice: PracticeId,
        id: uuid::Uuid,
    ) -> Result<Option<RegisterImport>>;
    /// Writes imported assets in one transaction: all of them or none. With `import`, marks that
    /// staged file imported (once only: a second attempt is a conflict) and drops its content.
    /// Each asset's creation is recorded, and the import itself with `summary`.
    async fn import_assets(
        &self,
        practice: PracticeId,
        import: Option<uuid::Uuid>,
        assets: &[custodian_domain::assets::ValidAsset],
        summary: serde_json::Value,
        by: &AuditMeta,
    ) -> Result<usize>;
    /// Drops a staged file without importing it.
    async fn discard_import(
        &self,
        practice: PracticeId,
        id: uuid::Uuid,
        by: &AuditMeta,
    ) -> Result<()>;

    /// The practice's assets by name.
    async fn assets(&self, practice: PracticeId, filter: &AssetFilter) -> Result<Vec<Asset>>;
    /// Adds a flow between two of the practice's assets, or to an external party.
    async fn add_flow(
        &self,
        practice: PracticeId,
        flow: &custodian_domain::assets::FlowInput,
        by: &AuditMeta,
    ) -> Result<AssetFlow>;
    /// Flows out of and into an asset (or, with `None`, every flow of the practice).
    async fn flows(&self, practice: PracticeId, asset: Option<AssetId>) -> Result<Vec<AssetFlow>>;
    async fn remove_flow(&self, practice: PracticeId, id: uuid::Uuid, by: &AuditMeta)
    -> Result<()>;
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
    async fn login_holders(&self, practice: PracticeId) -> Result<Vec<(uuid::Uuid, PersonId)>>;
    /// Access entries of an asset (or, with `None`, of every asset of the practice).
    async fn access_entries(
        &self,
        practice: PracticeId,
        asset: Option<AssetId>,
    ) -> Result<Vec<AssetAccess>>;
    async fn remove_access(
        &self,
        practice: PracticeId,
        id: uuid::Uuid,
        by: &AuditMeta,
    ) -> Result<()>;
    /// Signs off a review of an asset's access: entries in `keep` are confirmed, every other
    /// current entry is removed, in one transaction with the event.
    async fn review_access(
        &self,
        practice: PracticeId,
        asset: AssetId,
        keep: &[uuid::Uuid],
        notes: &str,
        by: &AuditMeta,
    ) -> Result<AccessReview>;
    /// An asset's access reviews, newest first.
    async fn access_reviews(
        &self,
        practice: PracticeId,
        asset: AssetId,
    ) -> Result<Vec<AccessReview>>;
}

#[async_trait]
pub trait Store:
    IdentityStore + AuditStore + AssetStore + RiskStore + Send + Sync + 'static
{
    fn backend(&self) -> Backend;

    /// The concrete store, for tests that reach under the interface.
    fn as_any(&self) -> &dyn std::any::Any;

    /// Succeeds when the database answers a trivial query.
    async fn ping(&self) -> Result<()>;

    /// The versions of the migrations applied to this database, in order.
    async fn applied_migrations(&self) -> Result<Vec<i64>>;

    // ---- the provider -------------------------------------------------------------------

    /// The provider's name, once set.
    async fn provider_name(&self) -> Result<Option<String>>;
    async fn set_provider_name(&self, name: &str, by: &AuditMeta) -> Result<()>;

    // ---- practices ----------------------------------------------------------------------

    async fn create_practice(&self, practice: &ValidPractice, by: &AuditMeta) -> Result<Practice>;
    async fn practice(&self, id: PracticeId) -> Result<Option<Practice>>;
    /// The practice with this ODS code (case-insensitive).
    async fn practice_by_ods(&self, ods_code: &str) -> Result<Option<Practice>>;
    /// Every practice, by name.
    async fn practices(&self, page: &PageRequest) -> Result<Page<Practice>>;
    /// The practices a person is a member of, by name, with their roles in each.
    async fn memberships(&self, person: PersonId) -> Result<Vec<Membership>>;

    // ---- people -------------------------------------------------------------------------

    /// Creates an account. `password_hash` is the PHC string of the initial password, if any
    /// (a one-time password when `must_change_password`).
    async fn create_person(&self, person: &NewAccount, by: &AuditMeta) -> Result<Person>;
    async fn person(&self, id: PersonId) -> Result<Option<Person>>;
    /// Adds a person to a practice's staff with a job title and roles.
    async fn add_member(
        &self,
        practice: PracticeId,
        person: PersonId,
        job_title: &str,
        roles: &[PracticeRole],
        by: &AuditMeta,
    ) -> Result<PracticeMember>;
    /// One member of a practice's staff; `None` for anyone who is not a member of *this*
    /// practice, even if they exist elsewhere.
    async fn member(
        &self,
        practice: PracticeId,
        person: PersonId,
    ) -> Result<Option<PracticeMember>>;
    /// A practice's staff, by name.
    async fn members(
        &self,
        practice: PracticeId,
        page: &PageRequest,
    ) -> Result<Page<PracticeMember>>;
    /// A person's roles in a practice (empty when not a member) and their provider roles: all
    /// that [`custodian_domain::Access`] needs, in one round trip.
    async fn roles(
        &self,
        practice: Option<PracticeId>,
        person: PersonId,
    ) -> Result<(Vec<PracticeRole>, Vec<ProviderRole>)>;
    /// How many people hold a provider role.
    async fn count_provider_role(&self, role: ProviderRole) -> Result<i64>;

    // ---- sign-in and sessions -----------------------------------------------------------

    /// The credentials of the account with this username or email (case-insensitive).
    async fn credentials(&self, login: &str) -> Result<Option<Credentials>>;
    /// Replaces a person's password with one they chose (clearing any must-change flag); the
    /// event commits with it.
    async fn set_password(
        &self,
        person: PersonId,
        password_hash: &str,
        event: &AuditEvent,
    ) -> Result<()>;
    /// Records a new session; the event (a successful sign-in) commits with it.
    async fn create_session(&self, session: &NewSession, event: &AuditEvent) -> Result<()>;
    /// The live session with this token hash, if it has neither expired nor gone idle (its own
    /// idle timeout), and marks it as used now. Sessions of deactivated people are never
    /// returned.
    async fn use_session(&self, token_hash: &str, now: Timestamp) -> Result<Option<LiveSession>>;
    /// Ends a session (sign-out); the event commits with it.
    async fn end_session(&self, token_hash: &str, event: &AuditEvent) -> Result<()>;

    // ---- the audit trail ----------------------------------------------------------------

    /// Appends an event on its own (a read, a denial, a failed sign-in): durable on return.
    async fn append_event(&self, event: &AuditEvent) -> Result<i64>;
    /// The events of one practice (or, with `None`, of the whole deployment), newest first.
    async fn events(&self, practice: Option<PracticeId>, limit: u32) -> Result<Vec<StoredEvent>>;
}

/// The identity-and-access part of the store: practice settings, sign-in state, security
/// questions, MFA, API tokens and the User Authorisation Process. Every [`Store`] is one.
#[async_trait]
pub trait IdentityStore: Send + Sync {
    // ---- practice settings --------------------------------------------------------------

    /// The practice's settings (defaults for any not set).
    async fn settings(&self, practice: PracticeId) -> Result<PracticeSettings>;
    async fn set_settings(
        &self,
        practice: PracticeId,
        settings: &PracticeSettings,
        by: &AuditMeta,
    ) -> Result<()>;

    // ---- sign-in state ------------------------------------------------------------------

    /// Counts a wrong password; the tenth in a row locks the account until `lock_until`.
    async fn record_failed_sign_in(
        &self,
        person: PersonId,
        lock_until: Timestamp,
    ) -> Result<FailedSignIn>;
    /// Records a successful password check: clears failures, notes the time, marks a one-time
    /// password used, and stores a re-hash when the hashing parameters were raised.
    async fn record_sign_in(
        &self,
        person: PersonId,
        now: Timestamp,
        used_one_time_password: bool,
        rehashed: Option<&str>,
    ) -> Result<()>;
    async fn unlock_account(&self, person: PersonId, event: &AuditEvent) -> Result<()>;
    /// Accounts of the practice's staff that are locked now (sign-in or identity checks).
    async fn locked_accounts(
        &self,
        practice: PracticeId,
        now: Timestamp,
    ) -> Result<Vec<LockedAccount>>;
    async fn set_session_stage(&self, token_hash: &str, stage: SessionStage) -> Result<()>;
    /// A person's live sessions, newest first.
    async fn sessions_of(
        &self,
        person: PersonId,
        idle_since: Timestamp,
        now: Timestamp,
    ) -> Result<Vec<SessionSummary>>;
    /// Ends one of a person's own sessions; false when there is no such session of theirs.
    async fn end_session_by_id(
        &self,
        person: PersonId,
        id: uuid::Uuid,
        event: &AuditEvent,
    ) -> Result<bool>;
    /// The hashes of the person's last `n` passwords, newest first.
    async fn password_history(&self, person: PersonId, n: usize) -> Result<Vec<String>>;
    /// Replaces the password with a one-time password (a reset) and ends every session of the
    /// person, in one transaction with the event.
    async fn issue_one_time_password(
        &self,
        person: PersonId,
        hash: &str,
        expires_at: Timestamp,
        event: &AuditEvent,
    ) -> Result<()>;

    // ---- security questions -------------------------------------------------------------

    /// Replaces the person's security questions; answers are stored only as hashes.
    async fn set_security_answers(
        &self,
        person: PersonId,
        answers: &[(String, String)],
        event: &AuditEvent,
    ) -> Result<()>;
    /// (question, answer hash) pairs, in order.
    async fn security_answers(&self, person: PersonId) -> Result<Vec<(String, String)>>;
    /// Records an identity check; returns the failures since the last success or clearance.
    async fn record_identity_check(
        &self,
        person: PersonId,
        passed: bool,
        event: &AuditEvent,
    ) -> Result<i64>;
    async fn clear_identity_lock(&self, person: PersonId, event: &AuditEvent) -> Result<()>;

    // ---- multi-factor authentication ----------------------------------------------------

    /// The person's TOTP secret (base32) and the last step used, when enrolled.
    async fn mfa_secret(&self, person: PersonId) -> Result<Option<(String, Option<i64>)>>;
    /// Enrols (or re-enrols) TOTP with fresh recovery codes (hashes).
    async fn enable_mfa(
        &self,
        person: PersonId,
        secret: &str,
        recovery_code_hashes: &[String],
        first_step: i64,
        event: &AuditEvent,
    ) -> Result<()>;
    /// Marks a TOTP step used; false when it (or a later one) was used already: a replay.
    async fn use_mfa_step(&self, person: PersonId, step: i64) -> Result<bool>;
    /// Uses a recovery code; false when unknown or already used.
    async fn use_recovery_code(
        &self,
        person: PersonId,
        code_hash: &str,
        now: Timestamp,
    ) -> Result<bool>;
    async fn recovery_codes_left(&self, person: PersonId) -> Result<i64>;

    // ---- API tokens ---------------------------------------------------------------------

    async fn create_api_token(
        &self,
        token: &ApiToken,
        token_hash: &str,
        event: &AuditEvent,
    ) -> Result<()>;
    /// A live token (not revoked, not expired, owner active) with this hash; marks it used. The
    /// token's `last_used_at` is when it was used before this.
    async fn use_api_token(&self, token_hash: &str, now: Timestamp) -> Result<Option<ApiToken>>;
    async fn api_tokens_of(&self, person: PersonId) -> Result<Vec<ApiToken>>;
    async fn revoke_api_token(
        &self,
        person: PersonId,
        id: uuid::Uuid,
        event: &AuditEvent,
    ) -> Result<bool>;

    // ---- the User Authorisation Process -------------------------------------------------

    /// The practice's other systems (clinical system, NHSmail, shared drive...).
    async fn systems(&self, practice: PracticeId) -> Result<Vec<PracticeSystem>>;
    async fn add_system(
        &self,
        practice: PracticeId,
        name: &str,
        by: &AuditMeta,
    ) -> Result<PracticeSystem>;
    /// Records a starter (no person yet) or mover (`person` set) request.
    async fn create_access_request(
        &self,
        practice: PracticeId,
        person: Option<PersonId>,
        request: &ValidAccessRequest,
        by: &AuditMeta,
    ) -> Result<AccessRequest>;
    async fn access_request(
        &self,
        practice: PracticeId,
        id: uuid::Uuid,
    ) -> Result<Option<AccessRequest>>;
    /// The practice's requests, newest first; `pending_only` for the approver's queue.
    async fn access_requests(
        &self,
        practice: PracticeId,
        pending_only: bool,
    ) -> Result<Vec<AccessRequest>>;
    /// Approves a pending request. A starter's account is created with the one-time password
    /// (hash and expiry) and may not sign in before `not_before`; a mover's roles are replaced.
    /// Either way one access-grant task opens per system needed (and a removal task per system
    /// no longer needed). All in one transaction with the events.
    async fn approve_access_request(
        &self,
        practice: PracticeId,
        id: uuid::Uuid,
        reason: &str,
        one_time_password: Option<(&str, Timestamp)>,
        not_before: Option<chrono::NaiveDate>,
        by: &AuditMeta,
    ) -> Result<AccessRequest>;
    async fn reject_access_request(
        &self,
        practice: PracticeId,
        id: uuid::Uuid,
        reason: &str,
        by: &AuditMeta,
    ) -> Result<AccessRequest>;
    async fn access_grants(
        &self,
        practice: PracticeId,
        open_only: bool,
    ) -> Result<Vec<AccessGrant>>;
    async fn complete_access_grant(
        &self,
        practice: PracticeId,
        id: uuid::Uuid,
        note: &str,
        by: &AuditMeta,
    ) -> Result<AccessGrant>;
    async fn record_leaver(
        &self,
        practice: PracticeId,
        person: PersonId,
        exit_date: chrono::NaiveDate,
        reason: &str,
        by: &AuditMeta,
    ) -> Result<Leaver>;
    async fn leavers(&self, practice: PracticeId) -> Result<Vec<Leaver>>;
    /// Every scheduled leaver, in every practice (for the scheduler).
    async fn scheduled_leavers(&self) -> Result<Vec<Leaver>>;
    async fn cancel_leaver(
        &self,
        practice: PracticeId,
        id: uuid::Uuid,
        by: &AuditMeta,
    ) -> Result<Leaver>;
    /// Carries out a leaver: roles removed, membership ended, removal tasks opened, API tokens
    /// for the practice revoked, and the account deactivated (sessions ended) when the person
    /// has no other practice or provider role. Idempotent: `None` when already done or
    /// cancelled, so two servers may race safely.
    async fn process_leaver(&self, id: uuid::Uuid, by: &AuditMeta)
    -> Result<Option<LeaverOutcome>>;
    /// Nominates a system administrator, refusing past `cap` current nominations.
    async fn nominate_administrator(
        &self,
        practice: PracticeId,
        person: PersonId,
        reason: &str,
        cap: u32,
        by: &AuditMeta,
    ) -> Result<AdministratorNomination>;
    async fn end_administrator_nomination(
        &self,
        practice: PracticeId,
        person: PersonId,
        reason: &str,
        by: &AuditMeta,
    ) -> Result<()>;
    async fn administrators(&self, practice: PracticeId) -> Result<Vec<AdministratorNomination>>;
    /// Every current member of staff with their access facts, by name.
    async fn access_overview(&self, practice: PracticeId) -> Result<Vec<AccessOverview>>;
    /// Whether the person is a system administrator anywhere (MFA is then required).
    async fn is_system_administrator(&self, person: PersonId) -> Result<bool>;
}

pub type Timestamp = chrono::DateTime<chrono::Utc>;

/// An event waiting for the group commit, and where to send its sequence number.
pub(crate) type AppendJob = (AuditEvent, tokio::sync::oneshot::Sender<Result<i64>>);

/// A store shared by the server's tasks.
pub type SharedStore = Arc<dyn Store>;

/// Opens the store a URL names: `postgres://…` (or `postgresql://…`) for PostgreSQL, and
/// otherwise a `sqlite:` URL or a path to the SQLite database file. Applies pending migrations.
pub async fn open(url: &str) -> Result<SharedStore> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(PgStore::open(url).await?))
    } else {
        Ok(Arc::new(SqliteStore::open(url).await?))
    }
}

/// The account to create for a person, validated.
#[derive(Clone, Debug)]
pub struct NewAccount {
    pub person: ValidPerson,
    pub password_hash: Option<String>,
    /// Whether the password must be changed at the next sign-in (a one-time password).
    pub must_change_password: bool,
    /// When a one-time password stops working.
    pub one_time_password_expires_at: Option<Timestamp>,
    pub provider_roles: Vec<ProviderRole>,
}

/// Hides a URL's password, for messages and logs.
pub fn redact_url(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://")
        && let Some((userinfo, host)) = rest.rsplit_once('@')
    {
        let user = userinfo.split(':').next().unwrap_or("");
        if userinfo.contains(':') {
            return format!("{scheme}://{user}:***@{host}");
        }
    }
    url.to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_never_appear_in_redacted_urls() {
        assert_eq!(
            super::redact_url("postgres://app:s3cret@db:5432/x"),
            "postgres://app:***@db:5432/x"
        );
        assert_eq!(
            super::redact_url("postgres://app@db/x"),
            "postgres://app@db/x"
        );
        assert_eq!(
            super::redact_url("custodian-data/custodian.db"),
            "custodian-data/custodian.db"
        );
    }
}

pub mod testing;
