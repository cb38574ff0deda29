//! The equipment register: the devices a practice issues (desktops to encrypted USB sticks), who
//! holds each one, and where it stands from the stock cupboard to its disposal. Plain rules, no
//! I/O.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::status::status_enum;
use crate::validation::Checker;
use crate::{AssetId, Invalid, PersonId};

pub mod personal;
#[cfg(test)]
mod tests;

status_enum!(
    /// What kind of device, as the Information Security Protocol names them.
    DeviceKind {
        Desktop => "desktop",
        Laptop => "laptop",
        Tablet => "tablet",
        Smartphone => "smartphone",
        RemovableMedia => "removable_media",
        RouterFirewall => "router_firewall",
        Server => "server",
        Printer => "printer",
    }
);

status_enum!(
    /// Where a device stands.
    DeviceStatus {
        InStock => "in_stock",
        Issued => "issued",
        InRepair => "in_repair",
        LostOrStolen => "lost_or_stolen",
        Disposed => "disposed",
    }
);

impl DeviceKind {
    pub fn label(self) -> &'static str {
        match self {
            DeviceKind::Desktop => "Desktop computer",
            DeviceKind::Laptop => "Laptop",
            DeviceKind::Tablet => "Tablet",
            DeviceKind::Smartphone => "Smartphone",
            DeviceKind::RemovableMedia => "Encrypted USB or other removable media",
            DeviceKind::RouterFirewall => "Router or firewall",
            DeviceKind::Server => "Server",
            DeviceKind::Printer => "Printer",
        }
    }
}

impl DeviceStatus {
    pub fn label(self) -> &'static str {
        match self {
            DeviceStatus::InStock => "In stock",
            DeviceStatus::Issued => "Issued",
            DeviceStatus::InRepair => "In repair",
            DeviceStatus::LostOrStolen => "Lost or stolen",
            DeviceStatus::Disposed => "Disposed of",
        }
    }
}

/// The most devices a practice's register lists at once.
pub const REGISTER_MAX: u32 = 20_000;
const TAG_MAX: usize = 50;
const SHORT_MAX: usize = 200;
const NOTES_MAX: usize = 2_000;

/// A device as typed into the form or the API.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(default)]
pub struct DeviceInput {
    /// The practice's own label on the device (its asset tag), unique in the practice.
    #[schema(required = true, min_length = 1, max_length = 50)]
    pub asset_tag: String,
    /// One of the kinds.
    #[schema(
        required = true,
        pattern = "^(desktop|laptop|tablet|smartphone|removable_media|router_firewall|server|printer)$"
    )]
    pub kind: String,
    /// Make and model, e.g. "Dell Latitude 5440".
    #[schema(max_length = 200)]
    pub make_model: String,
    /// The maker's serial number, unique in the practice when given.
    #[schema(max_length = 200)]
    pub serial: String,
    /// Operating system, e.g. "Windows 11 Pro".
    #[schema(max_length = 200)]
    pub operating_system: String,
    #[schema(max_length = 200)]
    pub os_version: String,
    /// Where it is kept or used.
    #[schema(max_length = 200)]
    pub location: String,
    /// The information asset it is part of (a server, the network), if any.
    pub asset_id: Option<AssetId>,
    #[schema(max_length = 2000)]
    pub notes: String,
}

/// A device that passed its checks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidDevice {
    pub asset_tag: String,
    pub kind: DeviceKind,
    pub make_model: String,
    pub serial: String,
    pub operating_system: String,
    pub os_version: String,
    pub location: String,
    pub asset_id: Option<AssetId>,
    pub notes: String,
}

impl DeviceInput {
    /// Checks every field at once: an asset tag and a kind are needed, the rest is bounded text.
    pub fn validate(&self) -> Result<ValidDevice, Invalid> {
        let mut c = Checker::new();
        let asset_tag = c.text("asset_tag", "the asset tag", &self.asset_tag, TAG_MAX);
        let kind = DeviceKind::parse(self.kind.trim());
        if kind.is_none() {
            c.fail("kind", "Choose what kind of device it is");
        }
        let mut optional = |field: &str, label: &str, value: &str, max: usize| {
            let value = value.trim();
            if let Some(problem) = crate::validation::text_problem(value, max) {
                c.fail(field, format!("{label} {problem}"));
            }
            value.to_string()
        };
        let make_model = optional("make_model", "Make and model", &self.make_model, SHORT_MAX);
        let serial = optional("serial", "The serial number", &self.serial, SHORT_MAX);
        let operating_system = optional(
            "operating_system",
            "The operating system",
            &self.operating_system,
            SHORT_MAX,
        );
        let os_version = optional("os_version", "Its version", &self.os_version, SHORT_MAX);
        let location = optional("location", "Where it is", &self.location, SHORT_MAX);
        let notes = optional("notes", "The notes", &self.notes, NOTES_MAX);
        c.finish()?;
        Ok(ValidDevice {
            asset_tag,
            kind: kind.expect("checked"),
            make_model,
            serial,
            operating_system,
            os_version,
            location,
            asset_id: self.asset_id,
            notes,
        })
    }
}

