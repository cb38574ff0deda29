//! The `custodian` binary as an operator uses it: help, configuration mistakes, an unreachable
//! database, the administration commands, and the server's start, health and graceful stop.

#[path = "../../web/tests/smtp/mod.rs"]
mod smtp;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn custodian(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_custodian"));
    cmd.current_dir(dir)
        .args(args)
        .env("CUSTODIAN_LOG_LEVEL", "warn");
    for (k, _) in std::env::vars()
        .filter(|(k, _)| k.starts_with("CUSTODIAN_") && k != "CUSTODIAN_TEST_DATABASE_URL")
    {
        cmd.env_remove(k);
    }
    cmd.env("CUSTODIAN_LOG_LEVEL", "warn");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

/// The demo's data made in `dir/demo` without serving it; its folder.
fn demo_data(dir: &Path) -> std::path::PathBuf {
    let data = dir.join("demo");
    let o = custodian(
        dir,
        &["demo", "--data-dir", data.to_str().unwrap(), "--no-serve"],
        &[],
    );
    assert!(o.status.success(), "{}", text(&o));
    data
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn help_explains_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let o = custodian(dir.path(), &["--help"], &[]);
    assert!(o.status.success());
    let help = text(&o);
    for cmd in [
        "serve",
        "demo",
        "migrate",
        "config",
        "healthcheck",
        "practice",
        "admin",
        "assets",
    ] {
        assert!(
            help.contains(&format!("  {cmd}")),
            "--help lists {cmd}:\n{help}"
        );
    }
    for sub in [
        &["config", "--help"][..],
        &["practice", "--help"],
        &["admin", "create", "--help"],
        &["demo", "--help"],
    ] {
        let o = custodian(dir.path(), sub, &[]);
        assert!(o.status.success(), "{sub:?}");
    }
    let o = custodian(dir.path(), &["frobnicate"], &[]);
    assert_eq!(o.status.code(), Some(2), "unknown command is bad usage");
}

#[test]
fn config_mistakes_exit_2_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let o = custodian(dir.path(), &["config", "default"], &[]);
    assert!(o.status.success());
    std::fs::write(dir.path().join("custodian.toml"), &o.stdout).unwrap();
    let ok = custodian(dir.path(), &["config", "check"], &[]);
    assert!(ok.status.success(), "{}", text(&ok));
    assert!(text(&ok).contains("configuration is valid"));

    std::fs::write(
        dir.path().join("bad.toml"),
        "[server]\nbnid = \"127.0.0.1:1\"\n",
    )
    .unwrap();
    let o = custodian(
        dir.path(),
        &["--config", "bad.toml", "config", "check"],
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("bnid"), "{}", text(&o));

    let o = custodian(
        dir.path(),
        &["config", "check"],
        &[("CUSTODIAN_SERVER_BIND", "everywhere")],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("server.bind"));

    let o = custodian(
        dir.path(),
        &["config", "check"],
        &[("CUSTODIAN_DATABSE_URL", "x")],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("CUSTODIAN_DATABSE_URL"));
}

