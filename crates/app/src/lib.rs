//! Custodian's application layer: every operation that a page, an API endpoint, a CLI command
//! or a scheduled job performs, as one function per use case. Each takes the [`App`] (the store,
//! the clock, password hashing, the audit log) and, where a person acts, an [`Actor`] in a
//! practice; it checks the permission ([`App::require`], the one check), applies the domain
//! rule, writes through the store together with the audit event, and returns a typed result or
//! an [`AppError`].
//!
//! The web and the CLI are peers that both call this crate; nothing here knows about HTTP.
//! One module per capability, as on every floor of the house (docs/architecture.md).

pub mod actor;
pub mod clock;
pub mod error;
pub mod heavy;
pub mod home;
pub mod scheduler;
pub mod secrets;

/// Every capability's use cases, one line each, in the order their scheduled jobs run within a
/// tick. A new register adds its line here (see docs/architecture.md).
macro_rules! capabilities {
    ($($name:ident,)*) => {
        $(pub mod $name;)*
        /// Every capability, as listed above.
        pub const CAPABILITIES: &[&Capability] = &[$(&$name::CAPABILITY),*];
    };
}

capabilities! {
    practices,
    identity,
    assets,
    imports,
    risks,
    risk_reports,
    incidents,
    evidence,
    actions,
    devices,
    notifications,
    audit,
}

use std::sync::Arc;

use custodian_store::SharedStore;

pub use actor::Actor;
pub use clock::{Clock, ManualClock, SystemClock};
pub use error::AppError;
pub use secrets::Passwords;

/// What every use case can reach.
#[derive(Clone)]
pub struct App {
    pub store: SharedStore,
    pub clock: Arc<dyn Clock>,
    pub passwords: Passwords,
    /// The tamper-evident log: integration, checkpoints, proofs, verification.
    pub audit: audit::SharedAudit,
    /// Whether reads of confidential data are recorded. Always true in Custodian; only the
    /// benchmark switches it off, to measure what recording costs.
    pub audit_reads: bool,
    /// Years an audit event is kept before the scheduler prunes it; 0 keeps every event.
    pub audit_retention_years: u32,
    /// The largest evidence file kept, and how long a removed one stays recoverable.
    pub evidence: custodian_domain::evidence::EvidenceLimits,
    /// The mail server emails go to; none when `[mail]` is not set (emails wait in the outbox).
    pub mailer: Option<Arc<notifications::mail::Mailer>>,
}

impl App {
    /// With the system clock, a password hasher per core and a throw-away audit signing key
    /// (`custodian serve` installs the deployment's own with [`App::with_audit`]).
    pub fn new(store: SharedStore) -> Self {
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        App {
            store,
            clock: Arc::new(SystemClock),
            passwords: Passwords::new(cores),
            audit: Arc::new(audit::AuditService::new(
                "custodian.local/audit",
                secrets::random_bytes::<32>(),
            )),
            audit_reads: true,
            audit_retention_years: 0,
            evidence: Default::default(),
            mailer: None,
        }
    }

    /// The same, signing checkpoints as `origin` with the key made from `seed`.
    pub fn with_audit(mut self, origin: &str, seed: [u8; 32]) -> Self {
        self.audit = Arc::new(audit::AuditService::new(origin, seed));
        self
    }

    /// Today in Europe/London, where exit dates, quarters and review dates are kept.
    pub fn today(&self) -> chrono::NaiveDate {
        custodian_domain::identity::london_today(self.clock.now())
    }
}

/// What a capability brings besides its use cases: its time-driven work and what it has that
/// needs a person's attention. Each capability's module has its `CAPABILITY`.
pub struct Capability {
    /// Its scheduled jobs, in the order they run within a tick.
    pub jobs: &'static [scheduler::Job],
    /// Its due and overdue items for a person (see [`home`]).
    pub attention: Option<home::AttentionFn>,
}

impl Capability {
    /// A capability with neither jobs nor items that need attention.
    pub const PLAIN: Capability = Capability {
        jobs: &[],
        attention: None,
    };
}

/// Every capability's scheduled jobs, in the order they run within a tick.
pub fn jobs() -> Vec<scheduler::Job> {
    CAPABILITIES
        .iter()
        .flat_map(|c| c.jobs.iter().copied())
        .collect()
}

/// An id from a path or a form: one that does not parse names nothing, so it is not found
/// (never a 400 that would tell a prober the shape of ids).
pub fn parse_id<T: std::str::FromStr>(s: &str) -> Result<T, AppError> {
    s.parse().map_err(|_| AppError::NotFound)
}
