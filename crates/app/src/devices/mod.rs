//! The equipment register's use cases: adding and changing the practice's devices, issuing them
//! to staff and taking them back, repairs, losses and disposals (those who run the register);
//! every member of staff reads what they hold.

/// Equipment to collect from leavers, for those who run the register.
pub const CAPABILITY: crate::Capability = crate::Capability {
    jobs: &[],
    attention: Some(attention),
};

/// How far ahead of a leaver's exit date their equipment becomes a task.
pub const RETURN_NOTICE_DAYS: i64 = 30;

/// For those who run the register: each device issued to someone leaving within
/// [`RETURN_NOTICE_DAYS`] (or already gone) is a task to collect it, due on the exit date.
pub fn attention<'a>(app: &'a App, actor: &'a Actor<'a>) -> crate::home::AttentionFuture<'a> {
    Box::pin(async move {
        use crate::home::Attention;
        let mut items = personal::attention(app, actor).await?;
        if !actor.access.can(Permission::DevicesManage) {
            return Ok(items);
        }
        let practice = actor.practice_id();
        let horizon = app.today() + chrono::Duration::days(RETURN_NOTICE_DAYS);
        let leaving: BTreeMap<PersonId, chrono::NaiveDate> = app
            .store
            .leavers(practice)
            .await?
            .into_iter()
            .filter(|l| l.status != LeaverStatus::Cancelled && l.exit_date <= horizon)
            .map(|l| (l.person_id, l.exit_date))
            .collect();
        if leaving.is_empty() {
            return Ok(items);
        }
        let issued = DeviceFilter {
            status: Some(DeviceStatus::Issued),
            limit: REGISTER_MAX,
            ..Default::default()
        };
        let collect = app
            .store
            .devices(practice, &issued)
            .await?
            .into_iter()
            .filter_map(|d| {
                let exit = *leaving.get(&d.holder_id?)?;
                Some(
                    Attention::task(
                        NoticeKind::DeviceReturn,
                        format!("/devices/{}", d.id),
                        format!(
                            "Collect {} ({}) from {}, who is leaving",
                            d.asset_tag,
                            d.kind.label().to_lowercase(),
                            d.holder_name.unwrap_or_default()
                        ),
                    )
                    .due(Some(exit)),
                )
            });
        items.extend(collect);
        // A leaver's personal devices in use: their access removed and work data deleted.
        let personal = app.store.personal_devices(practice, None).await?;
        items.extend(personal.into_iter().filter(|d| d.status.in_use()).filter_map(|d| {
            let exit = *leaving.get(&d.owner_id)?;
            Some(
                Attention::task(
                    NoticeKind::DeviceReturn,
                    format!("/devices/personal/{}", d.id),
                    format!(
                        "Remove {}'s access from their {} and confirm the work data on it is deleted",
                        d.owner_name, d.make_model
                    ),
                )
                .due(Some(exit)),
            )
        }));
        Ok(items)
    })
}

pub mod personal;

use std::collections::BTreeMap;

use custodian_domain::devices::{
    self, Custody, CustodyInput, DeviceInput, DeviceStatus, REGISTER_MAX,
};
use custodian_domain::identity::LeaverStatus;
use custodian_domain::notifications::NoticeKind;
use custodian_domain::{DeviceId, IncidentId, Permission, PersonId};
use custodian_store::{CustodyEntry, Device, DeviceFilter};

use crate::{Actor, App, AppError, parse_id};

/// The register as the filter narrows it, for those who run it; the read is recorded.
pub async fn list(
    app: &App,
    actor: &Actor<'_>,
    mut filter: DeviceFilter,
) -> Result<Vec<Device>, AppError> {
    app.require(actor, Permission::DevicesManage, "device.list")
        .await?;
    filter.limit = filter.limit.clamp(1, REGISTER_MAX);
    let found = app.store.devices(actor.practice_id(), &filter).await?;
    app.record_read(
        actor
            .event("device.list", "device", None)
            .details(serde_json::json!({ "count": found.len() })),
    )
    .await?;
    Ok(found)
}

/// What the actor holds: every member of staff reads their own equipment.
pub async fn mine(app: &App, actor: &Actor<'_>) -> Result<Vec<Device>, AppError> {
    held_by(app, actor, actor.access.person).await
}

