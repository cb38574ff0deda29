//! Configuration: one TOML file plus `CUSTODIAN_*` environment variables (which win). Unknown
//! keys and unknown variables are errors, so a typo is caught instead of silently ignored.
//! Secrets may come from a file named by a `*_FILE` key or variable.

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Why the configuration cannot be used. Always names the key, variable or file at fault.
#[derive(Debug)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub data_dir: PathBuf,
    pub database_url: String,
    pub database_url_file: String,
    pub server: ServerConfig,
    pub session: SessionConfig,
    pub log: LogConfig,
    pub audit: AuditConfig,
    pub evidence: EvidenceConfig,
    pub mail: crate::mail::MailConfig,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct EvidenceConfig {
    /// The largest evidence file kept, in megabytes.
    pub max_file_megabytes: u32,
    /// Days a removed file stays recoverable before it is deleted for good.
    pub removed_kept_days: u32,
}

impl Default for EvidenceConfig {
    fn default() -> Self {
        EvidenceConfig {
            max_file_megabytes: custodian_domain::evidence::DEFAULT_MAX_FILE_MEGABYTES,
            removed_kept_days: custodian_domain::evidence::DEFAULT_REMOVED_KEPT_DAYS,
        }
    }
}

impl EvidenceConfig {
    /// The limits the application applies.
    pub fn limits(&self) -> custodian_domain::evidence::EvidenceLimits {
        custodian_domain::evidence::EvidenceLimits {
            max_file_bytes: custodian_domain::evidence::megabytes(self.max_file_megabytes),
            removed_kept_days: self.removed_kept_days,
        }
    }
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct AuditConfig {
    /// The log's name in its signed checkpoints.
    pub origin: String,
    /// The checkpoint signing key (a 32-byte seed, hex). Empty: `audit-signing.key` in data_dir.
    pub signing_key_file: String,
    /// Hours between full verifications of the log by the scheduler.
    pub verify_every_hours: u64,
    /// Years an event is kept; older ones are pruned (their hashes stay). 0 keeps every event.
    pub retention_years: u32,
}

impl Default for AuditConfig {
    fn default() -> Self {
        AuditConfig {
            origin: "custodian.local/audit".into(),
            signing_key_file: String::new(),
            verify_every_hours: 24,
            retention_years: 0,
        }
    }
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    pub bind: String,
    pub metrics_bind: String,
    pub public_url: String,
    pub max_body_bytes: usize,
    /// Seconds between the scheduler's ticks (notices raised, emails sent, leavers processed).
    pub scheduler_tick_seconds: u64,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct SessionConfig {
    pub idle_timeout_minutes: u64,
    pub lifetime_hours: u64,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    pub level: String,
    pub format: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("./custodian-data"),
            database_url: String::new(),
            database_url_file: String::new(),
            server: ServerConfig::default(),
            session: SessionConfig::default(),
            log: LogConfig::default(),
            audit: AuditConfig::default(),
            evidence: EvidenceConfig::default(),
            mail: crate::mail::MailConfig::default(),
        }
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            bind: "127.0.0.1:8080".into(),
            metrics_bind: "127.0.0.1:9464".into(),
            public_url: String::new(),
            max_body_bytes: 1024 * 1024,
            scheduler_tick_seconds: 60,
        }
    }
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            idle_timeout_minutes: 15,
            lifetime_hours: 12,
        }
    }
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            level: "info".into(),
            format: "text".into(),
        }
    }
}

/// The commented default configuration, printed by `custodian config default`.
pub const DEFAULT_TOML: &str = r#"# Custodian configuration.
#
# Every key can also be set by an environment variable, which wins over this file:
# CUSTODIAN_ + the section and key in capitals, e.g. CUSTODIAN_SERVER_BIND,
# CUSTODIAN_SESSION_IDLE_TIMEOUT_MINUTES, or for top-level keys CUSTODIAN_DATABASE_URL.
# Unknown keys and unknown CUSTODIAN_ variables are errors. Check a file with
# `custodian config check`.

