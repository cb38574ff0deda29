//! The `[mail]` settings: the mail server notifications go out through, and their checks.

use std::time::Duration;

use custodian_app::notifications::mail::{MailSettings, Mailer, Security};
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct MailConfig {
    /// The mail server; empty: no email (notices stay in Custodian, emails wait in the outbox).
    pub host: String,
    pub port: u16,
    /// `starttls`, `tls` (implicit) or `none`.
    pub security: String,
    pub user: String,
    /// The password, read from this file.
    pub password_file: String,
    /// The sender: `Name <address>` or an address.
    pub from: String,
    /// Extra certificate authorities to trust (PEM).
    pub ca_file: String,
    pub timeout_seconds: u64,
}

impl Default for MailConfig {
    fn default() -> Self {
        MailConfig {
            host: String::new(),
            port: 587,
            security: "starttls".into(),
            user: String::new(),
            password_file: String::new(),
            from: String::new(),
            ca_file: String::new(),
            timeout_seconds: 30,
        }
    }
}

/// The `[mail]` part of `custodian config default`.
pub const DEFAULT_TOML: &str = r#"
[mail]
# The mail server (SMTP) notification emails go out through, e.g. "send.nhs.net" for NHSmail.
# Empty: no email; notices are in Custodian only and emails wait in the outbox until it is set.
host = ""
# 587 for STARTTLS, 465 for implicit TLS.
port = 587
# starttls (plain, then TLS before anything else; refused if the server does not offer it),
# tls (TLS from the first byte), or none (no encryption: only a relay on this machine).
security = "starttls"
# The login, if the server asks for one; its password is read from password_file.
user = ""
password_file = ""
# The sender, e.g. "Custodian <custodian@northshire-ig.nhs.uk>". Needs server.public_url, for
# the links in emails.
from = ""
# Extra certificate authorities to trust (PEM), besides the system's, for a relay with its own.
ca_file = ""
# Seconds to wait for the mail server at each step.
timeout_seconds = 30
"#;

/// Environment variables of `[mail]` and the keys they set.
pub const ENV_KEYS: &[(&str, &str)] = &[
    ("CUSTODIAN_MAIL_HOST", "mail.host"),
    ("CUSTODIAN_MAIL_PORT", "mail.port"),
    ("CUSTODIAN_MAIL_SECURITY", "mail.security"),
    ("CUSTODIAN_MAIL_USER", "mail.user"),
    ("CUSTODIAN_MAIL_PASSWORD_FILE", "mail.password_file"),
    ("CUSTODIAN_MAIL_FROM", "mail.from"),
    ("CUSTODIAN_MAIL_CA_FILE", "mail.ca_file"),
    ("CUSTODIAN_MAIL_TIMEOUT_SECONDS", "mail.timeout_seconds"),
];

impl MailConfig {
    /// Sets one key from the environment; false when `key` is not one of `[mail]`'s.
    pub fn set(&mut self, key: &str, value: &str, number: u64) -> bool {
        match key {
            "mail.host" => self.host = value.into(),
            "mail.port" => self.port = u16::try_from(number).unwrap_or(0),
            "mail.security" => self.security = value.into(),
            "mail.user" => self.user = value.into(),
            "mail.password_file" => self.password_file = value.into(),
            "mail.from" => self.from = value.into(),
            "mail.ca_file" => self.ca_file = value.into(),
            "mail.timeout_seconds" => self.timeout_seconds = number,
            _ => return false,
        }
        true
    }

    /// Whether `key` takes a number.
    pub fn is_number(key: &str) -> bool {
        matches!(key, "mail.port" | "mail.timeout_seconds")
    }
}

/// The settings to send with, read and checked (files read, addresses parsed); `None` when no
/// mail server is set. `public_url` is where emails link to. The error names the key at fault.
pub fn settings(m: &MailConfig, public_url: &str) -> Result<Option<MailSettings>, String> {
    if m.host.is_empty() {
        return Ok(None);
    }
    let bad = |msg: String| Err(msg);
    if m.host.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return bad(format!("mail.host: '{}' is not a host name", m.host));
    }
    if m.port == 0 {
        return bad("mail.port must be between 1 and 65535".into());
    }
    let security = match m.security.as_str() {
        "starttls" => Security::StartTls,
        "tls" => Security::Tls,
        "none" => Security::None,
        other => {
            return bad(format!(
                "mail.security: '{other}' must be starttls, tls or none"
            ));
        }
    };
    let local = matches!(m.host.as_str(), "localhost" | "127.0.0.1" | "::1");
    if security == Security::None && !local {
        return bad(format!(
            "mail.security: none sends emails and the password in clear; use starttls or tls for {}",
            m.host
        ));
    }
    if !(1..=600).contains(&m.timeout_seconds) {
        return bad("mail.timeout_seconds must be between 1 and 600".into());
    }
    if m.from.is_empty() {
        return bad(
            "mail.from: set the sender address, e.g. \"Custodian <custodian@example.nhs.uk>\""
                .into(),
        );
    }
    if public_url.is_empty() {
        return bad(
            "mail: set server.public_url too: emails link to Custodian at that address".into(),
        );
    }
    let read = |key: &str, path: &str| {
        std::fs::read(path).map_err(|e| format!("{key}: cannot read {path}: {e}"))
    };
    let password = if m.password_file.is_empty() {
        String::new()
    } else {
        let bytes = read("mail.password_file", &m.password_file)?;
        String::from_utf8_lossy(&bytes)
            .trim_end_matches(['\r', '\n'])
            .to_string()
    };
    if !m.user.is_empty() && password.is_empty() {
        return bad(
            "mail.user is set: put its password in the file mail.password_file names".into(),
        );
    }
    let ca_pem = if m.ca_file.is_empty() {
        None
    } else {
        Some(read("mail.ca_file", &m.ca_file)?)
    };
    let settings = MailSettings {
        host: m.host.clone(),
        port: m.port,
        security,
        user: m.user.clone(),
        password,
        from: m.from.clone(),
        ca_pem,
        timeout: Duration::from_secs(m.timeout_seconds),
        public_url: public_url.to_string(),
    };
    // Parse the addresses and certificates now, so a mistake is named before serving.
    Mailer::new(settings.clone())?;
    Ok(Some(settings))
}
