//! Custodian's persistence: one [`Store`] interface with two backends, SQLite (embedded, the
//! default) and PostgreSQL (for providers running several servers against one database).
//!
//! Rules:
//! - every practice-scoped call takes the [`PracticeId`], so a missing tenant filter is a type
//!   error, not a review comment;
//! - every change commits together with its audit event, in one transaction;
//! - SQL is explicit and parameterised; the two backends share the text of their queries
//!   (see `queries.rs`) and differ only in their migrations.

/// Every capability the store keeps, one line each: its folder (its traits and records), the
/// traits it adds to [`Store`], and its queries, which both backends compile (see
/// docs/architecture.md). A new register adds its line here.
macro_rules! capabilities {
    ($($name:ident: $trait:ident $(+ $more:ident)* => $queries:literal,)*) => {
        $(mod $name; pub use $name::*;)*

        /// Every capability's storage, which a [`Store`] keeps.
        pub trait Capabilities: $($trait $(+ $more)* +)* Send + Sync {}
        impl<T: $($trait $(+ $more)* +)* Send + Sync> Capabilities for T {}

        /// The queries both backends share: every capability's queries as a module of the
        /// backend that invokes this, compiled against its `ThisStore`, `DbRow` and `BEGIN`.
        macro_rules! shared_queries {
            () => {
                $(
                    #[path = $queries]
                    #[allow(clippy::duplicate_mod)] // once per backend, by design
                    mod $name;
                    #[allow(unused_imports)]
                    use $name::*;
                )*
                #[path = "../practices/queries.rs"]
                #[allow(clippy::duplicate_mod)]
                mod practices;
                #[path = "../recorded.rs"]
                #[allow(clippy::duplicate_mod)]
                mod recorded;
                use practices::*;
                use recorded::*;
            };
        }
    };
}

capabilities! {
    identity: IdentityStore + StaffAccessStore + LeaverStore => "../identity/queries.rs",
    audit: AuditStore => "../audit/queries.rs",
    assets: AssetStore => "../assets/queries.rs",
    imports: ImportStore => "../imports/queries.rs",
    risks: RiskStore + RiskReportStore => "../risks/queries.rs",
    notifications: NoticeStore + MailStore => "../notifications/queries.rs",
    incidents: IncidentStore => "../incidents/queries.rs",
    evidence: EvidenceStore => "../evidence/queries.rs",
    actions: ActionStore => "../actions/queries.rs",
    devices: DeviceStore => "../devices/queries.rs",
}

mod backends;
mod error;
mod queries;

use std::sync::Arc;

use async_trait::async_trait;
use custodian_domain::{
    Page, PageRequest, Person, PersonId, Practice, PracticeId, PracticeMember, PracticeRole,
    ProviderRole, people::ValidPerson, practice::ValidPractice,
};

pub use backends::log_reader::{canonical_time, event_leaf_hash, stored_hash};
pub use backends::postgres::PgStore;
pub use backends::sqlite::SqliteStore;
pub use error::StoreError;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Which database a store runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Everything Custodian keeps. One implementation per backend; both pass the same conformance
/// suite (`tests/conformance.rs`).
#[async_trait]
pub trait Store: Capabilities + 'static {
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

    /// A practice on its own: for the demo and tests, which then add its staff. People bring a
    /// practice in with [`Store::create_practice_with_manager`].
    async fn create_practice(&self, practice: &ValidPractice, by: &AuditMeta) -> Result<Practice>;
    /// A practice and its first practice manager (staff and practice manager roles, a one-time
    /// password) in one transaction: both or neither.
    async fn create_practice_with_manager(
        &self,
        practice: &ValidPractice,
        manager: &FirstManagerAccount,
        by: &AuditMeta,
    ) -> Result<(Practice, PracticeMember)>;
    async fn practice(&self, id: PracticeId) -> Result<Option<Practice>>;
    /// The practice with this ODS code (case-insensitive).
    async fn practice_by_ods(&self, ods_code: &str) -> Result<Option<Practice>>;
    /// Every practice, by name.
    async fn practices(&self, page: &PageRequest) -> Result<Page<Practice>>;
    /// How far a practice is through its setup (staff, starter requests, systems, assets,
    /// settings saved): its setup checklist.
    async fn setup_progress(
        &self,
        practice: PracticeId,
    ) -> Result<custodian_domain::practice::SetupProgress>;
    /// Every practice's setup progress at once (the provider's list).
    async fn setup_progress_all(
        &self,
    ) -> Result<std::collections::HashMap<PracticeId, custodian_domain::practice::SetupProgress>>;
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

/// A new practice's first practice manager, ready to store: their account (with its one-time
/// password's hash and expiry), phone number and job title.
#[derive(Clone, Debug)]
pub struct FirstManagerAccount {
    pub account: NewAccount,
    pub phone: Option<String>,
    pub job_title: String,
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
