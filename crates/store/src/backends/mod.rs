//! The two backends: SQLite (embedded, the default) and PostgreSQL. Each compiles the shared
//! queries (`<capability>/queries.rs`) against its own pool, and adds what only it needs:
//! SQLite's own audit writer thread and log readers, PostgreSQL's group commit.

pub(crate) mod log_reader;
pub(crate) mod migrations;
pub(crate) mod postgres;
pub(crate) mod sqlite;
pub(crate) mod sqlite_appender;

/// The queries both backends share: every capability's `queries.rs` as a module of the backend
/// that invokes this, compiled against its `ThisStore`, `DbRow` and `BEGIN` (see
/// docs/architecture.md). A new capability adds its line here.
macro_rules! shared_queries {
    () => {
        #[path = "../assets/queries.rs"]
        #[allow(clippy::duplicate_mod)] // once per backend, by design
        mod assets;
        #[path = "../audit/queries.rs"]
        #[allow(clippy::duplicate_mod)] // once per backend, by design
        mod audit;
        #[path = "../identity/queries.rs"]
        #[allow(clippy::duplicate_mod)] // once per backend, by design
        mod identity;
        #[path = "../imports/queries.rs"]
        #[allow(clippy::duplicate_mod)] // once per backend, by design
        mod imports;
        #[path = "../identity/leaver_queries.rs"]
        #[allow(clippy::duplicate_mod)] // once per backend, by design
        mod leavers;
        #[path = "../practices/queries.rs"]
        #[allow(clippy::duplicate_mod)] // once per backend, by design
        mod practices;
        #[path = "../recorded.rs"]
        #[allow(clippy::duplicate_mod)] // once per backend, by design
        mod recorded;
        #[path = "../risks/report_queries.rs"]
        #[allow(clippy::duplicate_mod)] // once per backend, by design
        mod risk_reports;
        #[path = "../risks/queries.rs"]
        #[allow(clippy::duplicate_mod)] // once per backend, by design
        mod risks;
        #[path = "../identity/starter_queries.rs"]
        #[allow(clippy::duplicate_mod)] // once per backend, by design
        mod starters;
        // Helpers one capability's queries share with another's.
        use assets::*;
        use identity::*;
        use practices::*;
        use recorded::*;
        use risks::*;
    };
}
pub(crate) use shared_queries;