# Where Custodian keeps its files: the SQLite database (custodian.db) and, later, the audit
# trail's signing key. Created if missing.
data_dir = "./custodian-data"

# Empty: the embedded SQLite database in data_dir.
# postgres://USER:PASSWORD@HOST:5432/DATABASE: PostgreSQL (several servers may share it).
database_url = ""
# Or read the URL (with its password) from a file, e.g. a container secret.
database_url_file = ""

[server]
# The address the web UI and API listen on.
bind = "127.0.0.1:8080"
# The address Prometheus scrapes /metrics from, kept apart from the public listener.
# Empty turns it off.
metrics_bind = "127.0.0.1:9464"
# The address people type, when TLS is terminated in front of Custodian, e.g.
# "https://custodian.example.nhs.uk". With https, cookies are Secure and HSTS is sent.
public_url = ""
# The largest request body accepted, in bytes (larger ones get 413).
max_body_bytes = 1048576
# Seconds between the scheduler's rounds: notices raised, emails sent, leavers' access ended.
scheduler_tick_seconds = 60

[session]
# Sign out after this many minutes without activity (the policy's screen lock).
idle_timeout_minutes = 15
# Sign out this many hours after signing in, however active.
lifetime_hours = 12

[audit]
# The log's name, written into every signed checkpoint. Choose one per deployment, e.g.
# "custodian.northshire-ig.nhs.uk/audit", and keep it.
origin = "custodian.local/audit"
# The Ed25519 key that signs checkpoints (a 32-byte seed in hex). Empty: audit-signing.key in
# data_dir, created with 0600 permissions at first start. Servers sharing one PostgreSQL
# database must share this key file.
signing_key_file = ""
# Hours between the scheduler's full verifications of the log.
verify_every_hours = 24
# Years an audit event is kept. 0 (the default) keeps every event for ever. Otherwise the
# scheduler removes older events once a day; their hashes stay in the log, so verification,
# proofs and checkpoints still hold, and each removal is itself an audit event.
retention_years = 0

[evidence]
# The largest file that may be attached as evidence (to an incident, say), in megabytes.
max_file_megabytes = 20
# Days a removed evidence file stays recoverable by the DPO; then the scheduler deletes it
# for good (each deletion an audit event).
removed_kept_days = 90

[log]
# error, warn, info, debug or trace (or a tracing filter such as "info,sqlx=warn").
level = "info"
# text for people, json for log collectors.
format = "text"
"#;

/// Environment variables and the keys they set.
const ENV_KEYS: &[(&str, &str)] = &[
    ("CUSTODIAN_DATA_DIR", "data_dir"),
    ("CUSTODIAN_DATABASE_URL", "database_url"),
    ("CUSTODIAN_DATABASE_URL_FILE", "database_url_file"),
    ("CUSTODIAN_SERVER_BIND", "server.bind"),
    ("CUSTODIAN_SERVER_METRICS_BIND", "server.metrics_bind"),
    ("CUSTODIAN_SERVER_PUBLIC_URL", "server.public_url"),
    ("CUSTODIAN_SERVER_MAX_BODY_BYTES", "server.max_body_bytes"),
    (
        "CUSTODIAN_SERVER_SCHEDULER_TICK_SECONDS",
        "server.scheduler_tick_seconds",
    ),
    (
        "CUSTODIAN_SESSION_IDLE_TIMEOUT_MINUTES",
        "session.idle_timeout_minutes",
    ),
    ("CUSTODIAN_SESSION_LIFETIME_HOURS", "session.lifetime_hours"),
    ("CUSTODIAN_AUDIT_ORIGIN", "audit.origin"),
    ("CUSTODIAN_AUDIT_SIGNING_KEY_FILE", "audit.signing_key_file"),
    (
        "CUSTODIAN_AUDIT_VERIFY_EVERY_HOURS",
        "audit.verify_every_hours",
    ),
    ("CUSTODIAN_AUDIT_RETENTION_YEARS", "audit.retention_years"),
    (
        "CUSTODIAN_EVIDENCE_MAX_FILE_MEGABYTES",
        "evidence.max_file_megabytes",
    ),
    (
        "CUSTODIAN_EVIDENCE_REMOVED_KEPT_DAYS",
        "evidence.removed_kept_days",
    ),
    ("CUSTODIAN_LOG_LEVEL", "log.level"),
    ("CUSTODIAN_LOG_FORMAT", "log.format"),
];

