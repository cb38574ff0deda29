//! What people do with email: each person chooses how they hear of each kind of notice, and
//! the practice manager (and the provider's administrators, across practices) read the
//! delivery log.

use custodian_domain::notifications::{self as rules, Delivery, NoticeKind};
use custodian_domain::{Access, FieldError, Invalid, MailId, Permission, PersonId};
use custodian_store::{AuditMeta, MailAttempt, MailLogLine};

use crate::{Actor, App, AppError, parse_id};

/// How a person hears of one kind of notice.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct EmailChoice {
    pub kind: NoticeKind,
    /// The kind as a person reads it.
    pub label: String,
    /// What they chose, or the kind's default.
    pub delivery: Delivery,
    /// Whether they chose it (false: the default).
    pub chosen: bool,
    /// Practices of theirs that require this kind by email: it cannot be switched off.
    pub required_by: Vec<String>,
}

/// A person's choices for every kind, with what their practices require.
pub async fn email_choices(app: &App, person: PersonId) -> Result<Vec<EmailChoice>, AppError> {
    let chosen = app.store.notice_choices(person).await?;
    let mut required: Vec<(NoticeKind, String)> = Vec::new();
    for m in app.store.memberships(person).await? {
        let settings = app.store.settings(m.practice.id).await?;
        for k in settings.required_notice_kinds {
            required.push((k, m.practice.name.clone()));
        }
    }
    Ok(NoticeKind::ALL
        .iter()
        .map(|&kind| {
            let mine = chosen.iter().find(|(k, _)| *k == kind).map(|(_, d)| *d);
            let required_by: Vec<String> = required
                .iter()
                .filter(|(k, _)| *k == kind)
                .map(|(_, p)| p.clone())
                .collect();
            EmailChoice {
                kind,
                label: kind.label().into(),
                delivery: rules::delivery_for(kind, mine, !required_by.is_empty()),
                chosen: mine.is_some(),
                required_by,
            }
        })
        .collect())
}

/// The person sets how they hear of some kinds (`(kind, delivery)` as words); kinds not named
/// keep their choice. A kind one of their practices requires cannot be switched off.
pub async fn set_email_choices(
    app: &App,
    person: PersonId,
    meta: &AuditMeta,
    wanted: &[(String, String)],
) -> Result<Vec<EmailChoice>, AppError> {
    let current = email_choices(app, person).await?;
    let mut problems = Vec::new();
    let mut next: Vec<(NoticeKind, Delivery)> = current
        .iter()
        .filter(|c| c.chosen)
        .map(|c| (c.kind, c.delivery))
        .collect();
    for (kind, delivery) in wanted {
        let Some(k) = NoticeKind::parse(kind) else {
            problems.push(FieldError {
                field: kind.clone(),
                message: format!("'{kind}' is not a kind of notice"),
            });
            continue;
        };
        let Some(d) = Delivery::parse(delivery) else {
            problems.push(FieldError {
                field: kind.clone(),
                message: "Choose at once, in the daily digest, or off".into(),
            });
            continue;
        };
        let c = current.iter().find(|c| c.kind == k).expect("every kind");
        if d == Delivery::Off && !c.required_by.is_empty() {
            problems.push(FieldError {
                field: kind.clone(),
                message: format!(
                    "{} cannot be switched off: {} requires it by email",
                    k.label(),
                    c.required_by.join(", ")
                ),
            });
            continue;
        }
        next.retain(|(old, _)| *old != k);
        next.push((k, d));
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(Invalid(problems)));
    }
    let mut event = meta.event(None, "notifications.choices", "person", Some(person.to_string()));
    event.details = serde_json::json!({
        "choices": next.iter().map(|(k, d)| (k.as_str(), d.as_str())).collect::<std::collections::BTreeMap<_, _>>()
    });
    app.store.set_notice_choices(person, &next, &event).await?;
    email_choices(app, person).await
}

/// The practice's emails, newest first (the practice manager).
pub async fn delivery_log(app: &App, actor: &Actor<'_>) -> Result<Vec<MailLogLine>, AppError> {
    app.require(actor, Permission::PracticeSettingsManage, "mail.log")
        .await?;
    Ok(app.store.mail_log(Some(actor.practice_id()), 500).await?)
}

/// One of the practice's emails: every attempt to send it, with the mail server's answers.
pub async fn delivery_attempts(
    app: &App,
    actor: &Actor<'_>,
    id: &str,
) -> Result<Vec<MailAttempt>, AppError> {
    app.require(actor, Permission::PracticeSettingsManage, "mail.log")
        .await?;
    let id: MailId = parse_id(id)?;
    app.store
        .mail_attempts(id, Some(actor.practice_id()))
        .await?
        .ok_or(AppError::NotFound)
}

/// Every email in every practice, and the provider's alerts (provider administrators).
pub async fn provider_delivery_log(
    app: &App,
    access: &Access,
    meta: &AuditMeta,
) -> Result<Vec<MailLogLine>, AppError> {
    app.require_access(access, meta, None, Permission::ProviderManage, "provider.mail_log")
        .await?;
    Ok(app.store.mail_log(None, 500).await?)
}
