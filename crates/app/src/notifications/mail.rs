//! Email: the mail server Custodian hands its emails to (SMTP, with STARTTLS or implicit TLS),
//! the daily digests, and the sender that empties the outbox. An email is queued in the same
//! transaction as what it tells of (the store's `sync_notices`, `build_digest`); the sender
//! claims a few at a time (several servers never claim the same one), hands each to the mail
//! server, and records the server's answer. An email the server accepted is marked sent at
//! once, while the next is being sent; one it refused for good is marked failed; anything else
//! (the server down, a refused login, a TLS setting it does not support) is tried again later,
//! backing off to four hours, and is never lost.

use std::time::Duration;

use chrono::Timelike;
use custodian_domain::notifications::{self as rules, Email, MailItem, MailKind};
use custodian_domain::MailId;
use custodian_store::OutgoingMail;
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::Message;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, Certificate, TlsParameters};
use lettre::transport::smtp::extension::ClientId;

use crate::scheduler::{Cadence, Job};
use crate::{App, AppError};

/// How Custodian talks to the mail server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Security {
    /// Plain SMTP, then STARTTLS before anything else is said (port 587); a server that does
    /// not offer STARTTLS is refused.
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for a relay on the same machine or a test server.
    None,
}

/// The mail settings (`[mail]` in the configuration).
#[derive(Clone, Debug)]
pub struct MailSettings {
    pub host: String,
    pub port: u16,
    pub security: Security,
    /// Empty: no login.
    pub user: String,
    pub password: String,
    /// The sender, e.g. `Custodian <custodian@example.nhs.uk>`.
    pub from: String,
    /// Extra certificate authorities to trust (PEM), besides the system's.
    pub ca_pem: Option<Vec<u8>>,
    /// How long to wait for the mail server at each step.
    pub timeout: Duration,
    /// The address people open Custodian at, for the links in emails.
    pub public_url: String,
}

/// Why an email was not handed over.
#[derive(Debug)]
pub struct NotSent {
    /// The server refused this email for good (no such mailbox): trying again will not help.
    pub permanent: bool,
    /// What happened, with the server's own answer when it gave one.
    pub answer: String,
}

/// The mail server, and what every email carries.
pub struct Mailer {
    from: Mailbox,
    from_domain: String,
    /// Custodian's name in `EHLO`: the host of its public address.
    hello: ClientId,
    tls: Option<TlsParameters>,
    credentials: Option<Credentials>,
    settings: MailSettings,
}

/// One connection to the mail server, for a run of emails. Dropped, it is closed: a sender that
/// dies mid-email leaves the server without the end of it, so the server never accepts it.
pub struct Session(AsyncSmtpConnection);

impl Mailer {
    /// Checks the settings (addresses, certificates) without connecting.
    pub fn new(settings: MailSettings) -> Result<Mailer, String> {
        let from: Mailbox = settings
            .from
            .parse()
            .map_err(|e| format!("mail.from: '{}' is not an email address ({e})", settings.from))?;
        let from_domain = from.email.domain().to_string();
        let tls = match settings.security {
            Security::None => None,
            Security::StartTls | Security::Tls => {
                let mut b = TlsParameters::builder(settings.host.clone());
                if let Some(pem) = &settings.ca_pem {
                    let cert = Certificate::from_pem(pem)
                        .map_err(|e| format!("mail.ca_file: not a PEM certificate ({e})"))?;
                    b = b.add_root_certificate(cert);
                }
                Some(b.build_rustls().map_err(|e| {
                    format!("mail: cannot set up TLS for {}: {e}", settings.host)
                })?)
            }
        };
        let host = settings
            .public_url
            .split("://")
            .nth(1)
            .unwrap_or("localhost")
            .split(['/', ':'])
            .next()
            .filter(|h| !h.is_empty())
            .unwrap_or("localhost");
        let credentials = (!settings.user.is_empty())
            .then(|| Credentials::new(settings.user.clone(), settings.password.clone()));
        Ok(Mailer {
            from,
            from_domain,
            hello: ClientId::Domain(host.to_string()),
            tls,
            credentials,
            settings,
        })
    }

