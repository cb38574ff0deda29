//! Identity and access's storage: practice settings, sign-in state, security questions, MFA,
//! API tokens and the User Authorisation Process.
//!
//! Its queries are in `queries.rs`, compiled for each backend (see `backends/`).

mod records;
pub use records::*;

use async_trait::async_trait;
use custodian_domain::identity::{SessionStage, ValidAccessRequest};
use custodian_domain::settings::PracticeSettings;
use custodian_domain::*;

use crate::*;

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

    /// The provider's defaults for new practices (the built-in defaults until it sets them).
    async fn provider_defaults(&self) -> Result<PracticeSettings>;
    /// Sets them: each practice created from now on starts from a copy (its setup checklist
    /// asks the practice to check them); practices already here keep their own.
    async fn set_provider_defaults(&self, settings: &PracticeSettings, by: &AuditMeta)
    -> Result<()>;

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
        id: SessionId,
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
        id: ApiTokenId,
        event: &AuditEvent,
    ) -> Result<bool>;
}

/// The practice's User Authorisation Process for starters and movers: its systems, the requests
/// and the login tasks they open.
#[async_trait]
pub trait StaffAccessStore: Send + Sync {
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
        id: RequestId,
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
        id: RequestId,
        reason: &str,
        one_time_password: Option<(&str, Timestamp)>,
        not_before: Option<chrono::NaiveDate>,
        by: &AuditMeta,
    ) -> Result<AccessRequest>;
    async fn reject_access_request(
        &self,
        practice: PracticeId,
        id: RequestId,
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
        id: GrantId,
        note: &str,
        by: &AuditMeta,
    ) -> Result<AccessGrant>;
}

/// Leavers, nominated system administrators, and who has access: the end of access, and the
/// evidence of it.
#[async_trait]
pub trait LeaverStore: Send + Sync {
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
        id: LeaverId,
        by: &AuditMeta,
    ) -> Result<Leaver>;
    /// Carries out a leaver: roles removed, membership ended, removal tasks opened, API tokens
    /// for the practice revoked, and the account deactivated (sessions ended) when the person
    /// has no other practice or provider role. Idempotent: `None` when already done or
    /// cancelled, so two servers may race safely.
    async fn process_leaver(&self, id: LeaverId, by: &AuditMeta)
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
