//! The incident register's storage: reports with their first timeline entry, the handling
//! steps, and the register's lists.

mod records;
pub use records::*;

use async_trait::async_trait;
use custodian_domain::incidents::{Involved, Step, ValidReport};
use custodian_domain::{IncidentId, PersonId, PracticeId};

use crate::{AuditMeta, Result, Timestamp};

#[async_trait]
pub trait IncidentStore: Send + Sync {
    /// Records a report made at `at` by `reporter`: the incident (numbered in its practice's
    /// year), its first timeline entry and its event commit together. An asset that is not the
    /// practice's is refused.
    async fn report_incident(
        &self,
        practice: PracticeId,
        report: &ValidReport,
        reporter: PersonId,
        at: Timestamp,
        by: &AuditMeta,
    ) -> Result<Incident>;
    /// A report that names who or what it involved (a device the reporter holds): the report
    /// and the link, with their events, in one transaction; one not of the practice is refused,
    /// naming the field, and nothing is reported.
    async fn report_incident_involving(
        &self,
        practice: PracticeId,
        report: &ValidReport,
        reporter: PersonId,
        who: Involved,
        at: Timestamp,
        by: &AuditMeta,
    ) -> Result<Incident>;
    /// The practice's incidents as the filter narrows them, newest first.
    async fn incidents(&self, practice: PracticeId, filter: &IncidentFilter)
    -> Result<Vec<Incident>>;
    async fn incident(&self, practice: PracticeId, id: IncidentId) -> Result<Option<Incident>>;
    /// An incident's timeline, oldest first.
    async fn incident_entries(
        &self,
        practice: PracticeId,
        id: IncidentId,
    ) -> Result<Vec<IncidentEntry>>;
    /// Links a member of staff, an asset or a risk of the practice to the incident, with a
    /// timeline entry and its event (`incident.involve`). One not of the practice is refused,
    /// naming the field; one already linked changes nothing.
    async fn involve_in_incident(
        &self,
        practice: PracticeId,
        id: IncidentId,
        who: Involved,
        at: Timestamp,
        by: &AuditMeta,
    ) -> Result<()>;
    /// Removes a link, with a timeline entry and its event (`incident.release`).
    async fn release_from_incident(
        &self,
        practice: PracticeId,
        id: IncidentId,
        who: Involved,
        at: Timestamp,
        by: &AuditMeta,
    ) -> Result<()>;
    /// Who and what the incident involves, with their names.
    async fn incident_involved(
        &self,
        practice: PracticeId,
        id: IncidentId,
    ) -> Result<Vec<InvolvedEntry>>;
    /// Every practice (by name) with its open incidents, for the provider's overview.
    async fn open_incidents_everywhere(&self) -> Result<Vec<PracticeOpenIncidents>>;
    /// One step of handling, with its timeline entry and event, in one transaction. A closed
    /// incident takes no more steps (refused as a conflict).
    async fn handle_incident(
        &self,
        practice: PracticeId,
        id: IncidentId,
        step: &Step,
        at: Timestamp,
        by: &AuditMeta,
    ) -> Result<Incident>;
}
