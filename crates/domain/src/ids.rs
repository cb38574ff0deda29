//! Identifiers. Every record has a UUIDv7 (time-ordered, so indexes stay compact); each kind of
//! record has its own type, so a person's id can never be passed where a practice's is expected.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($name:ident, $what:literal) => {
        #[doc = concat!("The identifier of ", $what, ".")]
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new, time-ordered identifier.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }

        impl From<Uuid> for $name {
            fn from(u: Uuid) -> Self {
                Self(u)
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)))
                    .into()
            }
        }
        impl utoipa::ToSchema for $name {}
    };
}

id_type!(
    PracticeId,
    "a practice (a tenant: every practice-scoped record carries one)"
);
id_type!(
    PersonId,
    "a person: a member of staff of one or more practices, or of the provider"
);
id_type!(AssetId, "an information asset in a practice's register");
id_type!(RiskId, "an information risk in a practice's register");
id_type!(FlowId, "a data flow out of (or into) an information asset");
id_type!(
    AccessEntryId,
    "an entry of who has access to an asset, and why"
);
id_type!(
    AccessReviewId,
    "a signed-off review of who has access to an asset"
);
id_type!(ActionId, "an action of a risk's treatment plan");
id_type!(RiskReviewId, "a review of a risk");
id_type!(AcceptanceId, "an acceptance of a risk");
id_type!(SessionId, "a signed-in session");
id_type!(ApiTokenId, "an API token");
id_type!(
    SystemId,
    "one of a practice's other systems staff need logins for"
);
id_type!(RequestId, "a starter or mover request");
id_type!(
    GrantId,
    "a task to create or remove a login in another system"
);
id_type!(
    LeaverId,
    "a leaver: someone whose access ends on an exit date"
);
id_type!(NominationId, "a nomination of a system administrator");
id_type!(ImportId, "a spreadsheet import into a register");
id_type!(
    NoticeId,
    "a notice: something that needs a person's attention"
);
id_type!(MailId, "an email in the outbox");
id_type!(IncidentId, "an information incident reported in a practice");
id_type!(EvidenceId, "an evidence file attached to a record");
id_type!(DeviceId, "a device in a practice's equipment register");
id_type!(
    PersonalDeviceId,
    "a member of staff's own device, declared for the practice's work"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_text_and_are_time_ordered() {
        let a = PracticeId::new();
        let b = PracticeId::new();
        assert!(a < b, "UUIDv7 ids sort in creation order");
        assert_eq!(a, a.to_string().parse().unwrap());
        assert!("not-a-uuid".parse::<PersonId>().is_err());
    }
}