/// What happens to a device in the register, each step from where it stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Custody {
    /// Given to a member of staff, who signed for it (or not yet) on the day.
    Issue {
        to: PersonId,
        on: NaiveDate,
        signed: bool,
    },
    /// Handed back, into stock.
    Return { on: NaiveDate },
    /// Sent for repair.
    Repair { on: NaiveDate },
    /// Back from repair, or found again, into stock.
    Restock { on: NaiveDate },
    /// Lost or stolen (an incident is reported with it).
    Lose { on: NaiveDate },
    /// Disposed of, with how its data was destroyed.
    Dispose { on: NaiveDate, how: String },
}

impl Custody {
    /// The status the step leaves the device in.
    pub fn status_after(&self) -> DeviceStatus {
        match self {
            Custody::Issue { .. } => DeviceStatus::Issued,
            Custody::Return { .. } | Custody::Restock { .. } => DeviceStatus::InStock,
            Custody::Repair { .. } => DeviceStatus::InRepair,
            Custody::Lose { .. } => DeviceStatus::LostOrStolen,
            Custody::Dispose { .. } => DeviceStatus::Disposed,
        }
    }

    /// The step's word, as the device's history and its audit event name it.
    pub fn word(&self) -> &'static str {
        match self {
            Custody::Issue { .. } => "issue",
            Custody::Return { .. } => "return",
            Custody::Repair { .. } => "repair",
            Custody::Restock { .. } => "restock",
            Custody::Lose { .. } => "lose",
            Custody::Dispose { .. } => "dispose",
        }
    }

    pub fn on(&self) -> NaiveDate {
        match self {
            Custody::Issue { on, .. }
            | Custody::Return { on }
            | Custody::Repair { on }
            | Custody::Restock { on }
            | Custody::Lose { on }
            | Custody::Dispose { on, .. } => *on,
        }
    }

    /// Whether a device standing at `from` may take this step: a device is issued only from
    /// stock, returned only while issued, never anything once disposed of; a lost device is
    /// only found (restocked) or written off (disposed of).
    pub fn allowed_from(&self, from: DeviceStatus) -> Result<(), Invalid> {
        use DeviceStatus::*;
        let ok = match self {
            Custody::Issue { .. } => from == InStock,
            Custody::Return { .. } => from == Issued,
            Custody::Repair { .. } => matches!(from, InStock | Issued),
            Custody::Restock { .. } => matches!(from, InRepair | LostOrStolen),
            Custody::Lose { .. } => matches!(from, InStock | Issued | InRepair),
            Custody::Dispose { .. } => matches!(from, InStock | InRepair | LostOrStolen),
        };
        if ok {
            return Ok(());
        }
        let why = match (self, from) {
            (_, Disposed) => "It has been disposed of: nothing more can happen to it".to_string(),
            (Custody::Issue { .. }, Issued) => {
                "It is issued to someone already: record its return first".to_string()
            }
            (Custody::Dispose { .. }, Issued) => {
                "It is still issued to someone: record its return first".to_string()
            }
            (_, from) => format!(
                "A device that is {} cannot be {}",
                from.label().to_lowercase(),
                self.past()
            ),
        };
        Err(Invalid::one("step", why))
    }

    fn past(&self) -> &'static str {
        match self {
            Custody::Issue { .. } => "issued",
            Custody::Return { .. } => "returned",
            Custody::Repair { .. } => "sent for repair",
            Custody::Restock { .. } => "put back in stock",
            Custody::Lose { .. } => "reported lost",
            Custody::Dispose { .. } => "disposed of",
        }
    }
}

