//! Identity and access: the practices' User Authorisation Process.

/// Leavers deactivated on their exit date; what waits for approval or is locked.
pub const CAPABILITY: crate::Capability = crate::Capability {
    jobs: &[leavers::JOB],
    attention: Some(attention),
};

pub mod account;
pub mod administrators;
pub mod leavers;
pub mod resets;
pub mod sign_in;
pub mod starters;

pub use administrators::nominate_administrator;
pub use leavers::{process_due_leavers, record_leaver};
pub use resets::{IdentityCheck, clear_identity_lock, unlock_account, verify_identity};
pub use starters::{approve_request, reject_request, request_access, view_request};

use custodian_domain::validation::counted;
use custodian_domain::Permission;
use custodian_domain::notifications::NoticeKind;
use custodian_domain::identity::LeaverStatus;

use crate::home::{Attention, AttentionFuture};
use crate::{Actor, App};

/// Starter and mover requests waiting for approval; leavers whose access ends today or
/// tomorrow; login tasks in other systems; locked accounts.
pub fn attention<'a>(app: &'a App, actor: &'a Actor<'a>) -> AttentionFuture<'a> {
    Box::pin(async move {
        let practice = actor.practice_id();
        let mut items = Vec::new();
        if actor.access.can(Permission::StarterApprove) {
            let pending = app.store.access_requests(practice, true).await?;
            if !pending.is_empty() {
                let text = counted(pending.len(), "starter or mover request", "starter or mover requests");
                // Due by the soonest start date: the person needs their access that day.
                let first_start = pending.iter().map(|r| r.start_date).min();
                items.push(
                    Attention::task(NoticeKind::StarterRequest, "/requests", format!("{text} waiting for your approval"))
                        .due(first_start),
                );
            }
        }
        // Logins to create or remove in other systems: the task of those who carry them out.
        if actor.access.can(Permission::AccessTasksManage) {
            let open = app.store.access_grants(practice, true).await?.len();
            if open > 0 {
                items.push(Attention::task(
                    NoticeKind::LoginTask,
                    "/tasks",
                    format!("{} in other systems to do", counted(open, "login task", "login tasks")),
                ));
            }
        }
        if actor.access.can(Permission::PeopleView) {
            // Leavers whose access ends today or tomorrow: the logins to remove are next.
            let today = app.today();
            let leavers = app.store.leavers(practice).await?;
            for (day, when, anchor) in [
                (today, "today", "#today"),
                (today + chrono::Duration::days(1), "tomorrow", "#tomorrow"),
            ] {
                let n = leavers
                    .iter()
                    .filter(|l| l.status == LeaverStatus::Scheduled && l.exit_date == day)
                    .count();
                if n > 0 {
                    items.push(
                        Attention::problem(
                            NoticeKind::LeaverExit,
                            format!("/leavers{anchor}"),
                            format!("{} whose access ends {when}", counted(n, "leaver", "leavers")),
                        )
                        .due(Some(day)),
                    );
                }
            }
            let locked = app
                .store
                .locked_accounts(practice, app.clock.now())
                .await?
                .len();
            if locked > 0 {
                items.push(Attention::problem(
                    NoticeKind::AccountLocked,
                    "/security",
                    counted(locked, "locked account", "locked accounts"),
                ));
            }
        }
        Ok(items)
    })
}
