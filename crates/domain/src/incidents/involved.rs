//! Who and what an incident involved besides what its reporter named: members of staff,
//! information assets and risks (devices when the equipment register exists), linked by those
//! who handle it.

use uuid::Uuid;

use crate::{AssetId, Invalid, PersonId, RiskId};

/// A member of staff, an asset or a risk an incident involved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Involved {
    Person(PersonId),
    Asset(AssetId),
    Risk(RiskId),
}

/// The kinds, as stored and posted, with what people call them.
pub const INVOLVED_KINDS: [(&str, &str); 3] = [
    ("person", "Member of staff"),
    ("asset", "Information asset"),
    ("risk", "Risk"),
];

impl Involved {
    pub fn kind(self) -> &'static str {
        match self {
            Involved::Person(_) => "person",
            Involved::Asset(_) => "asset",
            Involved::Risk(_) => "risk",
        }
    }

    pub fn id(self) -> Uuid {
        match self {
            Involved::Person(id) => id.0,
            Involved::Asset(id) => id.0,
            Involved::Risk(id) => id.0,
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
            ("person", None) => Err(named("a member of the practice's staff")),
            ("asset", None) => Err(named("one of the practice's information assets")),
            ("risk", None) => Err(named("one of the practice's risks")),
            _ => Err(Invalid::one(
                "kind",
                "Choose a member of staff, an information asset or a risk",
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
        ] {
            assert_eq!(Involved::from_parts(i.kind(), i.id()), Some(i));
            assert!(!i.label().is_empty());
        }
        assert_eq!(
            Involved::parse("device", "x").unwrap_err().0[0].field,
            "kind"
        );
        assert_eq!(
            Involved::parse("person", "").unwrap_err().0[0].field,
            "involved_id"
        );
    }
}
