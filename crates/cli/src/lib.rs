//! The `custodian` command line: the server, the demo, migrations, configuration checks and
//! administration. Commands call the application layer (`custodian_app`); the web server is
//! plugged in by the binary as a [`Server`], so this crate knows nothing of HTTP.

mod config;
mod demo;

use std::path::PathBuf;
use std::process::ExitCode;

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
        /// Create the demo data and exit without serving.
        #[arg(long)]
        no_serve: bool,
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
    /// New starters and movers: approve a request a line manager made.
    #[command(subcommand)]
    Starter(StarterCommand),
    /// Password resets by phone: check a caller's security answers and issue a one-time password.
    #[command(subcommand)]
    Identity(IdentityCommand),
    /// Leavers: record an exit date (access ends at the end of that day).
    #[command(subcommand)]
    Leaver(LeaverCommand),
    /// The tamper-evident audit trail: verify it, sign a checkpoint, print the public key,
    /// export a practice's events.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// The information asset register.
    #[command(subcommand)]
    Assets(AssetsCommand),
    /// The information risk register.
    #[command(subcommand)]
    Risks(RisksCommand),
}

#[derive(Subcommand)]
enum RisksCommand {
    /// Import a spreadsheet risk register (CSV, UTF-8, the columns of the risk register's CSV
    /// download). Every row is checked first; each problem is printed as `row N, column:
    /// problem`. Nothing is written unless every row is valid, or --valid-rows-only is given.
    Import {
        #[command(flatten)]
        who: ActingAs,
        /// The CSV file.
        #[arg(long, value_name = "FILE")]
        file: PathBuf,
        /// Write the valid rows and leave out (and list) the others.
        #[arg(long)]
        valid_rows_only: bool,
        /// Check the file and list its problems, writing nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand)]
enum AssetsCommand {
    /// Import a spreadsheet asset register (CSV, UTF-8, the columns of the register's CSV
    /// download).
    /// Every row is checked first; each problem is printed as `row N, column: problem`. Nothing
    /// is written unless every row is valid, or --valid-rows-only is given.
    Import {
        #[command(flatten)]
        who: ActingAs,
        /// The CSV file.
        #[arg(long, value_name = "FILE")]
        file: PathBuf,
        /// Write the valid rows and leave out (and list) the others.
        #[arg(long)]
        valid_rows_only: bool,
        /// Check the file and list its problems, writing nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute every leaf and the whole tree from the store and check every signed checkpoint.
    /// With --export, check an export file offline instead (no database needed).
    /// Exit 0 and a one-line summary when intact; exit 1 naming the first fault otherwise.
    Verify {
        /// An export file to check offline.
        #[arg(long, value_name = "FILE")]
        export: Option<PathBuf>,
        /// The log's public key (as printed by `custodian audit public-key`); needed with --export.
        #[arg(long, value_name = "KEY")]
        public_key: Option<String>,
    },
    /// Print the public key that verifies checkpoints and exports.
    PublicKey,
    /// Add every new event to the log and sign a checkpoint now.
    Checkpoint,
    /// Write one practice's events in a period, with their proofs, to a file an auditor can
    /// check offline.
    Export {
        /// The practice's ODS code.
        #[arg(long, value_name = "ODS_CODE")]
        practice: String,
        /// First day, YYYY-MM-DD (default: the beginning).
        #[arg(long)]
        from: Option<String>,
        /// Last day, YYYY-MM-DD (default: today).
        #[arg(long)]
        to: Option<String>,
        /// Where to write the export.
        #[arg(long, value_name = "FILE")]
        output: PathBuf,
    },
}

/// Who is acting, for the authoriser commands: a provider administrator's username, recorded in
/// the audit trail as the actor.
#[derive(clap::Args)]
struct ActingAs {
    /// Your username (a provider administrator).
    #[arg(long = "as", value_name = "USERNAME")]
    acting_as: String,
    /// The practice's ODS code.
    #[arg(long, value_name = "ODS_CODE")]
    practice: String,
}

#[derive(Subcommand)]
enum StarterCommand {
    /// Approve a pending starter or mover request and print the starter's one-time password.
    Approve {
        #[command(flatten)]
        who: ActingAs,
        /// The request's reference, e.g. STR-2026-0001.
        #[arg(long)]
        reference: String,
        /// A note recorded with the decision.
        #[arg(long, default_value = "")]
        reason: String,
    },
}

#[derive(Subcommand)]
enum IdentityCommand {
    /// Ask the caller's security questions (answers are read from standard input, one per line)
    /// and, if every answer matches, print a new one-time password and sign them out everywhere.
    Verify {
        #[command(flatten)]
        who: ActingAs,
        /// The caller's username.
        #[arg(long)]
        username: String,
    },
}

#[derive(Subcommand)]
enum LeaverCommand {
    /// Record a leaver. A past exit date takes effect at once.
    Record {
        #[command(flatten)]
        who: ActingAs,
        /// The leaver's username.
        #[arg(long)]
        username: String,
        /// The last working day, YYYY-MM-DD.
        #[arg(long)]
        exit_date: String,
        /// Why they are leaving.
        #[arg(long)]
        reason: String,
    },
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
            print!("{}", config::DEFAULT_TOML);
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
            config.data_dir = data_dir.clone();
            config.database_url.clear();
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

async fn open_store(config: &Config) -> Result<SharedStore, Failure> {
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
    // The asset and risk registers import alike; this says which one.
    let importing_risks = matches!(command, Command::Risks(_));
    match command {
        Command::Serve => {
            let store = open_store(&config).await?;
            serve(store, &config, None, server).await
        }
        Command::Demo { no_serve, .. } => {
            let store = open_store(&config).await?;
            let accounts = demo::seed(&store)
                .await
                .map_err(|e| Failure::Failed(format!("cannot create the demo data: {e}")))?;
            if no_serve {
                println!("demo data ready in {}", config.data_dir.display());
                return Ok(());
            }
            serve(store, &config, Some(accounts), server).await
        }
        Command::Migrate => {
            let store = open_store(&config).await?;
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
        Command::Config(ConfigCommand::Check) => {
            let store = open_store(&config).await?;
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
        Command::Config(ConfigCommand::Default) => {
            unreachable!("handled before loading the configuration")
        }
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
            let valid = NewPractice { name, ods_code }
                .validate()
                .map_err(|e| Failure::Failed(e.to_string()))?;
            let p = store
                .create_practice(&valid, &AuditMeta::cli())
                .await
                .map_err(|e| Failure::Failed(e.to_string()))?;
            println!("added {} ({}) with id {}", p.name, p.ods_code, p.id);
            Ok(())
        }
        Command::Practice(PracticeCommand::List) => {
            let store = open_store(&config).await?;
            let mut page = PageRequest::first(200);
            let mut any = false;
            loop {
                let list = store
                    .practices(&page)
                    .await
                    .map_err(|e| Failure::Failed(e.to_string()))?;
                for p in &list.items {
                    any = true;
                    println!("{}\t{}\t{}", p.ods_code, p.id, p.name);
                }
                match list.next_cursor {
                    Some(c) => {
                        page = PageRequest::parse(Some(&c), Some(200))
                            .map_err(|e| Failure::Failed(e.to_string()))?
                    }
                    None => break,
                }
            }
            if !any {
                eprintln!(
                    "no practices yet: add one with `custodian practice create --name NAME --ods-code CODE`"
                );
            }
            Ok(())
        }
        Command::Starter(StarterCommand::Approve {
            who,
            reference,
            reason,
        }) => {
            let store = open_store(&config).await?;
            let cli = cli_actor(store.clone(), &who).await?;
            let requests = store
                .access_requests(cli.practice.id, false)
                .await
                .map_err(|e| Failure::Failed(e.to_string()))?;
            let request = requests
                .iter()
                .find(|r| r.reference.eq_ignore_ascii_case(reference.trim()))
                .ok_or_else(|| {
                    Failure::Failed(format!("{} has no request {reference}", cli.practice.name))
                })?;
            let (done, otp) = custodian_app::identity::approve_request(
                &cli.app,
                &cli.actor(),
                request.id,
                &reason,
            )
            .await
            .map_err(app_failure)?;
            println!(
                "approved {} for {} ({})",
                done.reference, done.full_name, done.username
            );
            if let Some(otp) = otp {
                println!("one-time password: {otp}");
                println!(
                    "Read it to them in person or by phone. They can sign in from {}.",
                    done.start_date
                );
            }
            Ok(())
        }
        Command::Identity(IdentityCommand::Verify { who, username }) => {
            use std::io::BufRead;
            let store = open_store(&config).await?;
            let cli = cli_actor(store.clone(), &who).await?;
            let creds = store
                .credentials(&username)
                .await
                .map_err(|e| Failure::Failed(e.to_string()))?
                .ok_or_else(|| {
                    Failure::Failed(format!("no account has the username {username}"))
                })?;
            let questions = store
                .security_answers(creds.person_id)
                .await
                .map_err(|e| Failure::Failed(e.to_string()))?;
            if questions.is_empty() {
                return Err(Failure::Failed(format!(
                    "{username} has not set security questions yet"
                )));
            }
            let mut answers = Vec::new();
            let stdin = std::io::stdin();
            let mut lines = stdin.lock().lines();
            for (q, _) in &questions {
                eprint!("{q} ");
                let line = lines.next().and_then(|l| l.ok()).unwrap_or_default();
                answers.push(line);
            }
            match custodian_app::identity::verify_identity(
                &cli.app,
                &cli.actor(),
                creds.person_id,
                &answers,
            )
            .await
            .map_err(app_failure)?
            {
                custodian_app::identity::IdentityCheck::Passed {
                    one_time_password,
                    expires,
                } => {
                    println!("identity confirmed; {username} is signed out everywhere");
                    println!("one-time password: {one_time_password}");
                    println!(
                        "It works once, until {}.",
                        custodian_domain::time::show_datetime(expires)
                    );
                    Ok(())
                }
                custodian_app::identity::IdentityCheck::Failed { remaining } => {
                    Err(Failure::Failed(format!(
                        "the answers do not match: do not issue a password ({remaining} attempts left)"
                    )))
                }
                custodian_app::identity::IdentityCheck::Locked => Err(Failure::Failed(format!(
                    "identity checks for {username} are locked after repeated failures; a practice manager must clear the lock"
                ))),
                custodian_app::identity::IdentityCheck::NoQuestions => Err(Failure::Failed(
                    format!("{username} has no security questions"),
                )),
            }
        }
        Command::Assets(AssetsCommand::Import {
            who,
            file,
            valid_rows_only,
            dry_run,
        })
        | Command::Risks(RisksCommand::Import {
            who,
            file,
            valid_rows_only,
            dry_run,
        }) => {
            let risks = importing_risks;
            use custodian_app::imports::{ImportMode, Register, check_file, write};
            let bytes = std::fs::read(&file)
                .map_err(|e| Failure::Failed(format!("cannot read {}: {e}", file.display())))?;
            let store = open_store(&config).await?;
            let cli = cli_actor(store.clone(), &who).await?;
            let register = if risks {
                Register::Risks
            } else {
                Register::Assets
            };
            let importer = cli.meta.actor_id.expect("a signed-in actor");
            let plan = check_file(&cli.app, register, cli.practice.id, importer, &bytes)
                .await
                .map_err(app_failure)?;
            for e in plan.errors() {
                let column = if e.column.is_empty() {
                    "(whole row)"
                } else {
                    e.column.as_str()
                };
                eprintln!("row {}, {column}: {}", e.row, e.message);
            }
            let summary = format!(
                "{}: {} rows, {} valid, {} with problems",
                file.display(),
                plan.rows(),
                plan.valid(),
                plan.invalid_rows()
            );
            if dry_run {
                println!("{summary}; nothing written (dry run)");
                return Ok(());
            }
            let mode = if valid_rows_only {
                ImportMode::ValidRows
            } else {
                ImportMode::All
            };
            let n = write(&cli.app, cli.practice.id, &cli.meta, None, &plan, mode)
                .await
                .map_err(app_failure)?;
            println!(
                "{summary}; {n} {}{} added to {}'s register",
                if risks { "risk" } else { "asset" },
                if n == 1 { "" } else { "s" },
                cli.practice.name
            );
            Ok(())
        }
        Command::Leaver(LeaverCommand::Record {
            who,
            username,
            exit_date,
            reason,
        }) => {
            let store = open_store(&config).await?;
            let cli = cli_actor(store.clone(), &who).await?;
            let creds = store
                .credentials(&username)
                .await
                .map_err(|e| Failure::Failed(e.to_string()))?
                .ok_or_else(|| {
                    Failure::Failed(format!("no account has the username {username}"))
                })?;
            let l = custodian_app::identity::record_leaver(
                &cli.app,
                &cli.actor(),
                creds.person_id,
                &custodian_domain::identity::NewLeaver { exit_date, reason },
            )
            .await
            .map_err(|e| match e {
                custodian_app::AppError::NotFound => Failure::Failed(format!(
                    "{username} is not on {}'s staff",
                    cli.practice.name
                )),
                other => app_failure(other),
            })?;
            match l.status.as_str() {
                "done" => println!(
                    "{} has left {}: access removed now (the exit date has passed)",
                    l.person_name, cli.practice.name
                ),
                _ => println!(
                    "{} leaves {} on {}: access ends at the end of that day",
                    l.person_name, cli.practice.name, l.exit_date
                ),
            }
            Ok(())
        }
        Command::Audit(command) => {
            let store = open_store(&config).await?;
            let app = app_for(store.clone(), &config)?;
            let audit = &app.audit;
            match command {
                AuditCommand::PublicKey => {
                    println!("{}", audit.public_key());
                    Ok(())
                }
                AuditCommand::Checkpoint => {
                    let c = audit
                        .checkpoint(&store)
                        .await
                        .map_err(|e| Failure::Failed(e.to_string()))?;
                    match c {
                        Some(c) => print!("{}", c.note),
                        None => println!("the log is empty: nothing to sign"),
                    }
                    Ok(())
                }
                AuditCommand::Verify { .. } => {
                    let report = custodian_app::audit::verify_and_record(&app)
                        .await
                        .map_err(app_failure)?;
                    if report.ok {
                        println!("{}", report.summary());
                        Ok(())
                    } else {
                        Err(Failure::Failed(report.summary()))
                    }
                }
                AuditCommand::Export {
                    practice,
                    from,
                    to,
                    output,
                } => {
                    let p = store
                        .practice_by_ods(&practice)
                        .await
                        .map_err(|e| Failure::Failed(e.to_string()))?
                        .ok_or_else(|| {
                            Failure::Failed(format!("no practice has the ODS code {practice}"))
                        })?;
                    let date = |s: &Option<String>, name: &str, end: bool| -> Result<Option<chrono::DateTime<chrono::Utc>>, Failure> {
                        match s {
                            None => Ok(None),
                            Some(s) => {
                                let d = custodian_domain::identity::parse_date(s).ok_or_else(|| Failure::Usage(format!("--{name}: '{s}' is not a date like 2026-11-01")))?;
                                Ok(Some(custodian_domain::identity::start_of_day(if end { d + chrono::Duration::days(1) } else { d })))
                            }
                        }
                    };
                    let from = date(&from, "from", false)?.unwrap_or_else(|| {
                        custodian_domain::identity::start_of_day(
                            chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap(),
                        )
                    });
                    let to = date(&to, "to", true)?
                        .unwrap_or_else(|| chrono::Utc::now() + chrono::Duration::days(1));
                    let export = audit
                        .export(&store, p.id, from, to)
                        .await
                        .map_err(app_failure)?;
                    let meta = AuditMeta {
                        user_agent: Some("custodian-cli".into()),
                        ..AuditMeta::cli()
                    };
                    let event = meta.event(Some(p.id), "audit.export", "audit_event", None).details(serde_json::json!({ "records": export.count, "file": output.display().to_string() }));
                    store
                        .append_event(&event)
                        .await
                        .map_err(|e| Failure::Failed(e.to_string()))?;
                    let text = serde_json::to_string_pretty(&export)
                        .map_err(|e| Failure::Failed(e.to_string()))?;
                    std::fs::write(&output, text).map_err(|e| {
                        Failure::Failed(format!("cannot write {}: {e}", output.display()))
                    })?;
                    println!(
                        "exported {} events of {} to {}",
                        export.count,
                        p.name,
                        output.display()
                    );
                    println!(
                        "check it with: custodian audit verify --export {} --public-key {}",
                        output.display(),
                        audit.public_key()
                    );
                    Ok(())
                }
            }
        }
        Command::Admin(AdminCommand::Create {
            username,
            name,
            email,
        }) => {
            let store = open_store(&config).await?;
            let person = NewPerson {
                username,
                email,
                full_name: name,
            }
            .validate()
            .map_err(|e| Failure::Failed(e.to_string()))?;
            let otp = custodian_app::secrets::one_time_password();
            let hash = custodian_app::Passwords::new(1)
                .hash(&otp)
                .await
                .map_err(|e| Failure::Failed(e.to_string()))?;
            let account = NewAccount {
                person,
                password_hash: Some(hash),
                must_change_password: true,
                one_time_password_expires_at: Some(
                    chrono::Utc::now() + chrono::Duration::hours(72),
                ),
                provider_roles: vec![ProviderRole::ProviderAdministrator],
            };
            let p = store
                .create_person(&account, &AuditMeta::cli())
                .await
                .map_err(|e| Failure::Failed(e.to_string()))?;
            println!(
                "created provider administrator {} ({})",
                p.full_name, p.username
            );
            println!("one-time password: {otp}");
            println!(
                "It works once, within 72 hours. Give it to them in person or by phone: they choose their own password,"
            );
            println!("security questions and two-factor authentication when they first sign in.");
            Ok(())
        }
    }
}

/// The signed-in identity of a CLI authoriser: a provider administrator, acting in a practice.
struct CliActor {
    app: custodian_app::App,
    practice: custodian_domain::Practice,
    roles: Vec<custodian_domain::PracticeRole>,
    access: custodian_domain::Access,
    meta: AuditMeta,
}

async fn cli_actor(store: SharedStore, who: &ActingAs) -> Result<CliActor, Failure> {
    let failed = |m: String| Failure::Failed(m);
    let practice = store
        .practice_by_ods(&who.practice)
        .await
        .map_err(|e| failed(e.to_string()))?
        .ok_or_else(|| failed(format!("no practice has the ODS code {}", who.practice)))?;
    let creds = store
        .credentials(&who.acting_as)
        .await
        .map_err(|e| failed(e.to_string()))?
        .filter(|c| c.status == custodian_domain::AccountStatus::Active)
        .ok_or_else(|| {
            failed(format!(
                "--as {}: no active account has this username",
                who.acting_as
            ))
        })?;
    let (roles, provider) = store
        .roles(Some(practice.id), creds.person_id)
        .await
        .map_err(|e| failed(e.to_string()))?;
    if !provider.contains(&ProviderRole::ProviderAdministrator) {
        return Err(failed(format!(
            "--as {}: only a provider administrator can use these commands",
            who.acting_as
        )));
    }
    let access = custodian_domain::Access::new(creds.person_id, &roles, &provider);
    let meta = AuditMeta {
        actor_id: Some(creds.person_id),
        actor: creds.username.clone(),
        ip: None,
        user_agent: Some("custodian-cli".into()),
        request_id: None,
    };
    Ok(CliActor {
        app: custodian_app::App::new(store),
        practice,
        roles,
        access,
        meta,
    })
}

impl CliActor {
    fn actor(&self) -> custodian_app::Actor<'_> {
        custodian_app::Actor {
            practice: &self.practice,
            roles: &self.roles,
            access: &self.access,
            meta: &self.meta,
        }
    }
}

fn app_failure(e: custodian_app::AppError) -> Failure {
    match e {
        custodian_app::AppError::Invalid(i) => Failure::Failed(i.to_string()),
        other => Failure::Failed(other.to_string()),
    }
}

/// The application over `store` with the deployment's settings: its audit signing key and
/// retention.
fn app_for(store: SharedStore, config: &Config) -> Result<custodian_app::App, Failure> {
    let mut app =
        custodian_app::App::new(store).with_audit(&config.audit.origin, config.signing_key()?);
    app.audit_retention_years = config.audit.retention_years;
    Ok(app)
}

async fn bind(what: &str, addr: &str) -> Result<tokio::net::TcpListener, Failure> {
    tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| Failure::Usage(format!("{what}: cannot listen on {addr}: {e}")))
}

async fn serve(
    store: SharedStore,
    config: &Config,
    demo: Option<Vec<demo::DemoAccount>>,
    server: &dyn Server,
) -> Result<(), Failure> {
    let listener = bind("server.bind", &config.server.bind).await?;
    let metrics_listener = match config.server.metrics_bind.as_str() {
        "" => None,
        addr => Some(bind("server.metrics_bind", addr).await?),
    };
    let app = app_for(store, config)?;
    // The scheduler: every capability's time-driven work (leavers' exit dates, quarterly
    // reports, audit checkpoints, retention and the daily verification).
    tokio::spawn(custodian_app::scheduler::run(
        app.clone(),
        custodian_app::jobs(),
        std::time::Duration::from_secs(60),
        std::time::Duration::from_secs(config.audit.verify_every_hours * 3600),
    ));
    let settings = config.server_settings();
    let addr = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_else(|_| config.server.bind.clone());
    let url = settings
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{addr}"));
    tracing::info!(%url, database = %custodian_store::redact_url(&config.database()), "custodian is serving");
    if let Some(accounts) = demo {
        demo::print_welcome(&url, &config.data_dir, &accounts);
    }
    server
        .serve(ServeRequest {
            app,
            settings,
            listener,
            metrics_listener,
            shutdown: Box::pin(async {
                shutdown_signal().await;
                tracing::info!("shutting down: finishing requests in flight");
            }),
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
    let rest = url
        .strip_prefix("http://")
        .ok_or("only http:// URLs can be checked (check the TLS terminator separately)")?;
    let host = rest.split('/').next().unwrap_or(rest);
    let connect = tokio::net::TcpStream::connect(host);
    let mut stream = tokio::time::timeout(std::time::Duration::from_secs(5), connect)
        .await
        .map_err(|_| "timed out connecting".to_string())?
        .map_err(|e| e.to_string())?;
    let req = format!("GET /healthz HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    stream
        .write_all(req.as_bytes())
        .await
        .map_err(|e| e.to_string())?;
    let mut buf = Vec::new();
    tokio::time::timeout(
        std::time::Duration::from_secs(5),
        stream.read_to_end(&mut buf),
    )
    .await
    .map_err(|_| "timed out waiting for an answer".to_string())?
    .map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&buf);
    let status = text.lines().next().unwrap_or("");
    if status.starts_with("HTTP/1.1 200") {
        Ok(())
    } else {
        Err(format!("answered '{status}'"))
    }
}