#[test]
fn mail_settings_are_checked_naming_the_key_and_mail_test_says_why_it_failed() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("password"), "secret\n").unwrap();
    let good: &[(&str, &str)] = &[
        ("CUSTODIAN_MAIL_HOST", "127.0.0.1"),
        ("CUSTODIAN_MAIL_PORT", "1"),
        ("CUSTODIAN_MAIL_SECURITY", "starttls"),
        ("CUSTODIAN_MAIL_USER", "custodian"),
        ("CUSTODIAN_MAIL_PASSWORD_FILE", "password"),
        (
            "CUSTODIAN_MAIL_FROM",
            "Custodian <custodian@example.nhs.uk>",
        ),
        (
            "CUSTODIAN_SERVER_PUBLIC_URL",
            "https://custodian.example.nhs.uk",
        ),
    ];
    let o = custodian(dir.path(), &["config", "check"], good);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("mail: 127.0.0.1:1 (starttls)"),
        "{}",
        text(&o)
    );
    for (key, value, named) in [
        ("CUSTODIAN_MAIL_SECURITY", "ssl", "mail.security"),
        ("CUSTODIAN_MAIL_FROM", "not an address", "mail.from"),
        (
            "CUSTODIAN_MAIL_PASSWORD_FILE",
            "missing",
            "mail.password_file",
        ),
        ("CUSTODIAN_MAIL_PORT", "many", "CUSTODIAN_MAIL_PORT"),
        ("CUSTODIAN_SERVER_PUBLIC_URL", "", "server.public_url"),
    ] {
        let mut env = good.to_vec();
        env.retain(|(k, _)| *k != key);
        env.push((key, value));
        let o = custodian(dir.path(), &["config", "check"], &env);
        assert_eq!(o.status.code(), Some(2), "{key}={value}: {}", text(&o));
        assert!(text(&o).contains(named), "{key}={value}: {}", text(&o));
    }
    // Nothing listens on port 1: the test message fails, saying where it went.
    let o = custodian(
        dir.path(),
        &["mail", "test", "--to", "pm@example.nhs.uk"],
        good,
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("mail server 127.0.0.1:1"), "{}", text(&o));
    let o = custodian(dir.path(), &["mail", "test", "--to", "nobody"], good);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o).contains("'nobody' is not an email address"),
        "{}",
        text(&o)
    );
}

#[test]
fn an_unreachable_database_exits_2_without_showing_its_password() {
    let dir = tempfile::tempdir().unwrap();
    let o = custodian(
        dir.path(),
        &["migrate"],
        &[(
            "CUSTODIAN_DATABASE_URL",
            "postgres://app:hunter2@127.0.0.1:1/custodian",
        )],
    );
    assert_eq!(o.status.code(), Some(2));
    let t = text(&o);
    assert!(
        t.contains("postgres://app:***@127.0.0.1:1/custodian"),
        "{t}"
    );
    assert!(!t.contains("hunter2"));
}

