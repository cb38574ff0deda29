//! The two backends: SQLite (embedded, the default) and PostgreSQL. Each compiles the shared
//! queries (`<capability>/queries.rs`) against its own pool, and adds what only it needs:
//! SQLite's own audit writer thread and log readers, PostgreSQL's group commit.

pub(crate) mod log_reader;
pub(crate) mod migrations;
pub(crate) mod postgres;
pub(crate) mod sqlite;
pub(crate) mod sqlite_appender;
