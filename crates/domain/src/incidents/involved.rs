//! Who and what an incident involved besides what its reporter named: members of staff,
//! information assets, risks and devices of the equipment register, linked by those who handle
//! it (a device reported lost or stolen is linked as it is reported).

use uuid::Uuid;

use crate::{AssetId, DeviceId, Invalid, PersonId, RiskId};

/// A member of staff, an asset, a risk or a device an incident involved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Involved {
    Person(PersonId),
    Asset(AssetId),
    Risk(RiskId),
    Device(DeviceId),
}

/// The kinds, as stored and posted, with what people call them.
pub const INVOLVED_KINDS: [(&str, &str); 4] = [
    ("person", "Member of staff"),
    ("asset", "Information asset"),
    ("risk", "Risk"),
    ("device", "Device"),
];

impl Involved {
    pub fn kind(self) -> &'static str {
        match self {
            Involved::Person(_) => "person",
            Involved::Asset(_) => "asset",
            Involved::Risk(_) => "risk",
            Involved::Device(_) => "device",
        }
    }

    pub fn id(self) -> Uuid {
        match self {
            Involved::Person(id) => id.0,
            Involved::Asset(id) => id.0,
            Involved::Risk(id) => id.0,
            Involved::Device(id) => id.0,
        }
    }

    /// What people call its kind.
    pub fn label(self) -> &'static str {
        INVOLVED_KINDS
            .iter()
            .find(|(k, _)| *k == self.kind())
            .map_or("", |(_, l)| l)
    }

    /// The one a form or the API names by kind and id; the field at fault otherwise.
    pub fn parse(kind: &str, id: &str) -> Result<Involved, Invalid> {
        let id: Option<Uuid> = id.trim().parse().ok();
        let named = |what: &str| Invalid::one("involved_id", format!("Choose {what}"));
        match (kind.trim(), id) {
            ("person", Some(id)) => Ok(Involved::Person(PersonId(id))),
            ("asset", Some(id)) => Ok(Involved::Asset(AssetId(id))),
            ("risk", Some(id)) => Ok(Involved::Risk(RiskId(id))),
            ("device", Some(id)) => Ok(Involved::Device(DeviceId(id))),
            ("person", None) => Err(named("a member of the practice's staff")),
            ("asset", None) => Err(named("one of the practice's information assets")),
            ("risk", None) => Err(named("one of the practice's risks")),
            ("device", None) => Err(named("one of the practice's devices")),
            _ => Err(Invalid::one(
                "kind",
                "Choose a member of staff, an information asset, a risk or a device",
            )),
        }
    }

    /// The one stored by kind and id.
    pub fn from_parts(kind: &str, id: Uuid) -> Option<Involved> {
        Involved::parse(kind, &id.to_string()).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_round_trips_and_a_bad_one_names_its_field() {
        for i in [
            Involved::Person(PersonId::new()),
            Involved::Asset(AssetId::new()),
            Involved::Risk(RiskId::new()),
            Involved::Device(DeviceId::new()),
        ] {
            assert_eq!(Involved::from_parts(i.kind(), i.id()), Some(i));
            assert!(!i.label().is_empty());
        }
        assert_eq!(
            Involved::parse("printer", "x").unwrap_err().0[0].field,
            "kind"
        );
        assert_eq!(
            Involved::parse("person", "").unwrap_err().0[0].field,
            "involved_id"
        );
    }
}