#[test]
fn a_refused_database_connection_is_reported_at_once_and_in_its_own_words() {
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let o = custodian(
        dir.path(),
        &["migrate"],
        &[(
            "CUSTODIAN_DATABASE_URL",
            "postgres://app@127.0.0.1:1/custodian",
        )],
    );
    assert_eq!(o.status.code(), Some(2));
    let t = text(&o);
    assert!(t.to_lowercase().contains("refused"), "{t}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn the_demo_runs_on_postgresql_when_database_url_names_it() {
    let Ok(server) = std::env::var("CUSTODIAN_TEST_DATABASE_URL") else {
        eprintln!("CUSTODIAN_TEST_DATABASE_URL is not set: PostgreSQL not tested here");
        return;
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let url = runtime
        .block_on(custodian_store::testing::fresh_postgres_database(&server))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let o = custodian(
        dir.path(),
        &["demo", "--no-serve"],
        &[("CUSTODIAN_DATABASE_URL", &url)],
    );
    assert!(o.status.success(), "{}", text(&o));
    let name = url.rsplit('/').next().unwrap();
    assert!(
        text(&o).contains(name),
        "says where the demo is: {}",
        text(&o)
    );
    assert!(
        !dir.path()
            .join("custodian-demo")
            .join("custodian.db")
            .exists(),
        "no SQLite database made beside it"
    );
    let practices = runtime.block_on(async {
        let store = custodian_store::open(&url).await.unwrap();
        store
            .practices(&custodian_domain::PageRequest::first(100))
            .await
            .unwrap()
            .items
            .len()
    });
    assert!(practices >= 3, "the demo's practices are in PostgreSQL");
}

#[test]
fn verifying_where_there_is_no_log_fails_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    // No database here at all: nothing is created, and nothing is called intact.
    let o = custodian(dir.path(), &["audit", "verify"], &[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("no audit log here"), "{}", text(&o));
    assert!(
        !dir.path().join("custodian-data").exists(),
        "no empty log left behind"
    );
    // A database with an empty log: not the one Custodian runs on.
    let o = custodian(dir.path(), &["migrate"], &[]);
    assert!(o.status.success(), "{}", text(&o));
    let o = custodian(dir.path(), &["audit", "verify"], &[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("is empty"), "{}", text(&o));
    assert!(!text(&o).contains("intact"));
}

#[test]
fn practices_and_the_first_administrator_are_created_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let o = custodian(dir.path(), &["migrate"], &[]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("at migration 20"));
    assert!(
        dir.path().join("custodian-data/custodian.db").exists(),
        "the default data directory holds the database"
    );

    let o = custodian(dir.path(), &["practice", "list"], &[]);
    assert!(text(&o).contains("no practices yet"));
    let o = custodian(
        dir.path(),
        &[
            "admin",
            "create",
            "--username",
            "alex",
            "--name",
            "Alex Morgan",
        ],
        &[],
    );
    assert!(o.status.success(), "{}", text(&o));
    let otp = String::from_utf8_lossy(&o.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("one-time password: ").map(str::to_string))
        .expect("prints the one-time password");
    assert_eq!(otp.len(), 19);
    let o = custodian(
        dir.path(),
        &[
            "admin",
            "create",
            "--username",
            "ALEX",
            "--name",
            "Someone Else",
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("already has this username"));

    // A practice comes with its first practice manager, who gets a one-time password.
    let practice = |ods: &str, name: &str, email: &str| -> Vec<String> {
        [
            "practice",
            "create",
            "--as",
            "alex",
            "--name",
            "Riverside Medical Centre",
            "--ods-code",
            ods,
            "--manager-name",
            name,
            "--manager-email",
            email,
            "--manager-phone",
            "01632 960001",
        ]
        .map(String::from)
        .to_vec()
    };
    let run = |args: Vec<String>| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        custodian(dir.path(), &args, &[])
    };
    let o = run(practice("y01234", "Rachel Ahmed", "rachel.ahmed@nhs.net"));
    assert!(o.status.success(), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(
        out.contains("first practice manager: Rachel Ahmed (r.ahmed)"),
        "{out}"
    );
    assert!(out.contains("(phone 01632 960001)"), "{out}");
    let otp = out
        .lines()
        .find_map(|l| l.strip_prefix("one-time password: "))
        .expect("prints the manager's one-time password");
    assert_eq!(otp.len(), 19);

    // Nothing is half-written: a clash on the ODS code, a bad code, or a manager's email
    // already in use leaves no practice and no account behind.
    let o = run(practice("Y01234", "Sam Other", "sam.other@nhs.net"));
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("ODS code already exists"), "{}", text(&o));
    let o = run(practice("1234", "Sam Other", "sam at nhs"));
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("ods_code"), "{}", text(&o));
    assert!(text(&o).contains("manager_email"), "{}", text(&o));
    let o = run(practice("Y05678", "Rachel Ahmed", "rachel.ahmed@nhs.net"));
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o).contains("already has this email address"),
        "{}",
        text(&o)
    );
    let o = custodian(dir.path(), &["practice", "list"], &[]);
    let listed = String::from_utf8_lossy(&o.stdout).to_string();
    assert_eq!(listed.lines().count(), 1, "{listed}");
    assert!(listed.starts_with("Y01234\t"));

    // Only a provider administrator brings practices in.
    let mut not_admin = practice("Y05678", "Sam Other", "sam.other@nhs.net");
    not_admin[3] = "r.ahmed".into();
    let o = run(not_admin);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o).contains("only a provider administrator"),
        "{}",
        text(&o)
    );

    // A list of practices: a dry run lists the bad rows; every row or nothing by default; the
    // valid rows only when asked, each manager's one-time password printed.
    let file = dir.path().join("practices.csv");
    std::fs::write(
        &file,
        "name,ods_code,manager_name,manager_email\n\
         Willow Bank,Y07001,Pat Newman,pat@nhs.net\n\
         Copy of Riverside,Y01234,Sam Copy,copy@nhs.net\n",
    )
    .unwrap();
    let import = |extra: &[&str]| {
        let mut args = vec!["practice", "import", "--as", "alex", "--file"];
        args.push(file.to_str().unwrap());
        args.extend_from_slice(extra);
        custodian(dir.path(), &args, &[])
    };
    let o = import(&["--dry-run"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("row 3, ods_code: A practice with ODS code Y01234 already exists"));
    assert!(text(&o).contains("2 rows, 1 valid, 1 with problems; nothing written"));
    let o = import(&[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let o = import(&["--valid-rows-only"]);
    assert!(o.status.success(), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(out.contains("1 practice added"), "{out}");
    let line = out
        .lines()
        .find(|l| l.starts_with("Y07001\t"))
        .expect("the practice added");
    let fields: Vec<&str> = line.split('\t').collect();
    assert_eq!(fields[3], "p.newman");
    assert_eq!(fields[5].len(), 19, "the one-time password");
    let o = custodian(dir.path(), &["practice", "list"], &[]);
    assert_eq!(String::from_utf8_lossy(&o.stdout).lines().count(), 2);
}

#[test]
fn the_server_starts_answers_health_checks_and_stops_gracefully() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let metrics = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let bind = format!("127.0.0.1:{port}");
    let metrics_bind = format!("127.0.0.1:{metrics}");
    let env = [
        ("CUSTODIAN_SERVER_BIND", bind.as_str()),
        ("CUSTODIAN_SERVER_METRICS_BIND", metrics_bind.as_str()),
    ];
    let mut child = Command::new(env!("CARGO_BIN_EXE_custodian"))
        .current_dir(dir.path())
        .arg("serve")
        .envs(env)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        let o = custodian(dir.path(), &["healthcheck"], &env);
        if o.status.success() {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "server did not come up: {}",
            text(&o)
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // Metrics are on their own listener, not the public one.
    let scrape = raw_get(&metrics_bind, "/metrics");
    assert!(scrape.contains("custodian_http_requests_total"), "{scrape}");
    assert!(raw_get(&bind, "/metrics").starts_with("HTTP/1.1 404"));

    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "no graceful stop"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}");
    let o = custodian(dir.path(), &["healthcheck"], &env);
    assert_eq!(
        o.status.code(),
        Some(1),
        "healthcheck fails when the server is down"
    );
}

fn raw_get(addr: &str, path: &str) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

#[test]
fn authorisers_approve_starters_reset_passwords_and_record_leavers_from_the_command_line() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let data = demo_data(dir.path());
    let env = [("CUSTODIAN_DATA_DIR", data.to_str().unwrap())];
    let year = chrono::Datelike::year(&chrono::Utc::now());
    let reference = format!("STR-{year}-0001");

    // Only a provider administrator may act from the command line.
    let o = custodian(
        dir.path(),
        &[
            "starter",
            "approve",
            "--practice",
            "Z00001",
            "--reference",
            &reference,
            "--as",
            "r.ahmed",
        ],
        &env,
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("only a provider administrator"));
    let o = custodian(
        dir.path(),
        &[
            "starter",
            "approve",
            "--practice",
            "Z00001",
            "--reference",
            &reference,
            "--as",
            "admin",
        ],
        &env,
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("approved") && text(&o).contains("one-time password: "));
    let o = custodian(
        dir.path(),
        &[
            "starter",
            "approve",
            "--practice",
            "Z00001",
            "--reference",
            &reference,
            "--as",
            "admin",
        ],
        &env,
    );
    assert_eq!(o.status.code(), Some(1), "a decision is final");
    assert!(text(&o).contains("already approved"));

    let verify = |answers: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_custodian"))
            .current_dir(dir.path())
            .args([
                "identity",
                "verify",
                "--practice",
                "Z00001",
                "--username",
                "s.taylor",
                "--as",
                "admin",
            ])
            .env("CUSTODIAN_DATA_DIR", &data)
            .env("CUSTODIAN_LOG_LEVEL", "warn")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(answers.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let o = verify("demo\nwrong\ndemo\n");
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("do not match"));
    let o = verify("Demo\ndemo\n DEMO \n");
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("one-time password: "));

    let o = custodian(
        dir.path(),
        &[
            "leaver",
            "record",
            "--practice",
            "Z00001",
            "--username",
            "s.taylor",
            "--exit-date",
            "2026-01-01",
            "--reason",
            "Left",
            "--as",
            "admin",
        ],
        &env,
    );
    assert_eq!(o.status.code(), Some(1), "before Sam started: {}", text(&o));
    assert!(text(&o).contains("exit_date"));
    let today = chrono::Utc::now().date_naive().to_string();
    let o = custodian(
        dir.path(),
        &[
            "leaver",
            "record",
            "--practice",
            "Z00001",
            "--username",
            "j.green",
            "--exit-date",
            &today,
            "--reason",
            "Retiring",
            "--as",
            "admin",
        ],
        &env,
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("Jasmine Green leaves Riverside Medical Centre"));

    // A provider imports a practice's spreadsheet register: problems by row, all or nothing
    // unless asked for the valid rows only.
    let file = dir.path().join("register.csv");
    std::fs::write(
        &file,
        "name,asset_type,format,volume_band,iao_username,confidentiality,confidentiality_reason\n\
         Practice website,system,electronic,none,m.kowalski,1,Public information\n\
         Fax machine,other_technology,paper,under_1000,m.kowalski,7,Referrals\n",
    )
    .unwrap();
    let import = |extra: &[&str]| {
        let mut args = vec![
            "assets",
            "import",
            "--practice",
            "Z00001",
            "--file",
            file.to_str().unwrap(),
            "--as",
            "admin",
        ];
        args.extend_from_slice(extra);
        custodian(dir.path(), &args, &env)
    };
    let o = import(&[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("row 3, confidentiality: Rate confidentiality from 1 (low) to 5 (high)"),
        "{}",
        text(&o)
    );
    assert!(text(&o).contains("nothing was imported"));
    let o = import(&["--dry-run"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("2 rows, 1 valid, 1 with problems; nothing written"));
    let o = import(&["--valid-rows-only"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("1 asset added to Riverside Medical Centre's register"),
        "{}",
        text(&o)
    );
    let o = import(&["--valid-rows-only"]);
    assert_eq!(o.status.code(), Some(1), "nothing new to import");
    assert!(
        text(&o)
            .contains("row 2, name: An asset called “Practice website” is already in the register")
    );

    // The risk register imports the same way.
    let risks = dir.path().join("risks.csv");
    std::fs::write(
        &risks,
        "title,threat,vulnerability,category,confidentiality,confidentiality_reason,assets,inherent_likelihood,inherent_impact,residual_likelihood,residual_impact,treatment\n\
         Website defaced,Attacker changes the practice website,Old CMS,technology,no,,Practice website,3,2,2,2,reduce\n",
    )
    .unwrap();
    let import_risks = || {
        custodian(
            dir.path(),
            &[
                "risks",
                "import",
                "--practice",
                "Z00001",
                "--file",
                risks.to_str().unwrap(),
                "--as",
                "admin",
            ],
            &env,
        )
    };
    let o = import_risks();
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains(
            "row 2, confidentiality: Say which of confidentiality, integrity and availability"
        ),
        "{}",
        text(&o)
    );
    std::fs::write(
        &risks,
        std::fs::read_to_string(&risks)
            .unwrap()
            .replace("technology,no,,", "technology,yes,Site content changed,"),
    )
    .unwrap();
    let o = import_risks();
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("1 risk added to Riverside Medical Centre's register"),
        "{}",
        text(&o)
    );
}

#[test]
fn the_audit_trail_verifies_exports_and_catches_an_edited_export() {
    let dir = tempfile::tempdir().unwrap();
    let data = demo_data(dir.path());
    let env = [("CUSTODIAN_DATA_DIR", data.to_str().unwrap())];
    let key_file = data.join("audit-signing.key");
    let o = custodian(dir.path(), &["audit", "public-key"], &env);
    assert!(o.status.success(), "{}", text(&o));
    let key = String::from_utf8_lossy(&o.stdout).trim().to_string();
    assert!(key.starts_with("custodian.local/audit+"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777,
            0o600,
            "the signing key is private"
        );
    }
    let o = custodian(dir.path(), &["audit", "checkpoint"], &env);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).starts_with("custodian.local/audit\n"));
    let o = custodian(dir.path(), &["audit", "verify"], &env);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("audit log intact"));

    let export = dir.path().join("riverside.json");
    let o = custodian(
        dir.path(),
        &[
            "audit",
            "export",
            "--practice",
            "Z00001",
            "--output",
            export.to_str().unwrap(),
        ],
        &env,
    );
    assert!(o.status.success(), "{}", text(&o));
    // Offline: no data directory, no database.
    let empty = tempfile::tempdir().unwrap();
    let o = custodian(
        empty.path(),
        &[
            "audit",
            "verify",
            "--export",
            export.to_str().unwrap(),
            "--public-key",
            &key,
        ],
        &[],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("export intact"));
    let edited = std::fs::read_to_string(&export).unwrap().replacen(
        "\"actor\": \"demo\"",
        "\"actor\": \"mallory\"",
        1,
    );
    let tampered = dir.path().join("tampered.json");
    std::fs::write(&tampered, edited).unwrap();
    let o = custodian(
        empty.path(),
        &[
            "audit",
            "verify",
            "--export",
            tampered.to_str().unwrap(),
            "--public-key",
            &key,
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o).contains("FAILED") && text(&o).contains("changed"),
        "{}",
        text(&o)
    );
    let o = custodian(
        empty.path(),
        &["audit", "verify", "--export", export.to_str().unwrap()],
        &[],
    );
    assert_eq!(o.status.code(), Some(2), "the public key is required");
}