/// Variables that start with CUSTODIAN_ but are not configuration keys.
const ENV_OTHER: &[&str] = &["CUSTODIAN_CONFIG", "CUSTODIAN_TEST_DATABASE_URL"];

impl Config {
    /// Loads the file (if given, or `./custodian.toml` if present), then the environment, then
    /// checks every value.
    pub fn load(file: Option<&Path>, env: &[(String, String)]) -> Result<Config, ConfigError> {
        let (mut config, _) = Self::load_file(file)?;
        config.apply_env(env)?;
        config.resolve_secrets()?;
        config.validate()?;
        Ok(config)
    }

    fn load_file(file: Option<&Path>) -> Result<(Config, Option<PathBuf>), ConfigError> {
        let path = match file {
            Some(p) => Some(p.to_path_buf()),
            None => Some(PathBuf::from("custodian.toml")).filter(|p| p.exists()),
        };
        let Some(path) = path else {
            return Ok((Config::default(), None));
        };
        let text = std::fs::read_to_string(&path).map_err(|e| {
            ConfigError(format!(
                "cannot read the config file {}: {e}",
                path.display()
            ))
        })?;
        let config: Config = toml::from_str(&text).map_err(|e| {
            ConfigError(format!(
                "config file {}: {}",
                path.display(),
                e.to_string().trim_end().replace('\n', "\n  ")
            ))
        })?;
        Ok((config, Some(path)))
    }

    fn apply_env(&mut self, env: &[(String, String)]) -> Result<(), ConfigError> {
        for (name, value) in env {
            if !name.starts_with("CUSTODIAN_") || ENV_OTHER.contains(&name.as_str()) {
                continue;
            }
            let every = || ENV_KEYS.iter().chain(crate::mail::ENV_KEYS);
            let Some((_, key)) = every().find(|(n, _)| n == name) else {
                let known: Vec<&str> = every().map(|(n, _)| *n).collect();
                return Err(ConfigError(format!(
                    "unknown environment variable {name}; the variables Custodian reads are {}",
                    known.join(", ")
                )));
            };
            let number = |v: &str| -> Result<u64, ConfigError> {
                v.trim().parse().map_err(|_| {
                    ConfigError(format!(
                        "{name}: '{v}' is not a whole number (it sets {key})"
                    ))
                })
            };
            if key.starts_with("mail.") {
                let n = if crate::mail::MailConfig::is_number(key) {
                    number(value)?
                } else {
                    0
                };
                self.mail.set(key, value, n);
                continue;
            }
            match *key {
                "data_dir" => self.data_dir = PathBuf::from(value),
                "database_url" => self.database_url = value.clone(),
                "database_url_file" => self.database_url_file = value.clone(),
                "server.bind" => self.server.bind = value.clone(),
                "server.metrics_bind" => self.server.metrics_bind = value.clone(),
                "server.public_url" => self.server.public_url = value.clone(),
                "server.max_body_bytes" => self.server.max_body_bytes = number(value)? as usize,
                "server.scheduler_tick_seconds" => {
                    self.server.scheduler_tick_seconds = number(value)?
                }
                "session.idle_timeout_minutes" => {
                    self.session.idle_timeout_minutes = number(value)?
                }
                "session.lifetime_hours" => self.session.lifetime_hours = number(value)?,
                "audit.origin" => self.audit.origin = value.clone(),
                "audit.signing_key_file" => self.audit.signing_key_file = value.clone(),
                "audit.verify_every_hours" => self.audit.verify_every_hours = number(value)?,
                "audit.retention_years" => {
                    self.audit.retention_years = u32::try_from(number(value)?).unwrap_or(u32::MAX)
                }
                "evidence.max_file_megabytes" => {
                    self.evidence.max_file_megabytes =
                        u32::try_from(number(value)?).unwrap_or(u32::MAX)
                }
                "evidence.removed_kept_days" => {
                    self.evidence.removed_kept_days =
                        u32::try_from(number(value)?).unwrap_or(u32::MAX)
                }
                "log.level" => self.log.level = value.clone(),
                "log.format" => self.log.format = value.clone(),
                _ => unreachable!("every ENV_KEYS key is handled"),
            }
        }
        Ok(())
    }

