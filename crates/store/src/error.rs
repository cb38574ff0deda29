use custodian_domain::Invalid;

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness rule was broken: `field` names the input at fault.
    #[error("{message}")]
    Conflict {
        field: &'static str,
        message: String,
    },
    /// The input names something that does not exist or is not allowed here.
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error("not found: {0}")]
    NotFound(&'static str),
    #[error("cannot open the database {url}: {source}")]
    Open { url: String, source: sqlx::Error },
    #[error("cannot apply migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// From SQLite's own connections: the audit log's writer and verification reader.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A stored value that this version of Custodian does not understand.
    #[error("corrupt record: {0}")]
    Corrupt(String),
}

/// Turns a unique-constraint violation into a [`StoreError::Conflict`] naming the field, using
/// `rules` of (column-name fragment, field, message); other errors pass through.
pub(crate) fn conflict(err: sqlx::Error, rules: &[(&str, &'static str, &str)]) -> StoreError {
    if let sqlx::Error::Database(db) = &err
        && db.is_unique_violation()
    {
        let text = format!("{} {}", db.constraint().unwrap_or(""), db.message());
        for (needle, field, message) in rules {
            if text.contains(needle) {
                return StoreError::Conflict {
                    field,
                    message: message.to_string(),
                };
            }
        }
    }
    StoreError::Database(err)
}