    /// The address of a page, for a link in an email.
    pub fn link(&self, path: &str) -> String {
        format!("{}{path}", self.settings.public_url.trim_end_matches('/'))
    }

    /// How long one email may take at most: connecting and each step of the conversation may
    /// each take the timeout. A sender's claim always covers at least this much ahead, and
    /// runs out this much after a sender that stopped last renewed it.
    fn lease_window(&self) -> chrono::Duration {
        chrono::Duration::from_std(self.settings.timeout).unwrap_or_default() * 6
    }

    /// Connects, encrypts as `mail.security` says, and signs in if a user is set.
    pub async fn connect(&self) -> Result<Session, NotSent> {
        let s = &self.settings;
        let wrapper = match s.security {
            Security::Tls => self.tls.clone(),
            _ => None,
        };
        let mut conn = AsyncSmtpConnection::connect_tokio1(
            (s.host.as_str(), s.port),
            Some(s.timeout),
            &self.hello,
            wrapper,
            None,
        )
        .await
        .map_err(|e| self.not_sent(&e))?;
        if let (Security::StartTls, Some(tls)) = (s.security, &self.tls) {
            conn.starttls(tls.clone(), &self.hello)
                .await
                .map_err(|e| self.not_sent(&e))?;
        }
        if let Some(c) = &self.credentials {
            conn.auth(&[Mechanism::Plain, Mechanism::Login], c)
                .await
                .map_err(|e| self.not_sent(&e))?;
        }
        Ok(Session(conn))
    }

    /// Hands one email to the mail server on `session`; the answer is the server's own
    /// (`250 …`). `key` names the email for good (its `Message-ID`), so a receiver can tell a
    /// repeat.
    pub async fn send_on(
        &self,
        session: &mut Session,
        to: &str,
        email: &Email,
        key: &str,
    ) -> Result<String, NotSent> {
        let to: Mailbox = to.parse().map_err(|e| NotSent {
            permanent: true,
            answer: format!("'{to}' is not an email address ({e})"),
        })?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(email.subject.clone())
            .message_id(Some(format!("<{key}@{}>", self.from_domain)))
            .multipart(
                MultiPart::alternative()
                    .singlepart(part(ContentType::TEXT_PLAIN, &email.text))
                    .singlepart(part(ContentType::TEXT_HTML, &email.html)),
            )
            .map_err(|e| NotSent {
                permanent: true,
                answer: format!("cannot write the email: {e}"),
            })?;
        match session.0.send(message.envelope(), &message.formatted()).await {
            Ok(r) => Ok(format!("{} {}", r.code(), r.message().collect::<Vec<_>>().join(" "))),
            Err(e) => Err(self.not_sent(&e)),
        }
    }

    /// Sends one email on a connection of its own.
    pub async fn send(&self, to: &str, email: &Email, key: &str) -> Result<String, NotSent> {
        let mut session = self.connect().await?;
        let answer = self.send_on(&mut session, to, email, key).await;
        let _ = session.0.quit().await;
        answer
    }

    /// What a failure means. Only a refusal of the recipient or the message (550–553) is for
    /// good; a refused login or a missing STARTTLS is a matter of settings, fixed and retried.
    fn not_sent(&self, e: &lettre::transport::smtp::Error) -> NotSent {
        let code = e.status().map(|c| c.to_string());
        let permanent = e.is_permanent()
            && code
                .as_deref()
                .is_some_and(|c| matches!(c, "550" | "551" | "552" | "553"));
        let s = &self.settings;
        let chain = error_chain(e);
        let mut answer = format!("{chain} (mail server {}:{}", s.host, s.port);
        let tls_trouble = e.is_tls()
            || ["STARTTLS", "TLS", "incomplete response", "handshake", "certificate"]
                .iter()
                .any(|w| chain.contains(w));
        if tls_trouble && code.is_none() {
            let said = match s.security {
                Security::StartTls => "STARTTLS",
                Security::Tls => "implicit TLS",
                Security::None => "no TLS",
            };
            answer.push_str(&format!(
                "; mail.security is {said}: check it matches what the server supports"
            ));
        }
        if code.as_deref().is_some_and(|c| c.starts_with("53")) {
            answer.push_str("; the server refused the login: check mail.user and mail.password");
        }
        answer.push(')');
        NotSent { permanent, answer }
    }
}

