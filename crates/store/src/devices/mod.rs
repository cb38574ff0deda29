//! The equipment register's storage: devices, who holds each, and their custody history.

mod records;
pub use records::*;

use async_trait::async_trait;
use custodian_domain::devices::{Custody, ValidDevice};
use custodian_domain::devices::personal::{ValidCheck, ValidDeclaration};
use custodian_domain::incidents::ValidReport;
use custodian_domain::{DeviceId, IncidentId, PersonId, PracticeId};

use crate::{AuditMeta, Result, Timestamp};

#[async_trait]
pub trait DeviceStore: Send + Sync {
    /// Adds a device, in stock, with the first entry of its history and its event. An asset tag
    /// or a serial number already in the practice's register is a conflict naming the field; an
    /// information asset that is not the practice's is refused.
    async fn add_device(
        &self,
        practice: PracticeId,
        device: &ValidDevice,
        at: Timestamp,
        by: &AuditMeta,
    ) -> Result<Device>;
    /// Changes a device's details (not where it stands: see [`DeviceStore::move_device`]).
    async fn change_device(
        &self,
        practice: PracticeId,
        id: DeviceId,
        device: &ValidDevice,
        at: Timestamp,
        by: &AuditMeta,
    ) -> Result<Device>;
    /// The practice's devices as the filter narrows them, by asset tag.
    async fn devices(&self, practice: PracticeId, filter: &DeviceFilter) -> Result<Vec<Device>>;
    async fn device(&self, practice: PracticeId, id: DeviceId) -> Result<Option<Device>>;
    /// A device's custody history, oldest first.
    async fn device_history(&self, practice: PracticeId, id: DeviceId)
    -> Result<Vec<CustodyEntry>>;
    /// One custody step (issued, returned, lost...), checked against where the device stands
    /// under its row's lock, with its history entry and its event. A person who is not on the
    /// practice's staff is refused, naming the field.
    async fn move_device(
        &self,
        practice: PracticeId,
        id: DeviceId,
        step: &Custody,
        at: Timestamp,
        by: &AuditMeta,
    ) -> Result<Device>;
    /// Declares a member of staff's own device, waiting for their line manager, with its
    /// event.
    async fn declare_personal(
        &self,
        practice: PracticeId,
        owner: PersonId,
        device: &ValidDeclaration,
        at: Timestamp,
        by: &AuditMeta,
    ) -> Result<PersonalDevice>;
    /// The practice's personal devices, or one owner's, newest first.
    async fn personal_devices(
        &self,
        practice: PracticeId,
        owner: Option<PersonId>,
    ) -> Result<Vec<PersonalDevice>>;
    async fn personal_device(
        &self,
        practice: PracticeId,
        id: uuid::Uuid,
    ) -> Result<Option<PersonalDevice>>;
    /// The line manager's decision on the business need, for a device waiting for it (a
    /// conflict otherwise), with its event.
    async fn decide_personal_need(
        &self,
        practice: PracticeId,
        id: uuid::Uuid,
        (approve, reason): (bool, &str),
        at: Timestamp,
        by: &AuditMeta,
    ) -> Result<PersonalDevice>;
    /// Management's check and its outcome, for a device whose need is approved or whose
    /// approval is renewed (a conflict otherwise), approved until `expires_on`, with its event;
    /// and the risk raised from its failed items, if any, in the same transaction.
    #[allow(clippy::too_many_arguments)]
    async fn check_personal(
        &self,
        practice: PracticeId,
        id: uuid::Uuid,
        check: &ValidCheck,
        risk: Option<&custodian_domain::risks::ValidRisk>,
        (approved_on, expires_on): (chrono::NaiveDate, chrono::NaiveDate),
        at: Timestamp,
        by: &AuditMeta,
    ) -> Result<PersonalDevice>;
    /// No longer used for the practice's work: `by` confirms its access to the practice's
    /// applications is removed and the work data on it deleted. One already withdrawn is a
    /// conflict.
    async fn withdraw_personal(
        &self,
        practice: PracticeId,
        id: uuid::Uuid,
        at: Timestamp,
        by: &AuditMeta,
    ) -> Result<PersonalDevice>;
    /// Every practice (by name) with its devices counted by status, for the provider's view;
    /// practices with none too.
    async fn devices_everywhere(&self) -> Result<Vec<custodian_domain::devices::PracticeDevices>>;
    /// A device lost or stolen on `on`: marked so, with the incident `report` reported by
    /// `reporter` and the device linked to it, in one transaction. The incident's id.
    #[allow(clippy::too_many_arguments)]
    async fn lose_device(
        &self,
        practice: PracticeId,
        id: DeviceId,
        on: chrono::NaiveDate,
        report: &ValidReport,
        reporter: PersonId,
        at: Timestamp,
        by: &AuditMeta,
    ) -> Result<(Device, IncidentId)>;
}
