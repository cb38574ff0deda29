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
    let m = &config.mail;
    let mail = if m.host.is_empty() {
        "off (mail.host is empty)".to_string()
    } else {
        format!("{}:{} ({}) from {}", m.host, m.port, m.security, m.from)
    };
    println!(
        "configuration is valid; database {} is reachable; serving on {} (metrics: {}); mail: {mail}",
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

/// `custodian mail test --to ADDRESS`: sends the test message and prints the server's answer.
pub(crate) async fn mail_test(config: &Config, to: &str) -> Result<(), Failure> {
    let Some(mailer) = config.mailer()? else {
        return Err(Failure::Usage(
            "mail.host is not set: there is no mail server to test".into(),
        ));
    };
    let m = &config.mail;
    match custodian_app::notifications::mail::send_test(&mailer, to).await {
        Ok(answer) => {
            println!(
                "sent a test message to {to} through {}:{} ({}); the server answered: {answer}",
                m.host, m.port, m.security
            );
            Ok(())
        }
        Err(e) => Err(Failure::Failed(format!(
            "the test message to {to} was not sent: {e}"
        ))),
    }
}
