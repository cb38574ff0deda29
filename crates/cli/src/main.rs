//! `custodian`: the information governance and security system of a group of GP practices.
//! One binary: the server, the demo, migrations, configuration checks and administration.

mod config;
mod demo;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use custodian_domain::{NewPerson, NewPractice, PageRequest, ProviderRole};
use custodian_store::{AuditMeta, NewAccount, SharedStore, StoreError};

use config::{Config, ConfigError};

#[derive(Parser)]
#[command(
    name = "custodian",
    version,
    about = "Information governance and security for GP practices and their IG provider",
    long_about = "Custodian runs a GP practice's information security policy: staff identity and access, a \
                  tamper-evident audit trail, and the registers the NHS Data Security and Protection Toolkit \
                  asks for, for one practice or a provider serving many.\n\n\
                  Start with `custodian demo`. Configuration comes from a TOML file (--config, or \
                  ./custodian.toml if present) and CUSTODIAN_* environment variables; see \
                  `custodian config default`.\n\n\
                  Exit status: 0 success, 1 failure, 2 bad usage, bad configuration or unreachable database."
)]
struct Cli {
    /// The configuration file (default: ./custodian.toml if it exists).
    #[arg(long, global = true, env = "CUSTODIAN_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server: the web UI and API on server.bind, metrics on server.metrics_bind.
    /// Applies pending migrations first. Stops gracefully on Ctrl-C or SIGTERM.
    Serve,
    /// Create (or reuse) a demo with a provider, three fictional practices and staff in every
    /// role, print how to sign in, then serve it. Uses its own data directory.
    Demo {
        /// Where the demo's SQLite database lives.
        #[arg(long, default_value = "./custodian-demo", value_name = "DIR")]
        data_dir: PathBuf,
        /// The address to serve on (default: server.bind).
        #[arg(long, value_name = "ADDR")]
        bind: Option<String>,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Check or print the configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Exit 0 if the server at server.bind (or --url) answers /healthz, 1 otherwise.
    Healthcheck {
        /// The server's base URL, e.g. http://127.0.0.1:8080 (default: from server.bind).
        #[arg(long, value_name = "URL")]
        url: Option<String>,
    },
    /// Add and list the practices the provider serves.
    #[command(subcommand)]
    Practice(PracticeCommand),
    /// Provider administrators.
    #[command(subcommand)]
    Admin(AdminCommand),
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Validate the configuration (file and environment) and the database URL, without starting.
    Check,
    /// Print a commented default configuration file.
    Default,
}

#[derive(Subcommand)]
enum PracticeCommand {
    /// Add a practice.
    Create {
        /// The practice's name, e.g. "Riverside Medical Centre".
        #[arg(long)]
        name: String,
        /// Its ODS code: a letter followed by 5 digits, e.g. A81001.
        #[arg(long)]
        ods_code: String,
    },
    /// List every practice, by name.
    List,
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create a provider administrator and print a one-time password to give them. They must
    /// choose their own password when they first sign in.
    Create {
        /// Their username (3 to 64 letters, digits, dots, hyphens, underscores).
        #[arg(long)]
        username: String,
        /// Their full name.
        #[arg(long)]
        name: String,
        /// Their email address.
        #[arg(long)]
        email: Option<String>,
    },
}

/// How a command failed: bad usage, configuration or an unreachable database (exit 2), or the
/// work itself failed (exit 1).
enum Failure {
    Usage(String),
    Failed(String),
}

impl From<ConfigError> for Failure {
    fn from(e: ConfigError) -> Self {
        Failure::Usage(e.0)
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let env: Vec<(String, String)> = std::env::vars().collect();
    let result = (|| {
        if let Command::Config(ConfigCommand::Default) = cli.command {
            print!("{}", config::DEFAULT_TOML);
            return Ok(());
        }
        let mut config = Config::load(cli.config.as_deref(), &env)?;
        if let Command::Demo { data_dir, bind } = &cli.command {
            config.data_dir = data_dir.clone();
            config.database_url.clear();
            if let Some(b) = bind {
                config.server.bind = b.clone();
            }
        }
        init_logging(&config);
        let runtime = tokio::runtime::Runtime::new().map_err(|e| Failure::Failed(format!("cannot start: {e}")))?;
        runtime.block_on(run(cli.command, config))
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
    let filter = tracing_subscriber::EnvFilter::try_new(&config.log.level).unwrap_or_else(|_| "info".into());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if config.log.format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn open_store(config: &Config) -> Result<SharedStore, Failure> {
    let url = config.database();
    if config.database_url.is_empty() {
        std::fs::create_dir_all(&config.data_dir).map_err(|e| {
            Failure::Usage(format!("data_dir: cannot create {}: {e}", config.data_dir.display()))
        })?;
    }
    custodian_store::open(&url).await.map_err(|e| match e {
        StoreError::Open { url, source } => Failure::Usage(format!("cannot open the database {url}: {source}")),
        other => Failure::Usage(format!("database {}: {other}", custodian_store::redact_url(&url))),
    })
}

async fn run(command: Command, config: Config) -> Result<(), Failure> {
    match command {
        Command::Serve => {
            let store = open_store(&config).await?;
            serve(store, &config, None).await
        }
        Command::Demo { .. } => {
            let store = open_store(&config).await?;
            let accounts = demo::seed(&store).await.map_err(|e| Failure::Failed(format!("cannot create the demo data: {e}")))?;
            serve(store, &config, Some(accounts)).await
        }
        Command::Migrate => {
            let store = open_store(&config).await?;
            let applied = store.applied_migrations().await.map_err(|e| Failure::Failed(e.to_string()))?;
            println!(
                "database {} is at migration {} ({} applied)",
                custodian_store::redact_url(&config.database()),
                applied.last().copied().unwrap_or(0),
                applied.len()
            );
            Ok(())
        }
        Command::Config(ConfigCommand::Check) => {
            let store = open_store(&config).await?;
            store.ping().await.map_err(|e| Failure::Usage(format!("database: {e}")))?;
            println!(
                "configuration is valid; database {} is reachable; serving on {} (metrics: {})",
                custodian_store::redact_url(&config.database()),
                config.server.bind,
                if config.server.metrics_bind.is_empty() { "off" } else { &config.server.metrics_bind }
            );
            Ok(())
        }
        Command::Config(ConfigCommand::Default) => unreachable!("handled before loading the configuration"),
        Command::Healthcheck { url } => {
            let url = url.unwrap_or_else(|| format!("http://{}", config.server.bind));
            match healthcheck(&url).await {
                Ok(()) => {
                    println!("healthy: {url}");
                    Ok(())
                }
                Err(e) => Err(Failure::Failed(format!("unhealthy: {url}: {e}"))),
            }
        }
        Command::Practice(PracticeCommand::Create { name, ods_code }) => {
            let store = open_store(&config).await?;
            let valid = NewPractice { name, ods_code }.validate().map_err(|e| Failure::Failed(e.to_string()))?;
            let p = store.create_practice(&valid, &AuditMeta::cli()).await.map_err(|e| Failure::Failed(e.to_string()))?;
            println!("added {} ({}) with id {}", p.name, p.ods_code, p.id);
            Ok(())
        }
        Command::Practice(PracticeCommand::List) => {
            let store = open_store(&config).await?;
            let mut page = PageRequest::first(200);
            let mut any = false;
            loop {
                let list = store.practices(&page).await.map_err(|e| Failure::Failed(e.to_string()))?;
                for p in &list.items {
                    any = true;
                    println!("{}\t{}\t{}", p.ods_code, p.id, p.name);
                }
                match list.next_cursor {
                    Some(c) => page = PageRequest::parse(Some(&c), Some(200)).map_err(|e| Failure::Failed(e.to_string()))?,
                    None => break,
                }
            }
            if !any {
                eprintln!("no practices yet: add one with `custodian practice create --name NAME --ods-code CODE`");
            }
            Ok(())
        }
        Command::Admin(AdminCommand::Create { username, name, email }) => {
            let store = open_store(&config).await?;
            let person = NewPerson { username, email, full_name: name }.validate().map_err(|e| Failure::Failed(e.to_string()))?;
            let otp = custodian_web::auth::one_time_password();
            let hash = custodian_web::auth::Passwords::new(1).hash(&otp).await.map_err(|e| Failure::Failed(e.to_string()))?;
            let account = NewAccount {
                person,
                password_hash: Some(hash),
                must_change_password: true,
                provider_roles: vec![ProviderRole::ProviderAdministrator],
            };
            let p = store.create_person(&account, &AuditMeta::cli()).await.map_err(|e| Failure::Failed(e.to_string()))?;
            println!("created provider administrator {} ({})", p.full_name, p.username);
            println!("one-time password: {otp}");
            println!("Give it to them in person or by phone. They choose their own password when they first sign in.");
            Ok(())
        }
    }
}

async fn serve(store: SharedStore, config: &Config, demo: Option<Vec<demo::DemoAccount>>) -> Result<(), Failure> {
    let listener = tokio::net::TcpListener::bind(&config.server.bind)
        .await
        .map_err(|e| Failure::Usage(format!("server.bind: cannot listen on {}: {e}", config.server.bind)))?;
    let state = custodian_web::AppState::new(store, config.web());
    let shutdown = Arc::new(tokio::sync::Notify::new());
    if !config.server.metrics_bind.is_empty() {
        let m = tokio::net::TcpListener::bind(&config.server.metrics_bind)
            .await
            .map_err(|e| Failure::Usage(format!("server.metrics_bind: cannot listen on {}: {e}", config.server.metrics_bind)))?;
        let router = custodian_web::metrics::router(state.metrics.clone());
        let stop = shutdown.clone();
        tokio::spawn(async move {
            let _ = axum::serve(m, router).with_graceful_shutdown(async move { stop.notified().await }).await;
        });
    }
    let addr = listener.local_addr().map(|a| a.to_string()).unwrap_or_else(|_| config.server.bind.clone());
    let url = config.web().public_url.unwrap_or_else(|| format!("http://{addr}"));
    tracing::info!(%url, database = %custodian_store::redact_url(&config.database()), "custodian is serving");
    if let Some(accounts) = demo {
        demo::print_welcome(&url, &config.data_dir, &accounts);
    }
    let stop = shutdown.clone();
    custodian_web::serve(listener, state, async move {
        shutdown_signal().await;
        tracing::info!("shutting down: finishing requests in flight");
        stop.notify_waiters();
    })
    .await
    .map_err(|e| Failure::Failed(format!("server stopped: {e}")))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

/// GET /healthz over a plain TCP connection (no HTTP client needed for one request).
async fn healthcheck(url: &str) -> Result<(), String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rest = url.strip_prefix("http://").ok_or("only http:// URLs can be checked (check the TLS terminator separately)")?;
    let host = rest.split('/').next().unwrap_or(rest);
    let connect = tokio::net::TcpStream::connect(host);
    let mut stream = tokio::time::timeout(std::time::Duration::from_secs(5), connect)
        .await
        .map_err(|_| "timed out connecting".to_string())?
        .map_err(|e| e.to_string())?;
    let req = format!("GET /healthz HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    stream.write_all(req.as_bytes()).await.map_err(|e| e.to_string())?;
    let mut buf = Vec::new();
    tokio::time::timeout(std::time::Duration::from_secs(5), stream.read_to_end(&mut buf))
        .await
        .map_err(|_| "timed out waiting for an answer".to_string())?
        .map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&buf);
    let status = text.lines().next().unwrap_or("");
    if status.starts_with("HTTP/1.1 200") { Ok(()) } else { Err(format!("answered '{status}'")) }
}
