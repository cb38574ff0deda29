//! How a capability joins the web: its routes, its part of the API document, its rooms on a
//! practice's home page and its pages across practices for provider staff. `crate::CAPABILITIES`
//! lists every capability; the router, the OpenAPI document, the practice home page and the
//! navigation read only that list, so a new register is one line there.

use custodian_domain::Access;

use crate::kit::routes::Routes;

pub struct Capability {
    /// Adds the capability's routes (pages and API) to the table.
    pub routes: fn(&mut Routes),
    /// The capability's part of the OpenAPI document, if it has an API.
    pub api: Option<fn() -> utoipa::openapi::OpenApi>,
    /// Its rooms in a practice, as the practice's home page lists them.
    pub rooms: &'static [Room],
    /// Its pages about every practice, in the provider's navigation.
    pub provider_pages: &'static [ProviderPage],
}

impl Capability {
    /// A capability with routes only.
    pub const fn routes(routes: fn(&mut Routes)) -> Self {
        Capability {
            routes,
            api: None,
            rooms: &[],
            provider_pages: &[],
        }
    }
}

/// A room in a practice: a card on the practice's home page for those who may open it.
pub struct Room {
    /// Where it is, under `/practices/{id}`.
    pub path: &'static str,
    pub title: &'static str,
    /// What it holds, in a line.
    pub description: &'static str,
    /// Whether someone with this access in the practice may open it.
    pub opens: fn(&Access) -> bool,
}

/// A page about every practice, for provider staff whose provider access opens it.
pub struct ProviderPage {
    pub path: &'static str,
    pub label: &'static str,
    pub opens: fn(&Access) -> bool,
}
