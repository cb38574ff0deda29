//! Setting up: migrations and the configuration check.

use crate::config::Config;
use crate::{Failure, open_store};

/// `custodian migrate`.
pub(crate) async fn migrate(config: &Config) -> Result<(), Failure> {
    let store = open_store(config).await?;
    let applied = store
        .applied_migrations()
        .await
        .map_err(|e| Failure::Failed(e.to_string()))?;
    println!(
        "database {} is at migration {} ({} applied)",
        custodian_store::redact_url(&config.database()),
        applied.last().copied().unwrap_or(0),
        applied.len()
    );
    Ok(())
}

/// `custodian config check`: the file, the environment and the database.
pub(crate) async fn check(config: &Config) -> Result<(), Failure> {
    let store = open_store(config).await?;
    store
        .ping()
        .await
        .map_err(|e| Failure::Usage(format!("database: {e}")))?;
    println!(
        "configuration is valid; database {} is reachable; serving on {} (metrics: {})",
        custodian_store::redact_url(&config.database()),
        config.server.bind,
        if config.server.metrics_bind.is_empty() {
            "off"
        } else {
            &config.server.metrics_bind
        }
    );
    Ok(())
}
