//! The equipment register in the web UI and the JSON API: the practice's devices, who holds
//! each, and every custody step (issued, returned, repaired, lost, disposed of); every member of
//! staff sees what they hold.

use askama::Template;
use axum::Json;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use custodian_app::devices as uc;
use custodian_domain::Permission;
use custodian_domain::devices::{CustodyInput, DeviceInput, DeviceKind, DeviceStatus};
use custodian_store::{CustodyEntry, Device, DeviceFilter};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::kit::capability::{Capability, ProviderPage, Room};
use crate::kit::error::Problem;
use crate::kit::forms::{
    Errors, Options, PageQuery, Paged, PracticeParam, choose, posted, posted_as, submitted,
};
use crate::kit::layout::{Layout, render_with};
use crate::kit::routes::{Reach, Routes};
use crate::kit::session::{InPractice, PracticeScope};
use crate::{AppState, HttpError};

mod api;
mod pages;
mod personal;
mod provider;
pub(crate) use api::*;
pub(crate) use pages::*;
pub(crate) use personal::*;
pub(crate) use provider::*;

pub fn routes(r: &mut Routes) {
    r.get("/provider/devices", Reach::SignedIn, provider_page)
        .get("/api/v1/provider/devices", Reach::SignedIn, api_provider);
    r.pages()
        .get("/devices", list_page)
        .post("/devices", crate::kit::entry_form::create_submit::<DeviceForm>)
        .get("/devices/new", new_page)
        .get("/devices/{device_id}", device_page)
        .post("/devices/{device_id}", crate::kit::entry_form::edit_submit::<DeviceForm>)
        .get("/devices/{device_id}/edit", edit_page)
        .post("/devices/{device_id}/custody", custody_submit)
        .get("/devices/personal", personal_list_page)
        .post("/devices/personal", declare_submit)
        .get("/devices/personal/new", declare_page)
        .get("/devices/personal/{personal_device_id}", personal_page)
        .post("/devices/personal/{personal_device_id}/need", need_submit)
        .post("/devices/personal/{personal_device_id}/check", check_submit)
        .post("/devices/personal/{personal_device_id}/withdraw", withdraw_submit);
    r.api()
        .get("/devices", api_list)
        .post("/devices", api_add)
        .get("/devices/{device_id}", api_get)
        .put("/devices/{device_id}", api_change)
        .post("/devices/{device_id}/custody", api_custody)
        .get("/personal-devices", api_personal_list)
        .post("/personal-devices", api_declare)
        .get("/personal-devices/{personal_device_id}", api_personal)
        .post("/personal-devices/{personal_device_id}/need", api_need)
        .post("/personal-devices/{personal_device_id}/check", api_check)
        .post("/personal-devices/{personal_device_id}/withdraw", api_withdraw);
}

/// The equipment register.
pub const CAPABILITY: Capability = Capability {
    routes,
    api: Some(<DevicesApi as utoipa::OpenApi>::openapi),
    rooms: &[
        Room {
            path: "/devices",
            title: "Equipment",
            description: "The practice's devices, who holds each, and their losses and disposals.",
            opens: |a| a.can(Permission::DevicesManage),
        },
        Room {
            path: "/devices/personal",
            title: "Personal devices",
            description: "Declare your own phone or computer for the practice's work; its need and its check.",
            opens: |a| a.can(Permission::DeviceDeclare),
        },
    ],
    provider_pages: &[ProviderPage {
        path: "/provider/devices",
        label: "Equipment across practices",
        opens: |a| a.can(Permission::ProviderView),
    }],
};

/// The register's filters, as the list page and the API take them.
#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// `in_stock`, `issued`, `in_repair`, `lost_or_stolen` or `disposed`.
    #[serde(default)]
    #[param(pattern = "^$|^(in_stock|issued|in_repair|lost_or_stolen|disposed)$")]
    pub status: String,
    /// One of the kinds.
    #[serde(default)]
    #[param(
        pattern = "^$|^(desktop|laptop|tablet|smartphone|removable_media|router_firewall|server|printer)$"
    )]
    pub kind: String,
}

impl ListQuery {
    /// The store's filter, or the field at fault.
    pub(crate) fn filter(&self) -> Result<DeviceFilter, Errors> {
        let mut errors = Errors::none();
        let mut f = DeviceFilter {
            limit: custodian_domain::devices::REGISTER_MAX,
            ..Default::default()
        };
        if !self.status.is_empty() {
            f.status = DeviceStatus::parse(&self.status);
            if f.status.is_none() {
                errors.0.push(Errors::one("status", "Choose a status from the list").0.remove(0));
            }
        }
        if !self.kind.is_empty() {
            f.kind = DeviceKind::parse(&self.kind);
            if f.kind.is_none() {
                errors.0.push(Errors::one("kind", "Choose a kind from the list").0.remove(0));
            }
        }
        if errors.is_empty() { Ok(f) } else { Err(errors) }
    }
}

/// The kinds as (word, label), for selects.
fn kinds() -> Vec<(&'static str, &'static str)> {
    DeviceKind::ALL.iter().map(|k| (k.as_str(), k.label())).collect()
}

fn statuses() -> Vec<(&'static str, &'static str)> {
    DeviceStatus::ALL.iter().map(|s| (s.as_str(), s.label())).collect()
}
