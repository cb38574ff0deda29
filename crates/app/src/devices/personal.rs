//! Personal devices' use cases: a member of staff declares their own device; a line manager
//! decides the business need; management checks it against its kind's list and approves it,
//! approves it with its risks, or refuses it, for a year; whoever holds it, or management, says
//! when it is no longer used, confirming its access removed and the work data deleted. Nobody
//! decides on their own device.

use custodian_domain::devices::personal::{
    self as rules, CheckInput, Declaration, NeedDecision, PersonalStatus,
};
use custodian_domain::notifications::NoticeKind;
use custodian_domain::validation::counted;
use custodian_domain::{Invalid, Permission};
use custodian_store::PersonalDevice;

use crate::home::Attention;
use crate::{Actor, App, AppError, parse_id};

/// Whether the actor sees every personal device: those who run the register and line managers.
fn sees_all(actor: &Actor<'_>) -> bool {
    actor.access.can(Permission::DevicesManage) || actor.access.can(Permission::DeviceNeedDecide)
}

/// A member of staff declares their own device for a piece of work.
pub async fn declare(
    app: &App,
    actor: &Actor<'_>,
    input: &Declaration,
) -> Result<PersonalDevice, AppError> {
    app.require(actor, Permission::DeviceDeclare, "personal_device.declare")
        .await?;
    let valid = input.validate()?;
    Ok(app
        .store
        .declare_personal(actor.practice_id(), actor.access.person, &valid, app.clock.now(), actor.meta)
        .await?)
}

/// The personal devices the actor may see: every one for those who run the register and line
/// managers, their own for everyone else.
pub async fn list(app: &App, actor: &Actor<'_>) -> Result<Vec<PersonalDevice>, AppError> {
    let owner = (!sees_all(actor)).then_some(actor.access.person);
    let found = app.store.personal_devices(actor.practice_id(), owner).await?;
    app.record_read(
        actor
            .event("personal_device.list", "personal_device", None)
            .details(serde_json::json!({ "count": found.len() })),
    )
    .await?;
    Ok(found)
}

/// One personal device, for its owner and those who see them all; the read is recorded.
pub async fn view(app: &App, actor: &Actor<'_>, id: &str) -> Result<PersonalDevice, AppError> {
    let found = app
        .store
        .personal_device(actor.practice_id(), parse_id(id)?)
        .await?
        .filter(|d| d.owner_id == actor.access.person || sees_all(actor))
        .ok_or(AppError::NotFound)?;
    app.record_read(actor.event("personal_device.view", "personal_device", Some(found.id.to_string())))
        .await?;
    Ok(found)
}

/// Who may use a personal device's evidence (the photos of its check): its owner and those
/// who see every personal device read and attach; management removes. To anyone else it does
/// not exist.
pub async fn evidence_use(
    app: &App,
    actor: &Actor<'_>,
    id: custodian_domain::PersonalDeviceId,
    use_: custodian_domain::evidence::EvidenceUse,
) -> Result<(), AppError> {
    app.store
        .personal_device(actor.practice_id(), id.0)
        .await?
        .filter(|d| d.owner_id == actor.access.person || sees_all(actor))
        .ok_or(AppError::NotFound)?;
    if use_ == custodian_domain::evidence::EvidenceUse::Remove {
        app.require(actor, Permission::DevicesManage, "evidence.remove")
            .await?;
    }
    Ok(())
}

/// A device someone other than its owner decides on; their own is refused, naming `field`.
async fn not_their_own(
    app: &App,
    actor: &Actor<'_>,
    id: &str,
    field: &str,
) -> Result<PersonalDevice, AppError> {
    let found = view(app, actor, id).await?;
    if found.owner_id == actor.access.person {
        return Err(Invalid::one(field, "Nobody decides on their own device: ask another manager").into());
    }
    Ok(found)
}

/// The line manager's decision on the business need.
pub async fn decide_need(
    app: &App,
    actor: &Actor<'_>,
    id: &str,
    input: &NeedDecision,
) -> Result<PersonalDevice, AppError> {
    app.require(actor, Permission::DeviceNeedDecide, "personal_device.need")
        .await?;
    let (approve, reason) = input.validate()?;
    let device = not_their_own(app, actor, id, "approve").await?;
    Ok(app
        .store
        .decide_personal_need(actor.practice_id(), device.id, (approve, &reason), app.clock.now(), actor.meta)
        .await?)
}