/// One HTTP/1.1 request over a fresh connection: (status, headers, body).
fn http(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> std::io::Result<(u16, String, String)> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes())?;
    let mut out = String::new();
    s.read_to_string(&mut out)?;
    let (head, body) = out.split_once("\r\n\r\n").unwrap_or((&out, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    Ok((status, head.to_string(), body.to_string()))
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|l| {
        l.split_once(':')
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim())
    })
}

fn start_server(dir: &Path, data: &Path, bind: &str) -> std::process::Child {
    start_server_with(dir, data, bind, &[])
}

fn start_server_with(
    dir: &Path,
    data: &Path,
    bind: &str,
    env: &[(&str, &str)],
) -> std::process::Child {
    let child = Command::new(env!("CARGO_BIN_EXE_custodian"))
        .current_dir(dir)
        .arg("serve")
        .env("CUSTODIAN_DATA_DIR", data)
        .env("CUSTODIAN_SERVER_BIND", bind)
        .env("CUSTODIAN_SERVER_METRICS_BIND", "")
        .env("CUSTODIAN_LOG_LEVEL", "warn")
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while http(bind, "GET", "/healthz", &[], "").map(|r| r.0).ok() != Some(200) {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "server did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    child
}

#[test]
fn a_killed_server_restarts_with_an_intact_log_and_every_acknowledged_read_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let data = demo_data(dir.path());
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let bind = format!("127.0.0.1:{port}");
    let origin = format!("http://{bind}");
    let mut server = start_server(dir.path(), &data, &bind);

    let (status, head, _) = http(
        &bind,
        "POST",
        "/sign-in",
        &[
            ("Origin", &origin),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        "login=r.ahmed&password=demo-custodian-2026",
    )
    .unwrap();
    assert_eq!(status, 303);
    let cookie = header(&head, "set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let (_, _, me) = http(&bind, "GET", "/api/v1/me", &[("Cookie", &cookie)], "").unwrap();
    let me: serde_json::Value = serde_json::from_str(&me).unwrap();
    let practice = me["practices"][0]["practice"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let person = me["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/practices/{practice}/people/{person}");

    // Eight clients read a record (each read is audited) until the server is killed.
    let acknowledged = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut clients = Vec::new();
    for _ in 0..8 {
        let (bind, cookie, path, ack, stop) = (
            bind.clone(),
            cookie.clone(),
            path.clone(),
            acknowledged.clone(),
            stop.clone(),
        );
        clients.push(std::thread::spawn(move || {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                if let Ok((200, head, _)) = http(&bind, "GET", &path, &[("Cookie", &cookie)], "") {
                    ack.lock()
                        .unwrap()
                        .push(header(&head, "x-request-id").unwrap().to_string());
                }
            }
        }));
    }
    std::thread::sleep(Duration::from_millis(1500));
    assert!(
        Command::new("kill")
            .args(["-KILL", &server.id().to_string()])
            .status()
            .unwrap()
            .success()
    );
    server.wait().unwrap();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for c in clients {
        c.join().unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged.len() > 20,
        "the load ran: {} reads",
        acknowledged.len()
    );

    // Restarted: the log verifies, and every read the clients saw succeed is in it.
    let mut server = start_server(dir.path(), &data, &bind);
    let env = [("CUSTODIAN_DATA_DIR", data.to_str().unwrap())];
    let o = custodian(dir.path(), &["audit", "checkpoint"], &env);
    assert!(o.status.success(), "{}", text(&o));
    let o = custodian(dir.path(), &["audit", "verify"], &env);
    assert!(o.status.success(), "{}", text(&o));
    let cookie = demo_sign_in(&bind, "r.ahmed");
    let mut recorded = std::collections::HashSet::new();
    let mut before = String::new();
    loop {
        let (status, _, body) = http(
            &bind,
            "GET",
            &format!(
                "/api/v1/practices/{practice}/audit/events?action=person.view&limit=500{before}"
            ),
            &[("Cookie", &cookie)],
            "",
        )
        .unwrap();
        assert_eq!(status, 200, "{body}");
        let page: serde_json::Value = serde_json::from_str(&body).unwrap();
        for e in page["items"].as_array().unwrap() {
            if let Some(r) = e["request_id"].as_str() {
                recorded.insert(r.to_string());
            }
        }
        match page["next_before"].as_i64() {
            Some(b) => before = format!("&before={b}"),
            None => break,
        }
    }
    let missing: Vec<_> = acknowledged
        .iter()
        .filter(|r| !recorded.contains(*r))
        .collect();
    assert!(
        missing.is_empty(),
        "{} acknowledged reads have no audit event: {:?}",
        missing.len(),
        &missing[..missing.len().min(5)]
    );
    server.kill().unwrap();
    server.wait().unwrap();
}

/// Signs a demo person in over HTTP; their session cookie (`name=value`).
fn demo_sign_in(bind: &str, username: &str) -> String {
    let origin = format!("http://{bind}");
    let (_, head, _) = http(
        bind,
        "POST",
        "/sign-in",
        &[
            ("Origin", &origin),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        &format!("login={username}&password=demo-custodian-2026"),
    )
    .unwrap();
    header(&head, "set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

/// Digests are built from each practice's digest time (07:30 by default): the practice manager
/// sets Riverside's to midnight, so its digests are due whatever the hour the test runs at.
fn due_digests_now(bind: &str) {
    let origin = format!("http://{bind}");
    let cookie = demo_sign_in(bind, "r.ahmed");
    let (_, _, body) = http(bind, "GET", "/api/v1/practices", &[("Cookie", &cookie)], "").unwrap();
    let list: serde_json::Value = serde_json::from_str(&body).unwrap();
    let practice = list["items"][0]["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/practices/{practice}/settings");
    let (_, _, body) = http(bind, "GET", &path, &[("Cookie", &cookie)], "").unwrap();
    let mut settings: serde_json::Value = serde_json::from_str(&body).unwrap();
    settings["digest_time"] = "00:00".into();
    let (status, _, body) = http(
        bind,
        "PUT",
        &path,
        &[
            ("Cookie", &cookie),
            ("Origin", &origin),
            ("Content-Type", "application/json"),
        ],
        &settings.to_string(),
    )
    .unwrap();
    assert_eq!(status, 200, "{body}");
}

/// The sender inside `custodian serve`, killed with SIGKILL while the mail server is taking in
/// an email, then started again: every email in the outbox reaches the server exactly once.
#[test]
fn a_server_killed_while_sending_email_restarts_and_sends_each_email_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = demo_data(dir.path());
    // A slow mail server, so the kill lands in the middle of the sending.
    let mail = smtp::SmtpServer::start(smtp::Options {
        delay: 0.3,
        ..Default::default()
    });
    let port = mail.port.to_string();
    let env = [
        ("CUSTODIAN_MAIL_HOST", "127.0.0.1"),
        ("CUSTODIAN_MAIL_PORT", port.as_str()),
        ("CUSTODIAN_MAIL_SECURITY", "none"),
        ("CUSTODIAN_MAIL_FROM", "custodian@example.nhs.uk"),
        ("CUSTODIAN_MAIL_TIMEOUT_SECONDS", "1"),
        ("CUSTODIAN_SERVER_SCHEDULER_TICK_SECONDS", "1"),
        (
            "CUSTODIAN_SERVER_PUBLIC_URL",
            "https://custodian.example.nhs.uk",
        ),
    ];
    let bind = format!("127.0.0.1:{}", smtp::free_port());
    let mut server = start_server_with(dir.path(), &data, &bind, &env);
    due_digests_now(&bind);
    let wait = |what: &str, secs: u64, cond: &dyn Fn() -> bool| {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while !cond() {
            assert!(Instant::now() < deadline, "waited too long for {what}");
            std::thread::sleep(Duration::from_millis(10));
        }
    };
    wait("two emails accepted", 60, &|| mail.messages().len() >= 2);
    std::fs::remove_file(mail.dir.join("receiving")).ok();
    wait("the next email on its way", 30, &|| mail.receiving());
    server.kill().unwrap(); // SIGKILL
    server.wait().unwrap();
    let before = mail.messages().len();

    let mut server = start_server_with(dir.path(), &data, &bind, &env);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let db = data.join("custodian.db");
    let store = runtime
        .block_on(custodian_store::open(db.to_str().unwrap()))
        .unwrap();
    let log = || runtime.block_on(store.mail_log(None, 100_000)).unwrap();
    use custodian_domain::notifications::MailStatus;
    let unsent = |l: &[custodian_store::MailLogLine]| {
        l.iter()
            .filter(|m| matches!(m.status, MailStatus::Queued | MailStatus::Sending))
            .count()
    };
    wait("the outbox emptied after the restart", 90, &|| {
        unsent(&log()) == 0
    });
    server.kill().unwrap();
    server.wait().unwrap();

    let lines = log();
    let sent = lines
        .iter()
        .filter(|m| m.status == MailStatus::Sent)
        .count();
    let got = mail.messages();
    let mut ids: Vec<&str> = got.iter().map(|m| m.message_id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert!(got.len() > before, "the restarted server sent the rest");
    assert_eq!(ids.len(), got.len(), "no email twice");
    assert_eq!(
        got.len(),
        sent,
        "each email the outbox counts as sent arrived, once"
    );
    assert!(
        lines.iter().all(|m| m.status != MailStatus::Failed),
        "none given up"
    );
}
