//! Notifications: what needs each person's attention in their practices, kept as notices until
//! the thing is done. A scheduled job raises and settles them from the same interface the
//! practice's home page reads (each capability's `attention`), so a register that says what is
//! due on the home page notifies its people too, with nothing more to write.

pub mod calendar;
pub mod email;
pub mod mail;

use std::collections::HashMap;

use custodian_domain::{Access, NoticeId, Permission, PersonId, PracticeRole};
use custodian_domain::notifications::{self as rules, Delivery, NoticeKind};
use custodian_store::{AuditMeta, Notice, WantedNotice};

use crate::home::Attention;

use crate::scheduler::{Cadence, Job};
use crate::{Actor, App, AppError};

/// Raising and settling notices at every tick, the daily digests, the outbox sent.
pub const CAPABILITY: crate::Capability = crate::Capability {
    jobs: &[NOTICES, mail::DIGESTS, mail::SEND],
    attention: None,
};

/// The scheduler's job: every practice's notices brought in line with what needs attention.
pub const NOTICES: Job = Job {
    name: "notices",
    cadence: Cadence::EveryTick,
    run: |app| {
        Box::pin(async move {
            let n = raise_notices(app).await?;
            Ok((n > 0).then(|| format!("{n} notices raised")))
        })
    },
};

/// For every current member of every practice, the notices that match what needs their
/// attention there now: new items raised, changed ones updated, finished ones settled (and a
/// leaver's settled too). What needs attention depends on a person's roles, so it is worked out
/// once per set of roles in a practice; a practice where nothing changed costs one read.
/// Returns how many notices were raised.
pub async fn raise_notices(app: &App) -> Result<usize, AppError> {
    let now = app.clock.now();
    let meta = AuditMeta::system("notices");
    let mut raised = 0;
    let chosen: HashMap<(PersonId, NoticeKind), Delivery> = app
        .store
        .all_notice_choices()
        .await?
        .into_iter()
        .map(|(p, k, d)| ((p, k), d))
        .collect();
    for practice in crate::practices::all_practices(app).await? {
        let staff = app.store.access_overview(practice.id).await?;
        let settings = app.store.settings(practice.id).await?;
        let mut by_roles: HashMap<Vec<PracticeRole>, Vec<Attention>> = HashMap::new();
        let mut wanted = Vec::new();
        for member in staff
            .iter()
            .filter(|m| m.status == custodian_domain::AccountStatus::Active)
        {
            let mut roles = member.roles.clone();
            roles.sort();
            if !by_roles.contains_key(&roles) {
                let access = Access::new(member.person_id, &roles, &[]);
                let actor = Actor {
                    practice: &practice,
                    roles: &roles,
                    access: &access,
                    meta: &meta,
                };
                let items = crate::home::for_roles(app, &actor).await?;
                by_roles.insert(roles.clone(), items);
            }
            let items = by_roles[&roles]
                .iter()
                .filter(|a| a.person.is_none_or(|p| p == member.person_id))
                .map(|a| {
                    let choice = chosen.get(&(member.person_id, a.kind)).copied();
                    let required = settings.required_notice_kinds.contains(&a.kind);
                    WantedNotice {
                        kind: a.kind,
                        topic: a.path.clone(),
                        text: a.text.clone(),
                        delivery: rules::delivery_for(a.kind, choice, required),
                    }
                })
                .collect();
            wanted.push((member.person_id, items));
        }
        raised += app.store.sync_notices(practice.id, &wanted, now).await?;
    }
    Ok(raised)
}

/// Every practice with what is waiting for someone's attention there (provider staff).
pub async fn across_practices(
    app: &App,
    access: &Access,
    meta: &AuditMeta,
) -> Result<Vec<custodian_store::PracticeNotices>, AppError> {
    let view = Permission::ProviderView;
    app.require_access(access, meta, None, view, "provider.notices")
        .await?;
    Ok(app.store.practice_notices().await?)
}

/// A person's notices in every practice, newest first (with the settled ones when asked).
pub async fn notices_of(
    app: &App,
    person: PersonId,
    with_settled: bool,
) -> Result<Vec<Notice>, AppError> {
    Ok(app.store.notices(person, with_settled, 200).await?)
}

/// How many of a person's live notices are unread (the count in every page's header).
pub async fn unread(app: &App, person: PersonId) -> Result<i64, AppError> {
    Ok(app.store.unread_notices(person).await?)
}

/// The person has read one of their notices, which is returned (someone else's is not found).
pub async fn mark_read(app: &App, person: PersonId, id: NoticeId) -> Result<Notice, AppError> {
    app.store
        .mark_notice_read(person, id, app.clock.now())
        .await?
        .ok_or(AppError::NotFound)
}