    fn resolve_secrets(&mut self) -> Result<(), ConfigError> {
        if !self.database_url_file.is_empty() {
            if !self.database_url.is_empty() {
                return Err(ConfigError(
                    "set database_url or database_url_file, not both".into(),
                ));
            }
            let text = std::fs::read_to_string(&self.database_url_file).map_err(|e| {
                ConfigError(format!(
                    "database_url_file: cannot read {}: {e}",
                    self.database_url_file
                ))
            })?;
            self.database_url = text.trim().to_string();
        }
        Ok(())
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let addr = |key: &str, v: &str| -> Result<(), ConfigError> {
            v.parse::<std::net::SocketAddr>().map(|_| ()).map_err(|_| {
                ConfigError(format!(
                    "{key}: '{v}' is not an address like 127.0.0.1:8080"
                ))
            })
        };
        addr("server.bind", &self.server.bind)?;
        if !self.server.metrics_bind.is_empty() {
            addr("server.metrics_bind", &self.server.metrics_bind)?;
            if self.server.metrics_bind == self.server.bind {
                return Err(ConfigError(
                    "server.metrics_bind must differ from server.bind".into(),
                ));
            }
        }
        let u = &self.server.public_url;
        if !(u.is_empty() || u.starts_with("https://") || u.starts_with("http://")) {
            return Err(ConfigError(format!(
                "server.public_url: '{u}' must start with https:// or http://"
            )));
        }
        if self.server.max_body_bytes < 1024 {
            return Err(ConfigError(
                "server.max_body_bytes must be at least 1024".into(),
            ));
        }
        if !(1..=3600).contains(&self.server.scheduler_tick_seconds) {
            return Err(ConfigError(
                "server.scheduler_tick_seconds must be between 1 and 3600".into(),
            ));
        }
        if !(1..=24 * 60).contains(&self.session.idle_timeout_minutes) {
            return Err(ConfigError(
                "session.idle_timeout_minutes must be between 1 and 1440".into(),
            ));
        }
        if !(1..=24 * 7).contains(&self.session.lifetime_hours) {
            return Err(ConfigError(
                "session.lifetime_hours must be between 1 and 168".into(),
            ));
        }
        if self.session.idle_timeout_minutes > self.session.lifetime_hours * 60 {
            return Err(ConfigError(
                "session.idle_timeout_minutes must not exceed session.lifetime_hours".into(),
            ));
        }
        let o = &self.audit.origin;
        if o.is_empty() || o.len() > 200 || o.chars().any(|c| c.is_whitespace() || c == '+') {
            return Err(ConfigError(format!(
                "audit.origin: '{o}' must be a name without spaces or '+', like custodian.example.nhs.uk/audit"
            )));
        }
        if !(1..=24 * 30).contains(&self.audit.verify_every_hours) {
            return Err(ConfigError(
                "audit.verify_every_hours must be between 1 and 720".into(),
            ));
        }
        if self.audit.retention_years > 100 {
            return Err(ConfigError(
                "audit.retention_years must be 0 (keep every event) or between 1 and 100".into(),
            ));
        }
        if !(1..=1024).contains(&self.evidence.max_file_megabytes) {
            return Err(ConfigError(
                "evidence.max_file_megabytes must be between 1 and 1024".into(),
            ));
        }
        if !(1..=3650).contains(&self.evidence.removed_kept_days) {
            return Err(ConfigError(
                "evidence.removed_kept_days must be between 1 and 3650".into(),
            ));
        }
        if !matches!(self.log.format.as_str(), "text" | "json") {
            return Err(ConfigError(format!(
                "log.format: '{}' must be text or json",
                self.log.format
            )));
        }
        if tracing_subscriber::EnvFilter::try_new(&self.log.level).is_err() {
            return Err(ConfigError(format!(
                "log.level: '{}' is not a log level or filter",
                self.log.level
            )));
        }
        self.mail_settings()?;
        let db = &self.database_url;
        if !(db.is_empty()
            || db.starts_with("postgres://")
            || db.starts_with("postgresql://")
            || db.starts_with("sqlite:"))
        {
            return Err(ConfigError(format!(
                "database_url: '{}' must be empty (SQLite in data_dir), a postgres:// URL or a sqlite: URL",
                custodian_store::redact_url(db)
            )));
        }
        Ok(())
    }