/// A custody step as typed into the form or the API.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(default)]
pub struct CustodyInput {
    /// issue, return, repair, restock, lose or dispose.
    #[schema(
        required = true,
        pattern = "^(issue|return|repair|restock|lose|dispose)$"
    )]
    pub step: String,
    /// The day, `YYYY-MM-DD`; today when empty. Not in the future.
    #[schema(pattern = "^$|^(19|20|21)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub on: String,
    /// For `issue`: the member of staff it is given to.
    pub to: Option<PersonId>,
    /// For `issue`: whether they signed for it.
    pub signed: bool,
    /// For `dispose`: how its data was destroyed (a certificate's reference, the method).
    #[schema(max_length = 2000)]
    pub how: String,
    /// For `lose`: what happened, in the reporter's words (the incident reported with it).
    #[schema(max_length = 10000)]
    pub what_happened: String,
    /// For `lose`: whether patients' information was on it.
    pub patient_data: bool,
    /// For `lose`: whether staff information was on it.
    pub staff_data: bool,
}

impl CustodyInput {
    /// The step it asks for, checked against `today`: a known step, a real day not in the
    /// future, a person for an issue, how the data was destroyed for a disposal.
    pub fn validate(&self, today: NaiveDate) -> Result<Custody, Invalid> {
        let mut c = Checker::new();
        let on = if self.on.trim().is_empty() {
            Some(today)
        } else {
            match crate::time::parse_date(self.on.trim()) {
                None => {
                    c.fail("on", "Enter the day as a date, for example 2026-12-31");
                    None
                }
                Some(d) if d > today => {
                    c.fail("on", "The day is in the future");
                    None
                }
                Some(d) => Some(d),
            }
        };
        let step = self.step.trim();
        if step == "issue" && self.to.is_none() {
            c.fail("to", "Choose who the device is issued to");
        }
        if step == "lose" {
            c.text(
                "what_happened",
                "what happened: where and when it was last seen",
                &self.what_happened,
                crate::incidents::DESCRIPTION_MAX,
            );
        }
        let how = if step == "dispose" {
            c.text("how", "how its data was destroyed", &self.how, NOTES_MAX)
        } else {
            String::new()
        };
        if !matches!(
            step,
            "issue" | "return" | "repair" | "restock" | "lose" | "dispose"
        ) {
            c.fail("step", "Choose what happened to the device");
        }
        c.finish()?;
        let on = on.expect("checked");
        Ok(match step {
            "issue" => Custody::Issue {
                to: self.to.expect("checked"),
                on,
                signed: self.signed,
            },
            "return" => Custody::Return { on },
            "repair" => Custody::Repair { on },
            "restock" => Custody::Restock { on },
            "lose" => Custody::Lose { on },
            _ => Custody::Dispose { on, how },
        })
    }
}

/// The incident reported with a device lost or stolen on `on`: a loss of the device, found out
/// about `now`, with what the reporter said and whether patients' or staff information was on it.
pub fn loss_report(
    device: &str,
    on: NaiveDate,
    input: &CustodyInput,
    now: chrono::DateTime<chrono::Utc>,
) -> crate::incidents::ValidReport {
    let occurred = crate::time::london_midnight(on).min(now);
    crate::incidents::ValidReport {
        what_happened: format!("{device} lost or stolen. {}", input.what_happened.trim()),
        kind: crate::incidents::IncidentKind::LostOrStolen,
        occurred_at: occurred,
        discovered_at: now,
        location: String::new(),
        patient_data: input.patient_data,
        staff_data: input.staff_data,
        near_miss: false,
        asset_id: None,
        on_behalf_of: None,
    }
}

/// A practice's equipment register in figures, for the provider's view across practices.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PracticeDevices {
    pub practice_id: crate::PracticeId,
    pub practice: String,
    pub ods_code: String,
    /// Every device not disposed of.
    pub in_use: u32,
    pub issued: u32,
    pub in_stock: u32,
    pub in_repair: u32,
    pub lost_or_stolen: u32,
    pub disposed: u32,
}

impl PracticeDevices {
    /// Counts one status's devices in.
    pub fn add(&mut self, status: DeviceStatus, n: u32) {
        match status {
            DeviceStatus::Issued => self.issued += n,
            DeviceStatus::InStock => self.in_stock += n,
            DeviceStatus::InRepair => self.in_repair += n,
            DeviceStatus::LostOrStolen => self.lost_or_stolen += n,
            DeviceStatus::Disposed => self.disposed += n,
        }
        if status != DeviceStatus::Disposed {
            self.in_use += n;
        }
    }
}
