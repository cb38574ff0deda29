//! Leavers: the exit date recorded, and carried out at the end of that day.

use custodian_domain::identity::{self, NewLeaver};
use custodian_domain::{Permission, PersonId};
use custodian_store::{AuditMeta, Leaver};

use crate::{Actor, App, AppError};

/// Records a leaver; an exit date already past takes effect at once.
pub async fn record_leaver(
    app: &App,
    actor: &Actor<'_>,
    person: PersonId,
    input: &NewLeaver,
) -> Result<Leaver, AppError> {
    app.require(actor, Permission::LeaverRecord, "leaver.record")
        .await?;
    let m = app.target_of(actor, person, "leaver.record").await?;
    let joined = identity::london_today(m.joined_at);
    let (exit_date, reason) = identity::check_leaver(input, joined)?;
    let leaver = app
        .store
        .record_leaver(actor.practice.id, person, exit_date, &reason, actor.meta)
        .await?;
    process_due_leavers(app).await?;
    Ok(app
        .store
        .leavers(actor.practice.id)
        .await?
        .into_iter()
        .find(|l| l.id == leaver.id)
        .unwrap_or(leaver))
}

/// The scheduler's work: carries out every leaver whose exit date has ended (Europe/London, the
/// practice's deactivation hour). Safe to run on several servers at once.
pub async fn process_due_leavers(app: &App) -> Result<usize, AppError> {
    let now = app.clock.now();
    let mut done = 0;
    for l in app.store.scheduled_leavers().await? {
        let settings = app.store.settings(l.practice_id).await?;
        if identity::deactivation_moment(l.exit_date, settings.leaver_deactivation_hour) <= now
            && app
                .store
                .process_leaver(l.id, &AuditMeta::system("scheduler"))
                .await?
                .is_some()
        {
            done += 1;
        }
    }
    Ok(done)
}

/// The scheduler's job: leavers whose exit date has ended are carried out.
pub const JOB: crate::scheduler::Job = crate::scheduler::Job {
    name: "leavers",
    cadence: crate::scheduler::Cadence::EveryTick,
    run: |app| {
        Box::pin(async move {
            let n = process_due_leavers(app).await?;
            Ok((n > 0).then(|| format!("{n} leavers carried out")))
        })
    },
};