    /// The database to open: the configured URL, or the SQLite file in the data directory.
    pub fn database(&self) -> String {
        if self.database_url.is_empty() {
            format!("sqlite:{}", self.data_dir.join("custodian.db").display())
        } else {
            self.database_url.clone()
        }
    }

    /// The file holding the checkpoint signing key.
    pub fn signing_key_path(&self) -> PathBuf {
        if self.audit.signing_key_file.is_empty() {
            self.data_dir.join("audit-signing.key")
        } else {
            PathBuf::from(&self.audit.signing_key_file)
        }
    }

    /// The checkpoint signing key's seed: read from its file, or created there (0600) at first
    /// start.
    pub fn signing_key(&self) -> Result<[u8; 32], ConfigError> {
        let path = self.signing_key_path();
        let bad =
            |what: &str| ConfigError(format!("audit.signing_key_file: {} {what}", path.display()));
        match std::fs::read_to_string(&path) {
            Ok(text) => hex::decode(text.trim())
                .ok()
                .and_then(|v| v.try_into().ok())
                .ok_or_else(|| bad("does not hold a 32-byte hex key")),
            Err(e)
                if e.kind() == std::io::ErrorKind::NotFound
                    && self.audit.signing_key_file.is_empty() =>
            {
                let seed = custodian_app::secrets::random_bytes::<32>();
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir)
                        .map_err(|e| bad(&format!("cannot be created: {e}")))?;
                }
                let mut opts = std::fs::OpenOptions::new();
                opts.write(true).create_new(true);
                #[cfg(unix)]
                {
                    use std::os::unix::fs::OpenOptionsExt;
                    opts.mode(0o600);
                }
                use std::io::Write;
                let mut f = opts
                    .open(&path)
                    .map_err(|e| bad(&format!("cannot be created: {e}")))?;
                writeln!(f, "{}", hex::encode(seed))
                    .map_err(|e| bad(&format!("cannot be written: {e}")))?;
                Ok(seed)
            }
            Err(e) => Err(bad(&format!("cannot be read: {e}"))),
        }
    }

    /// The mail server's settings, read and checked; `None` when `mail.host` is empty.
    pub fn mail_settings(
        &self,
    ) -> Result<Option<custodian_app::notifications::mail::MailSettings>, ConfigError> {
        crate::mail::settings(&self.mail, &self.server.public_url).map_err(ConfigError)
    }

    /// The mail server for the application, if one is set.
    pub fn mailer(
        &self,
    ) -> Result<Option<std::sync::Arc<custodian_app::notifications::mail::Mailer>>, ConfigError>
    {
        self.mail_settings()?
            .map(|s| custodian_app::notifications::mail::Mailer::new(s).map(std::sync::Arc::new))
            .transpose()
            .map_err(ConfigError)
    }

    /// The `[server]` and `[session]` settings the web server runs with.
    pub fn server_settings(&self) -> ServerSettings {
        ServerSettings {
            public_url: Some(self.server.public_url.clone()).filter(|u| !u.is_empty()),
            session_idle_seconds: self.session.idle_timeout_minutes * 60,
            session_lifetime_seconds: self.session.lifetime_hours * 3600,
            max_body_bytes: self.server.max_body_bytes,
        }
    }
}