/// A part in quoted-printable: readable as it is, safe for long lines.
fn part(kind: ContentType, body: &str) -> SinglePart {
    SinglePart::builder()
        .header(kind)
        .header(ContentTransferEncoding::QuotedPrintable)
        .body(body.to_string())
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let next = s.to_string();
        if !out.contains(&next) {
            out.push_str(": ");
            out.push_str(&next);
        }
        source = s.source();
    }
    out
}

/// `custodian mail test`: sends the test message to `to` and returns the server's answer.
pub async fn send_test(mailer: &Mailer, to: &str) -> Result<String, AppError> {
    if !custodian_domain::people::is_email(to) {
        let problem = format!("'{to}' is not an email address");
        return Err(custodian_domain::Invalid::one("to", problem).into());
    }
    let key = uuid::Uuid::now_v7().to_string();
    mailer
        .send(to, &rules::test_email(), &key)
        .await
        .map_err(|e| AppError::Refused(e.answer))
}

/// The scheduler's job: each practice's daily digest, once its time has come today.
pub const DIGESTS: Job = Job {
    name: "digests",
    cadence: Cadence::EveryTick,
    run: |app| {
        Box::pin(async move {
            let n = build_due_digests(app).await?;
            Ok((n > 0).then(|| format!("{n} digest emails queued")))
        })
    },
};

/// The scheduler's job: the outbox handed to the mail server.
pub const SEND: Job = Job {
    name: "mail",
    cadence: Cadence::EveryTick,
    run: |app| {
        Box::pin(async move {
            let n = send_due_mail(app).await?;
            Ok((n.sent + n.not_sent > 0)
                .then(|| format!("{} emails sent, {} not sent", n.sent, n.not_sent)))
        })
    },
};

/// Builds the digest of every practice whose digest time (Europe/London) has come today and
/// whose digest for today is not built yet. Returns how many emails were queued.
pub async fn build_due_digests(app: &App) -> Result<usize, AppError> {
    let now = app.clock.now();
    let local = now.with_timezone(&chrono_tz::Europe::London);
    let minutes = local.hour() * 60 + local.minute();
    let day = local.date_naive().to_string();
    let mut queued = 0;
    for practice in crate::practices::all_practices(app).await? {
        let settings = app.store.settings(practice.id).await?;
        let due = rules::digest_minutes(&settings.digest_time).unwrap_or(0);
        if minutes < due {
            continue;
        }
        if let Some(n) = app.store.build_digest(practice.id, &day, now).await? {
            queued += n;
        }
    }
    Ok(queued)
}

/// What one run of the sender did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Sent {
    pub sent: usize,
    pub not_sent: usize,
}

/// How many emails a sender claims at a time.
const BATCH: u32 = 20;

