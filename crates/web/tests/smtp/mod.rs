//! A real SMTP server process for the mail tests and the mail benchmark (which includes this
//! file): `server.py` beside this file, run with aiosmtpd from PyPI in a virtual environment
//! made once per machine (under a lock, since tests run at once). Each message it accepts is a
//! file; the tests read them back.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

const VENV: &str = "/var/tmp/custodian-smtp-venv";

/// The Python with aiosmtpd in it, made if missing.
fn python() -> PathBuf {
    let python = Path::new(VENV).join("bin/python");
    let ok = Command::new(&python)
        .args(["-c", "import aiosmtpd"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        let script = format!(
            "[ -x {VENV}/bin/python ] && {VENV}/bin/python -c 'import aiosmtpd' 2>/dev/null || \
             {{ python3 -m venv {VENV} && {VENV}/bin/pip install --quiet --disable-pip-version-check aiosmtpd==1.4.6; }}"
        );
        let status = Command::new("flock")
            .args([&format!("{VENV}.lock"), "sh", "-c", &script])
            .status()
            .expect("run flock and python3 to install aiosmtpd");
        assert!(status.success(), "could not install aiosmtpd from PyPI");
    }
    python
}

/// How the server is started.
#[derive(Clone, Default)]
pub struct Options {
    pub delay: f64,
    pub auth: Option<String>,
    /// `starttls` or `implicit`, with the certificate from [`certificate`].
    pub tls: Option<&'static str>,
    pub refuse: Option<String>,
}

pub struct SmtpServer {
    pub port: u16,
    pub dir: PathBuf,
    options: Options,
    child: Option<Child>,
    _tmp: tempfile::TempDir,
}

/// A free port on 127.0.0.1 (nothing listens on it when this returns).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A self-signed certificate for 127.0.0.1 and localhost: `(cert.pem, key.pem)` in `dir`.
pub fn certificate(dir: &Path) -> (PathBuf, PathBuf) {
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    if !cert.exists() {
        let status = Command::new("openssl")
            .args([
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            ])
            .args(["-subj", "/CN=localhost"])
            .args(["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
            // A server's certificate, not an authority's (rustls refuses a CA as the server).
            .args(["-addext", "basicConstraints=critical,CA:FALSE"])
            .args(["-addext", "extendedKeyUsage=serverAuth"])
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&cert)
            .stderr(Stdio::null())
            .status()
            .expect("run openssl");
        assert!(status.success());
    }
    (cert, key)
}

impl SmtpServer {
    /// A server on a free port, listening when this returns.
    pub fn start(options: Options) -> SmtpServer {
        Self::start_on(free_port(), options)
    }

    /// A server on `port` (to bring one back where it was), listening when this returns.
    pub fn start_on(port: u16, options: Options) -> SmtpServer {
        let tmp = tempfile::tempdir().unwrap();
        let mut s = SmtpServer {
            port,
            dir: tmp.path().join("received"),
            options,
            child: None,
            _tmp: tmp,
        };
        s.run();
        s
    }

    fn run(&mut self) {
        // `file!()` is this file's path from the workspace's root, whichever crate includes it.
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .ancestors()
            .find(|d| d.join("Cargo.lock").exists())
            .expect("the workspace's root");
        let script = root.join(file!()).with_file_name("server.py");
        let mut cmd = Command::new(python());
        cmd.arg(script)
            .args(["--port", &self.port.to_string()])
            .arg("--dir")
            .arg(&self.dir)
            .args(["--delay", &self.options.delay.to_string()]);
        if let Some(a) = &self.options.auth {
            cmd.args(["--auth", a]);
        }
        if let Some(r) = &self.options.refuse {
            cmd.args(["--refuse", r]);
        }
        if let Some(t) = self.options.tls {
            let (cert, key) = certificate(self._tmp.path());
            cmd.args(["--tls", t])
                .arg("--cert")
                .arg(cert)
                .arg("--key")
                .arg(key);
        }
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the SMTP server");
        let mut line = String::new();
        BufReader::new(child.stdout.as_mut().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert!(line.starts_with("ready"), "the SMTP server said {line:?}");
        self.child = Some(child);
    }

    /// The certificate the server presents, for Custodian to trust.
    pub fn ca_pem(&self) -> Vec<u8> {
        std::fs::read(certificate(self._tmp.path()).0).unwrap()
    }

    /// Kills the server at once (SIGKILL), as a crash would.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            c.kill().unwrap();
            c.wait().unwrap();
        }
    }

    /// Starts it again on the same port, keeping what it received.
    pub fn restart(&mut self) {
        self.kill();
        self.run();
    }

    /// Whether a message is being received now (the server's marker).
    pub fn receiving(&self) -> bool {
        self.dir.join("receiving").exists()
    }

    /// Every message it accepted.
    pub fn messages(&self) -> Vec<Received> {
        let Ok(dir) = std::fs::read_dir(&self.dir) else {
            return vec![];
        };
        let mut out: Vec<Received> = dir
            .filter_map(|e| e.ok())
            .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
            .map(|e| Received::parse(&std::fs::read_to_string(e.path()).unwrap()))
            .collect();
        out.sort_by(|a, b| a.message_id.cmp(&b.message_id));
        out
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A message as the server received it.
#[derive(Clone, Debug)]
pub struct Received {
    pub to: String,
    pub subject: String,
    pub message_id: String,
    /// Everything, headers and both parts (quoted-printable undone).
    pub raw: String,
}

impl Received {
    fn parse(raw: &str) -> Received {
        let header = |name: &str| {
            let lower = format!("{}:", name.to_ascii_lowercase());
            let mut lines = raw.lines();
            let mut value = String::new();
            while let Some(l) = lines.next() {
                if l.to_ascii_lowercase().starts_with(&lower) {
                    value = l[lower.len()..].trim().to_string();
                    // Folded header lines continue with whitespace.
                    for more in lines.by_ref() {
                        if more.starts_with([' ', '\t']) {
                            value.push(' ');
                            value.push_str(more.trim());
                        } else {
                            break;
                        }
                    }
                    break;
                }
            }
            value
        };
        Received {
            to: header("X-Envelope-To"),
            subject: header("Subject"),
            message_id: header("Message-ID"),
            raw: raw
                .replace("=\r\n", "")
                .replace("=\n", "")
                .replace("=3D", "="),
        }
    }
}
