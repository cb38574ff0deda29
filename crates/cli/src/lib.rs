//! The `custodian` command line: the server, the demo, migrations, configuration checks and
//! administration. Commands call the application layer (`custodian_app`); the web server is
//! plugged in by the binary as a [`Server`], so this crate knows nothing of HTTP.

mod access;
mod args;
mod audit;
mod config;
mod demo;
mod imports;
mod mail;
mod practices;
mod server;
mod setup;

use std::process::ExitCode;

use clap::Parser;
use custodian_store::{SharedStore, StoreError};

use config::{Config, ConfigError};

use args::*;

/// How a command failed: bad usage, configuration or an unreachable database (exit 2), or the
/// work itself failed (exit 1).
pub(crate) enum Failure {
    Usage(String),
    Failed(String),
}

impl From<ConfigError> for Failure {
    fn from(e: ConfigError) -> Self {
        Failure::Usage(e.0)
    }
}

/// The web server that `serve` and `demo` start, given the application, its settings, the bound
/// listeners and a future that completes when it is time to stop.
pub trait Server: Send + Sync {
    fn serve(&self, request: ServeRequest) -> BoxFuture<std::io::Result<()>>;
}

/// A boxed future, as [`Server::serve`] returns.
pub type BoxFuture<T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send>>;

/// Everything the server needs to run.
pub struct ServeRequest {
    pub app: custodian_app::App,
    pub settings: config::ServerSettings,
    pub listener: tokio::net::TcpListener,
    /// Where Prometheus metrics are served, if anywhere.
    pub metrics_listener: Option<tokio::net::TcpListener>,
    pub shutdown: BoxFuture<()>,
}

pub use config::ServerSettings;

/// Parses the command line and runs the command; `server` serves `serve` and `demo`.
pub fn main(server: &dyn Server) -> ExitCode {
    let cli = Cli::parse();
    let env: Vec<(String, String)> = std::env::vars().collect();
    let result = (|| {
        if let Command::Config(ConfigCommand::Default) = cli.command {
            print!("{}{}", config::DEFAULT_TOML, mail::DEFAULT_TOML);
            return Ok(());
        }
        if let Command::Audit(AuditCommand::Verify {
            export: Some(file),
            public_key,
        }) = &cli.command
        {
            // Offline: no configuration or database needed.
            let key = public_key.as_deref().ok_or_else(|| {
                Failure::Usage(
                    "--export needs --public-key (see `custodian audit public-key`)".into(),
                )
            })?;
            let text = std::fs::read_to_string(file)
                .map_err(|e| Failure::Failed(format!("cannot read {}: {e}", file.display())))?;
            return match custodian_audit::verify_export(&text, key) {
                Ok(v) => {
                    println!(
                        "export intact: {} {}, each proven against the signed checkpoint of size {}",
                        v.events,
                        if v.events == 1 { "event" } else { "events" },
                        v.tree_size
                    );
                    Ok(())
                }
                Err(e) => Err(Failure::Failed(format!("export FAILED verification: {e}"))),
            };
        }
        let mut config = Config::load(cli.config.as_deref(), &env)?;
        if let Command::Demo { data_dir, bind, .. } = &cli.command {
            // The demo keeps its files (and its SQLite database, unless `database_url` names
            // another database, such as PostgreSQL) in its own folder.
            config.data_dir = data_dir.clone();
            if let Some(b) = bind {
                config.server.bind = b.clone();
            }
        }
        init_logging(&config);
        let runtime = tokio::runtime::Runtime::new()
            .map_err(|e| Failure::Failed(format!("cannot start: {e}")))?;
        runtime.block_on(run(cli.command, config, server))
    })();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(msg)) => {
            eprintln!("custodian: {msg}");
            ExitCode::from(2)
        }
        Err(Failure::Failed(msg)) => {
            eprintln!("custodian: {msg}");
            ExitCode::from(1)
        }
    }
}

fn init_logging(config: &Config) {
    let filter =
        tracing_subscriber::EnvFilter::try_new(&config.log.level).unwrap_or_else(|_| "info".into());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if config.log.format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

pub(crate) async fn open_store(config: &Config) -> Result<SharedStore, Failure> {
    let url = config.database();
    if config.database_url.is_empty() {
        std::fs::create_dir_all(&config.data_dir).map_err(|e| {
            Failure::Usage(format!(
                "data_dir: cannot create {}: {e}",
                config.data_dir.display()
            ))
        })?;
    }
    custodian_store::open(&url).await.map_err(|e| match e {
        StoreError::Open { url, source } => {
            Failure::Usage(format!("cannot open the database {url}: {source}"))
        }
        other => Failure::Usage(format!(
            "database {}: {other}",
            custodian_store::redact_url(&url)
        )),
    })
}

async fn run(command: Command, config: Config, server: &dyn Server) -> Result<(), Failure> {
    let config = &config;
    match command {
        Command::Serve => server::serve_command(config, server).await,
        Command::Demo { no_serve, .. } => server::demo_command(config, no_serve, server).await,
        Command::Migrate => setup::migrate(config).await,
        Command::Config(ConfigCommand::Check) => setup::check(config).await,
        Command::Config(ConfigCommand::Default) => {
            unreachable!("handled before loading the configuration")
        }
        Command::Healthcheck { url } => server::healthcheck_command(config, url).await,
        Command::Practice(PracticeCommand::Create(args)) => {
            let acting_as = args.acting_as.clone();
            practices::create(config, &acting_as, &args.into()).await
        }
        Command::Practice(PracticeCommand::Import(args)) => practices::import(config, args).await,
        Command::Practice(PracticeCommand::List) => practices::list(config).await,
        Command::Admin(AdminCommand::Create {
            username,
            name,
            email,
        }) => practices::create_admin(config, username, name, email).await,
        Command::Starter(StarterCommand::Approve {
            who,
            reference,
            reason,
        }) => access::approve_starter(config, who, reference, reason).await,
        Command::Identity(IdentityCommand::Verify { who, username }) => {
            access::verify_identity(config, who, username).await
        }
        Command::Leaver(LeaverCommand::Record {
            who,
            username,
            exit_date,
            reason,
        }) => access::record_leaver(config, who, username, exit_date, reason).await,
        Command::Assets(AssetsCommand::Import(args)) => imports::import(config, false, args).await,
        Command::Risks(RisksCommand::Import(args)) => imports::import(config, true, args).await,
        Command::Audit(command) => audit::run(config, command).await,
        Command::Mail(MailCommand::Test { to }) => setup::mail_test(config, &to).await,
    }
}

/// The application over `store` with the deployment's settings: its audit signing key and
/// retention.
pub(crate) fn app_for(store: SharedStore, config: &Config) -> Result<custodian_app::App, Failure> {
    let mut app =
        custodian_app::App::new(store).with_audit(&config.audit.origin, config.signing_key()?);
    app.audit_retention_years = config.audit.retention_years;
    app.evidence = config.evidence.limits();
    app.mailer = config.mailer()?;
    Ok(app)
}

pub(crate) fn app_failure(e: custodian_app::AppError) -> Failure {
    match e {
        custodian_app::AppError::Invalid(i) => Failure::Failed(i.to_string()),
        other => Failure::Failed(other.to_string()),
    }
}
