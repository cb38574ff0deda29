//! The authoriser commands of the User Authorisation Process: approving a starter, a
//! password reset by phone, recording a leaver. Each acts as a named provider administrator.

use custodian_domain::ProviderRole;
use custodian_store::{AuditMeta, SharedStore};

use crate::args::*;
use crate::config::Config;
use crate::{Failure, app_failure, open_store};

/// The signed-in identity of a CLI authoriser: a provider administrator, acting in a practice.
pub(crate) struct CliActor {
    pub(crate) app: custodian_app::App,
    pub(crate) practice: custodian_domain::Practice,
    roles: Vec<custodian_domain::PracticeRole>,
    access: custodian_domain::Access,
    pub(crate) meta: AuditMeta,
}

/// A provider administrator acting from the command line: their access (provider roles only)
/// and the audit identity their actions are recorded under.
pub(crate) async fn provider_administrator(
    store: &SharedStore,
    username: &str,
    practice: Option<custodian_domain::PracticeId>,
) -> Result<
    (
        Vec<custodian_domain::PracticeRole>,
        custodian_domain::Access,
        AuditMeta,
    ),
    Failure,
> {
    let failed = |m: String| Failure::Failed(m);
    let creds = store
        .credentials(username)
        .await
        .map_err(|e| failed(e.to_string()))?
        .filter(|c| c.status == custodian_domain::AccountStatus::Active)
        .ok_or_else(|| {
            failed(format!(
                "--as {username}: no active account has this username"
            ))
        })?;
    let (roles, provider) = store
        .roles(practice, creds.person_id)
        .await
        .map_err(|e| failed(e.to_string()))?;
    if !provider.contains(&ProviderRole::ProviderAdministrator) {
        return Err(failed(format!(
            "--as {username}: only a provider administrator can use these commands"
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
    Ok((roles, access, meta))
}

pub(crate) async fn cli_actor(store: SharedStore, who: &ActingAs) -> Result<CliActor, Failure> {
    let practice = store
        .practice_by_ods(&who.practice)
        .await
        .map_err(|e| Failure::Failed(e.to_string()))?
        .ok_or_else(|| Failure::Failed(format!("no practice has the ODS code {}", who.practice)))?;
    let (roles, access, meta) =
        provider_administrator(&store, &who.acting_as, Some(practice.id)).await?;
    Ok(CliActor {
        app: custodian_app::App::new(store),
        practice,
        roles,
        access,
        meta,
    })
}

impl CliActor {
    pub(crate) fn actor(&self) -> custodian_app::Actor<'_> {
        custodian_app::Actor {
            practice: &self.practice,
            roles: &self.roles,
            access: &self.access,
            meta: &self.meta,
        }
    }
}

/// `custodian starter approve`.
pub(crate) async fn approve_starter(
    config: &Config,
    who: ActingAs,
    reference: String,
    reason: String,
) -> Result<(), Failure> {
    let store = open_store(config).await?;
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
    let (done, otp) =
        custodian_app::identity::approve_request(&cli.app, &cli.actor(), request.id, &reason)
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

/// The store, the caller as an actor in the practice, and the account of the person they act on.
async fn acting_on(
    config: &Config,
    who: &ActingAs,
    username: &str,
) -> Result<(SharedStore, CliActor, custodian_store::Credentials), Failure> {
    let store = open_store(config).await?;
    let cli = cli_actor(store.clone(), who).await?;
    let creds = store
        .credentials(username)
        .await
        .map_err(|e| Failure::Failed(e.to_string()))?
        .ok_or_else(|| Failure::Failed(format!("no account has the username {username}")))?;
    Ok((store, cli, creds))
}

/// `custodian identity verify`: the caller's answers from standard input.
pub(crate) async fn verify_identity(
    config: &Config,
    who: ActingAs,
    username: String,
) -> Result<(), Failure> {
    use std::io::BufRead;
    let (store, cli, creds) = acting_on(config, &who, &username).await?;
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
        custodian_app::identity::IdentityCheck::NoQuestions => Err(Failure::Failed(format!(
            "{username} has no security questions"
        ))),
    }
}

/// `custodian leaver record`.
pub(crate) async fn record_leaver(
    config: &Config,
    who: ActingAs,
    username: String,
    exit_date: String,
    reason: String,
) -> Result<(), Failure> {
    let (_, cli, creds) = acting_on(config, &who, &username).await?;
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
