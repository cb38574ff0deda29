//! A record of a register that other things belong to: evidence files and actions with owners
//! and due dates attach to a record through its [`Holder`], so one mechanism serves every
//! register (an incident, a risk, a personal device's check; a policy later).

use uuid::Uuid;

use crate::{IncidentId, PersonalDeviceId, RiskId};

/// The record evidence files and actions belong to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Holder {
    Incident(IncidentId),
    Risk(RiskId),
    /// A personal device: the evidence of its check (a photo, a screenshot).
    PersonalDevice(PersonalDeviceId),
}

impl Holder {
    /// The register the record is in, as stored.
    pub fn register(self) -> &'static str {
        match self {
            Holder::Incident(_) => "incident",
            Holder::Risk(_) => "risk",
            Holder::PersonalDevice(_) => "personal_device",
        }
    }

    pub fn id(self) -> Uuid {
        match self {
            Holder::Incident(id) => id.0,
            Holder::Risk(id) => id.0,
            Holder::PersonalDevice(id) => id.0,
        }
    }

    /// The holder a stored register and id name.
    pub fn from_parts(register: &str, id: Uuid) -> Option<Holder> {
        match register {
            "incident" => Some(Holder::Incident(IncidentId(id))),
            "risk" => Some(Holder::Risk(RiskId(id))),
            "personal_device" => Some(Holder::PersonalDevice(PersonalDeviceId(id))),
            _ => None,
        }
    }

    /// The record's page, from the practice down (`/incidents/…`).
    pub fn path(self) -> String {
        match self {
            Holder::Incident(id) => format!("/incidents/{id}"),
            Holder::Risk(id) => format!("/risks/{id}"),
            Holder::PersonalDevice(id) => format!("/devices/personal/{id}"),
        }
    }

    /// What the record is called in a sentence ("Incident", "Risk").
    pub fn noun(self) -> &'static str {
        match self {
            Holder::Incident(_) => "Incident",
            Holder::Risk(_) => "Risk",
            Holder::PersonalDevice(_) => "Personal device",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holders_round_trip_through_storage() {
        for h in [
            Holder::Incident(IncidentId::new()),
            Holder::Risk(RiskId::new()),
            Holder::PersonalDevice(PersonalDeviceId::new()),
        ] {
            assert_eq!(Holder::from_parts(h.register(), h.id()), Some(h));
        }
        assert_eq!(Holder::from_parts("nothing", uuid::Uuid::nil()), None);
    }
}