/// Hands every due email to the mail server (none when no mail server is set), until the
/// outbox has nothing due.
pub async fn send_due_mail(app: &App) -> Result<Sent, AppError> {
    let Some(mailer) = app.mailer.clone() else {
        return Ok(Sent::default());
    };
    let mut done = Sent::default();
    let window = mailer.lease_window();
    loop {
        let now = app.clock.now();
        let mut until = now + window * 2;
        let batch = app.store.claim_mail(now, until, BATCH).await?;
        if batch.is_empty() {
            return Ok(done);
        }
        // The claim is short and renewed as the batch goes: a sender that dies holds its
        // emails only until the claim runs out, then another server (or this one restarted)
        // sends them.
        let ids: Vec<MailId> = batch.iter().map(|m| m.id).collect();
        // Each accepted email is marked sent while the next is being sent: the time in which
        // a crash would send one again is one commit's.
        let mut marking: Option<tokio::task::JoinHandle<Result<(), AppError>>> = None;
        let mut session: Option<Session> = None;
        for (i, mail) in batch.into_iter().enumerate() {
            let now = app.clock.now();
            if until - now < window {
                until = now + window * 2;
                app.store.renew_mail_claim(&ids[i..], until).await?;
            }
            let outcome = deliver(app, &mailer, &mut session, &mail).await;
            if let Some(m) = marking.take() {
                m.await.map_err(|e| AppError::Internal(e.to_string()))??;
            }
            let at = app.clock.now();
            match outcome {
                Ok(answer) => {
                    done.sent += 1;
                    let store = app.store.clone();
                    marking = Some(tokio::spawn(async move {
                        Ok(store.mail_sent(&[(mail.id, answer)], at).await?)
                    }));
                }
                Err((e, dropped)) => {
                    done.not_sent += 1;
                    let retry = (!e.permanent && !dropped).then(|| {
                        at + chrono::Duration::seconds(rules::retry_after_seconds(mail.attempt))
                    });
                    tracing::warn!(mail = %mail.id, answer = %e.answer, "email not sent");
                    app.store
                        .mail_not_sent(mail.id, &e.answer, retry, dropped, at)
                        .await?;
                }
            }
        }
        if let Some(m) = marking.take() {
            m.await.map_err(|e| AppError::Internal(e.to_string()))??;
        }
        if let Some(mut s) = session {
            let _ = s.0.quit().await;
        }
    }
}

/// Writes and sends one claimed email; `Err((why, dropped))` when it was not sent.
async fn deliver(
    app: &App,
    mailer: &Mailer,
    session: &mut Option<Session>,
    mail: &OutgoingMail,
) -> Result<String, (NotSent, bool)> {
    let Some(to) = &mail.to else {
        let why = "the person has no email address on their record now";
        return Err((NotSent { permanent: true, answer: why.into() }, false));
    };
    let settings_url = mailer.link("/notifications/email");
    let item = |n: &custodian_store::MailNotice| MailItem {
        practice: n.practice_name.clone(),
        text: n.text.clone(),
        url: mailer.link(&format!("/practices/{}{}", n.practice_id, n.topic)),
    };
    let live: Vec<MailItem> = mail.notices.iter().filter(|n| !n.done).map(item).collect();
    let email = match (mail.kind, &mail.alert) {
        (MailKind::Alert, Some((text, path))) => rules::notice_email(
            &MailItem {
                practice: "the provider".into(),
                text: text.clone(),
                url: mailer.link(path),
            },
            &settings_url,
        ),
        _ if live.is_empty() => {
            let why = "not sent: what it told of was done before it could be sent";
            return Err((NotSent { permanent: true, answer: why.into() }, true));
        }
        (MailKind::Digest, _) => {
            let day = custodian_domain::time::show_date(app.clock.now());
            rules::digest_email(&live, &day, &settings_url)
        }
        _ => rules::notice_email(&live[0], &settings_url),
    };
    if session.is_none() {
        *session = Some(mailer.connect().await.map_err(|e| (e, false))?);
    }
    let open = session.as_mut().expect("connected");
    let sent = mailer.send_on(open, to, &email, &mail.id.to_string()).await;
    // A connection the server broke (or that timed out) is not used again.
    if sent.is_err() && open.0.has_broken() {
        *session = None;
    }
    sent.map_err(|e| (e, false))
}

/// Emails each provider administrator at once (the audit trail failing its verification).
pub async fn alert_provider(app: &App, text: &str, path: &str) -> Result<usize, AppError> {
    let admins = app.store.provider_administrators().await?;
    Ok(app
        .store
        .queue_alert(&admins, text, path, app.clock.now())
        .await?)
}

