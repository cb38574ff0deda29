//! Importing a spreadsheet register (the asset register or the risk register): upload, check
//! every row, then the uploader chooses to write every row (only when all are valid) or only
//! the valid ones, or to discard the file. The API does the same in one call.

use askama::Template;
use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Form, Multipart, Query, State};
use axum::handler::Handler;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use custodian_domain::csv_import::{ImportPlan, MAX_IMPORT_BYTES, RowError};
use custodian_domain::{Invalid, PersonId, assets, risks};
use custodian_store::RegisterImport;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::kit::capability::Capability;
use crate::kit::error::Problem;
use crate::kit::forms::{Errors, PracticeParam};
use crate::kit::layout::{Layout, render_with};
use crate::kit::routes::Routes;
use crate::kit::session::InPractice;
use crate::kit::session::PracticeScope;
use crate::{AppError, AppState, HttpError};
use custodian_app::imports::{Checked, ImportMode, Register, check_file, write};

mod api;
mod pages;
mod practices;
pub(crate) use api::*;
pub(crate) use pages::*;

/// The most of an upload read: a file up to four times the largest import is read to its end
/// (and refused), so the browser finishes sending and shows the refusal; beyond that the
/// connection is cut. Plus room for the multipart framing.
const UPLOAD_LIMIT: usize = 4 * MAX_IMPORT_BYTES + 64 * 1024;
/// Problems listed on the page and in the API answer; the count says how many more there are.
const ERRORS_SHOWN: usize = 1000;

/// Where a register's export lives, beside its import.
fn export_path(register: Register) -> &'static str {
    match register {
        Register::Assets => "assets-export",
        Register::Risks => "risks-export",
    }
}

pub fn routes(r: &mut Routes) {
    for (register, base) in [
        (Register::Assets, "/assets-import"),
        (Register::Risks, "/risks-import"),
    ] {
        register_routes(r, register, base);
    }
    practices::routes(r);
}

/// One register's import: the upload page, the check page and its decision, the template, and
/// the API's one call.
fn register_routes(r: &mut Routes, reg: Register, base: &str) {
    let limit = || DefaultBodyLimit::max(UPLOAD_LIMIT);
    r.pages()
        .get(base, move |s: State<AppState>, scope: PracticeScope| {
            upload_page(s, scope, reg)
        })
        .post(
            base,
            (move |s: State<AppState>, scope: PracticeScope, form: Multipart| {
                upload_submit(s, scope, form, reg)
            })
            .layer(limit()),
        )
        .get(&format!("{base}/template"), move |scope: PracticeScope| {
            template(scope, reg)
        })
        .get(
            &format!("{base}/{{import_id}}"),
            move |s: State<AppState>, scope: PracticeScope, p: InPractice<String>| {
                check_page(s, scope, p, reg)
            },
        )
        .post(
            &format!("{base}/{{import_id}}"),
            move |s: State<AppState>,
                  scope: PracticeScope,
                  p: InPractice<String>,
                  f: Form<Decision>| { decide_submit(s, scope, p, f, reg) },
        );
    r.api().post(
        base,
        (move |s: State<AppState>, scope: PracticeScope, q: Query<ImportQuery>, body: Body| {
            api_import(s, scope, q, body, reg)
        })
        .layer(limit()),
    );
}

async fn load(
    state: &AppState,
    scope: &PracticeScope,
    id: &str,
    register: Register,
) -> Result<RegisterImport, HttpError> {
    let id: custodian_domain::ImportId = custodian_app::parse_id(id)?;
    state
        .store
        .register_import(Some(scope.id()), id)
        .await?
        .filter(|i| i.register == register.key())
        .ok_or(AppError::NotFound.into())
}

fn api_doc() -> utoipa::openapi::OpenApi {
    let mut doc = <ImportsApi as utoipa::OpenApi>::openapi();
    doc.merge(<practices::PracticesImportApi as utoipa::OpenApi>::openapi());
    doc
}

/// Spreadsheet imports into the asset and risk registers, and of the provider's list of
/// practices.
pub const CAPABILITY: Capability = Capability {
    routes,
    api: Some(api_doc),
    rooms: &[],
    provider_pages: &[],
};