/// What a member of staff holds, as their record shows it: to themselves and to those who run
/// the register; nothing to anyone else.
pub async fn held_by(
    app: &App,
    actor: &Actor<'_>,
    person: PersonId,
) -> Result<Vec<Device>, AppError> {
    if person != actor.access.person && !actor.access.can(Permission::DevicesManage) {
        return Ok(vec![]);
    }
    let filter = DeviceFilter {
        holder: Some(person),
        limit: REGISTER_MAX,
        ..Default::default()
    };
    Ok(app.store.devices(actor.practice_id(), &filter).await?)
}

/// A device and its custody history: for those who run the register, and for whoever holds
/// it; to anyone else it does not exist. The read is recorded.
pub async fn view(
    app: &App,
    actor: &Actor<'_>,
    id: &str,
) -> Result<(Device, Vec<CustodyEntry>), AppError> {
    let id: DeviceId = parse_id(id)?;
    let practice = actor.practice_id();
    let found = app
        .store
        .device(practice, id)
        .await?
        .filter(|d| {
            actor.access.can(Permission::DevicesManage) || d.holder_id == Some(actor.access.person)
        })
        .ok_or(AppError::NotFound)?;
    let history = app.store.device_history(practice, id).await?;
    app.record_read(actor.event("device.view", "device", Some(id.to_string())))
        .await?;
    Ok((found, history))
}

/// Adds a device to the register, in stock.
pub async fn add(app: &App, actor: &Actor<'_>, input: &DeviceInput) -> Result<Device, AppError> {
    app.require(actor, Permission::DevicesManage, "device.add")
        .await?;
    let valid = input.validate()?;
    Ok(app
        .store
        .add_device(actor.practice_id(), &valid, app.clock.now(), actor.meta)
        .await?)
}

/// Changes a device's details.
pub async fn change(
    app: &App,
    actor: &Actor<'_>,
    id: &str,
    input: &DeviceInput,
) -> Result<Device, AppError> {
    app.require(actor, Permission::DevicesManage, "device.change")
        .await?;
    let id: DeviceId = parse_id(id)?;
    let valid = input.validate()?;
    Ok(app
        .store
        .change_device(actor.practice_id(), id, &valid, app.clock.now(), actor.meta)
        .await?)
}

/// One custody step: issued to a member of staff, returned, sent for repair, back in stock,
/// lost or stolen, disposed of. A loss reports its incident in the same step, with the device
/// linked to it, for the DPL and DPO to grade: its id is returned with the device.
pub async fn custody(
    app: &App,
    actor: &Actor<'_>,
    id: &str,
    input: &CustodyInput,
) -> Result<(Device, Option<IncidentId>), AppError> {
    app.require(actor, Permission::DevicesManage, "device.custody")
        .await?;
    let id: DeviceId = parse_id(id)?;
    let practice = actor.practice_id();
    let step = input.validate(app.today())?;
    let now = app.clock.now();
    if let Custody::Lose { on } = step {
        let device = app
            .store
            .device(practice, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let name = match device.make_model.as_str() {
            "" => device.asset_tag.clone(),
            model => format!("{} ({model})", device.asset_tag),
        };
        let report = devices::loss_report(&name, on, input, now);
        let (device, incident) = app
            .store
            .lose_device(practice, id, on, &report, actor.access.person, now, actor.meta)
            .await?;
        return Ok((device, Some(incident)));
    }
    let device = app
        .store
        .move_device(practice, id, &step, now, actor.meta)
        .await?;
    Ok((device, None))
}

/// Every practice's equipment in figures, those with devices lost or stolen first (provider
/// staff).
pub async fn across_practices(
    app: &App,
    access: &custodian_domain::Access,
    meta: &custodian_store::AuditMeta,
) -> Result<Vec<devices::PracticeDevices>, AppError> {
    app.require_access(access, meta, None, Permission::ProviderView, "provider.devices")
        .await?;
    let mut all = app.store.devices_everywhere().await?;
    all.sort_by(|a, b| b.lost_or_stolen.cmp(&a.lost_or_stolen).then_with(|| a.practice.cmp(&b.practice)));
    Ok(all)
}
