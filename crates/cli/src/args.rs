//! The command line, as clap reads it: every command, its flags and their help.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

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
pub(crate) struct Cli {
    /// The configuration file (default: ./custodian.toml if it exists).
    #[arg(long, global = true, env = "CUSTODIAN_CONFIG", value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Subcommand)]
pub(crate) enum Command {
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
    /// The mail server notifications go out through.
    #[command(subcommand)]
    Mail(MailCommand),
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
pub(crate) enum RisksCommand {
    /// Import a spreadsheet risk register (CSV, UTF-8, the columns of the risk register's CSV
    /// download). Every row is checked first; each problem is printed as `row N, column:
    /// problem`. Nothing is written unless every row is valid, or --valid-rows-only is given.
    Import(ImportArgs),
}

#[derive(Subcommand)]
pub(crate) enum AssetsCommand {
    /// Import a spreadsheet asset register (CSV, UTF-8, the columns of the register's CSV
    /// download).
    /// Every row is checked first; each problem is printed as `row N, column: problem`. Nothing
    /// is written unless every row is valid, or --valid-rows-only is given.
    Import(ImportArgs),
}

#[derive(Subcommand)]
pub(crate) enum AuditCommand {
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

/// A spreadsheet to import into a register.
#[derive(clap::Args)]
pub(crate) struct ImportArgs {
    #[command(flatten)]
    pub(crate) who: ActingAs,
    #[command(flatten)]
    pub(crate) file: ImportFile,
}

/// The file of an import and how to write it (a register's, or the provider's practices).
#[derive(clap::Args)]
pub(crate) struct ImportFile {
    /// The CSV file.
    #[arg(long, value_name = "FILE")]
    pub(crate) file: PathBuf,
    /// Write the valid rows and leave out (and list) the others.
    #[arg(long)]
    pub(crate) valid_rows_only: bool,
    /// Check the file and list its problems, writing nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,
}

/// Who is acting, for the authoriser commands: a provider administrator's username, recorded in
/// the audit trail as the actor.
#[derive(clap::Args)]
pub(crate) struct ActingAs {
    /// Your username (a provider administrator).
    #[arg(long = "as", value_name = "USERNAME")]
    pub(crate) acting_as: String,
    /// The practice's ODS code.
    #[arg(long, value_name = "ODS_CODE")]
    pub(crate) practice: String,
}

#[derive(Subcommand)]
pub(crate) enum StarterCommand {
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
pub(crate) enum IdentityCommand {
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
pub(crate) enum LeaverCommand {
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
pub(crate) enum MailCommand {
    /// Send a test message through the mail server in [mail] and print the server's answer.
    Test {
        /// Where to send it.
        #[arg(long, value_name = "ADDRESS")]
        to: String,
    },
}

#[derive(Subcommand)]
pub(crate) enum ConfigCommand {
    /// Validate the configuration (file and environment) and the database URL, without starting.
    Check,
    /// Print a commented default configuration file.
    Default,
}

#[derive(Subcommand)]
pub(crate) enum PracticeCommand {
    /// Bring a practice in with its first practice manager, and print the manager's one-time
    /// password.
    Create(NewPracticeArgs),
    /// Bring in a list of practices from a CSV file (name, ods_code, manager_name,
    /// manager_email, manager_phone, manager_username), each with its first practice manager;
    /// prints each manager's one-time password.
    Import(PracticeImportArgs),
    /// List every practice, by name.
    List,
}

/// `custodian practice import`: who acts, the file, and how to write it.
#[derive(clap::Args)]
pub(crate) struct PracticeImportArgs {
    /// Your username (a provider administrator).
    #[arg(long = "as", value_name = "USERNAME")]
    pub(crate) acting_as: String,
    #[command(flatten)]
    pub(crate) file: ImportFile,
}

#[derive(Subcommand)]
pub(crate) enum AdminCommand {
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

/// `custodian practice create`: who acts, and the practice with its first manager.
#[derive(clap::Args)]
pub(crate) struct NewPracticeArgs {
    /// Your username (a provider administrator).
    #[arg(long = "as", value_name = "USERNAME")]
    pub(crate) acting_as: String,
    /// The practice's name, e.g. "Riverside Medical Centre".
    #[arg(long)]
    name: String,
    /// Its ODS code: a letter followed by 5 digits, e.g. A81001.
    #[arg(long)]
    ods_code: String,
    /// The first practice manager's full name.
    #[arg(long)]
    manager_name: String,
    /// Their email address.
    #[arg(long)]
    manager_email: String,
    /// Their phone number, to read them the one-time password.
    #[arg(long)]
    manager_phone: Option<String>,
    /// Their username (made from their name when left out, e.g. r.ahmed).
    #[arg(long)]
    manager_username: Option<String>,
}

impl From<NewPracticeArgs> for custodian_domain::NewPracticeAndManager {
    fn from(a: NewPracticeArgs) -> Self {
        custodian_domain::NewPracticeAndManager {
            name: a.name,
            ods_code: a.ods_code,
            manager_name: a.manager_name,
            manager_email: a.manager_email,
            manager_phone: a.manager_phone,
            manager_username: a.manager_username,
        }
    }
}