/// The web server's settings, from the `[server]` and `[session]` sections.
#[derive(Clone, Debug)]
pub struct ServerSettings {
    /// The address people use to reach Custodian; `https://` makes cookies Secure.
    pub public_url: Option<String>,
    /// Signed-in sessions end after this long without a request (the policy's screen lock).
    pub session_idle_seconds: u64,
    /// Sessions end this long after sign-in, however active.
    pub session_lifetime_seconds: u64,
    /// The largest request body accepted, in bytes.
    pub max_body_bytes: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(text: &str) -> tempfile::NamedTempFile {
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), text).unwrap();
        f
    }

    #[test]
    fn the_printed_default_is_the_default() {
        let f = write(&format!("{DEFAULT_TOML}{}", crate::mail::DEFAULT_TOML));
        assert_eq!(
            Config::load(Some(f.path()), &[]).unwrap(),
            Config::default()
        );
    }

    #[test]
    fn a_mistyped_key_is_named() {
        let f = write("[server]\nbnd = \"127.0.0.1:1\"\n");
        let e = Config::load(Some(f.path()), &[]).unwrap_err().0;
        assert!(e.contains("unknown field `bnd`"), "{e}");
        let f = write("databse_url = \"x\"\n");
        assert!(
            Config::load(Some(f.path()), &[])
                .unwrap_err()
                .0
                .contains("databse_url")
        );
    }

    #[test]
    fn environment_wins_and_unknown_variables_are_named() {
        let env = vec![(
            "CUSTODIAN_SERVER_BIND".to_string(),
            "127.0.0.1:9999".to_string(),
        )];
        assert_eq!(
            Config::load(None, &env).unwrap().server.bind,
            "127.0.0.1:9999"
        );
        let env = vec![("CUSTODIAN_DATABSE_URL".to_string(), "x".to_string())];
        assert!(
            Config::load(None, &env)
                .unwrap_err()
                .0
                .contains("CUSTODIAN_DATABSE_URL")
        );
        let env = vec![(
            "CUSTODIAN_SESSION_LIFETIME_HOURS".to_string(),
            "twelve".to_string(),
        )];
        assert!(
            Config::load(None, &env)
                .unwrap_err()
                .0
                .contains("not a whole number")
        );
        let env = vec![("CUSTODIAN_TEST_DATABASE_URL".to_string(), "x".to_string())];
        assert!(Config::load(None, &env).is_ok());
    }

    #[test]
    fn bad_values_are_named() {
        for (text, says) in [
            ("[server]\nbind = \"localhost\"\n", "server.bind"),
            (
                "[session]\nidle_timeout_minutes = 0\n",
                "idle_timeout_minutes",
            ),
            ("[log]\nformat = \"xml\"\n", "log.format"),
            ("database_url = \"mysql://u:secret@h/db\"\n", "database_url"),
            ("[server]\nmax_body_bytes = \"big\"\n", "max_body_bytes"),
            ("[audit]\nretention_years = 500\n", "audit.retention_years"),
            (
                "[evidence]\nmax_file_megabytes = 0\n",
                "evidence.max_file_megabytes",
            ),
        ] {
            let f = write(text);
            let e = Config::load(Some(f.path()), &[]).unwrap_err().0;
            assert!(e.contains(says), "{text}: {e}");
            assert!(!e.contains("secret"), "password leaked: {e}");
        }
    }

    #[test]
    fn the_database_url_can_come_from_a_file() {
        let secret = write("postgres://app:pw@db/custodian\n");
        let env = vec![(
            "CUSTODIAN_DATABASE_URL_FILE".to_string(),
            secret.path().display().to_string(),
        )];
        assert_eq!(
            Config::load(None, &env).unwrap().database(),
            "postgres://app:pw@db/custodian"
        );
        assert_eq!(
            Config::default().database(),
            "sqlite:./custodian-data/custodian.db"
        );
    }
}