/// Management's check against the device's list, and its outcome; an approval lasts
/// [`rules::APPROVAL_MONTHS`].
pub async fn check(
    app: &App,
    actor: &Actor<'_>,
    id: &str,
    input: &CheckInput,
) -> Result<PersonalDevice, AppError> {
    app.require(actor, Permission::DevicesManage, "personal_device.check")
        .await?;
    let device = not_their_own(app, actor, id, "outcome").await?;
    let valid = input.validate(device.kind)?;
    let today = app.today();
    let expires = rules::approval_expires(today, rules::APPROVAL_MONTHS);
    // Failed items become a risk in the register, raised with the check.
    let failed = valid.failed(device.kind);
    let risk = if failed.is_empty() {
        None
    } else {
        let (matrix, _) = crate::risks::matrix_of(app, actor).await?;
        let input = rules::risk_from_check(
            &device.make_model,
            &device.owner_name,
            &failed,
            &valid.note,
            matrix.size(),
            actor.access.person,
        );
        Some(input.validate(matrix, today, None)?)
    };
    Ok(app
        .store
        .check_personal(
            actor.practice_id(),
            device.id,
            &valid,
            risk.as_ref(),
            (today, expires),
            app.clock.now(),
            actor.meta,
        )
        .await?)
}

/// No longer used: its owner or management confirms its access is removed and the work data
/// on it deleted.
pub async fn withdraw(app: &App, actor: &Actor<'_>, id: &str) -> Result<PersonalDevice, AppError> {
    let device = view(app, actor, id).await?;
    if device.owner_id != actor.access.person {
        app.require(actor, Permission::DevicesManage, "personal_device.withdraw")
            .await?;
    }
    Ok(app
        .store
        .withdraw_personal(actor.practice_id(), device.id, app.clock.now(), actor.meta)
        .await?)
}

/// How far ahead an approval running out becomes its owner's task.
pub const ATTEST_NOTICE_DAYS: i64 = 30;

/// Personal devices' items: a decision on the need for line managers, a check for management,
/// approvals run out for management, and each owner's own approval running out (their task to
/// attest again).
pub(super) async fn attention(app: &App, actor: &Actor<'_>) -> Result<Vec<Attention>, AppError> {
    let today = app.today();
    let all = app.store.personal_devices(actor.practice_id(), None).await?;
    let count = |s: PersonalStatus| all.iter().filter(|d| d.status == s).count();
    let mut items = Vec::new();
    let waiting = count(PersonalStatus::Declared);
    if waiting > 0 && actor.access.can(Permission::DeviceNeedDecide) {
        items.push(Attention::task(
            NoticeKind::PersonalDevice,
            "/devices/personal",
            format!("{} waiting for a decision on the business need", counted(waiting, "personal device", "personal devices")),
        ));
    }
    let unchecked = count(PersonalStatus::NeedApproved);
    let expired = all
        .iter()
        .filter(|d| d.status.in_use() && d.expires_on.is_some_and(|e| e < today))
        .count();
    if actor.access.can(Permission::DevicesManage) {
        if unchecked > 0 {
            items.push(Attention::problem(
                NoticeKind::PersonalDevice,
                "/devices/personal",
                format!("{} waiting for its check", counted(unchecked, "personal device", "personal devices")),
            ));
        }
        if expired > 0 {
            items.push(Attention::problem(
                NoticeKind::PersonalDevice,
                "/devices/personal",
                format!("{} whose approval has run out", counted(expired, "personal device", "personal devices")),
            ));
        }
    }
    // The SIRO and the DPO hear of personal devices in use with the risks their checks found.
    let with_risks = count(PersonalStatus::ApprovedWithRisks);
    let siro_or_dpo = actor.access.can(Permission::RiskAcceptAboveAppetite)
        || actor.access.can(Permission::EvidenceRecover);
    if with_risks > 0 && siro_or_dpo {
        items.push(Attention::problem(
            NoticeKind::PersonalDevice,
            "/devices/personal",
            format!(
                "{} in use with risks its check found (in the risk register)",
                counted(with_risks, "personal device", "personal devices")
            ),
        ));
    }
    let soon = today + chrono::Duration::days(ATTEST_NOTICE_DAYS);
    items.extend(
        all.iter()
            .filter(|d| d.status.in_use() && d.expires_on.is_some_and(|e| e <= soon))
            .map(|d| {
                Attention::task(
                    NoticeKind::PersonalDevice,
                    format!("/devices/personal/{}", d.id),
                    format!("Attest again that your {} still meets the practice's checks", d.make_model),
                )
                .task_of(d.owner_id)
                .due(d.expires_on)
            }),
    );
    Ok(items)
}
