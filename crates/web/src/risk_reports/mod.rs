//! The quarterly threats-and-vulnerabilities report: drafted by the scheduler at the start of
//! each quarter (or on request), shown as a printable page, downloaded as PDF or CSV, minuted
//! after the practice meeting and signed off by the SIRO, after which the signed copy is kept
//! unchanged. And the provider's view of every practice's risks.

use askama::Template;
use axum::Json;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use custodian_domain::quarters::Quarter;
use custodian_domain::risk_report::{self, QuarterlyReport};
use custodian_domain::risks::{self, Band, Matrix};
use custodian_domain::time::show_datetime;
use custodian_domain::{Permission, Practice};
use custodian_store::{AuditMeta, RiskReport};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::kit::capability::{Capability, ProviderPage};
use crate::kit::error::Problem;
use crate::kit::forms::{Errors, PageQuery, Paged, PracticeParam, submitted};
use crate::kit::layout::{Layout, render_with};
use crate::kit::routes::{Reach, Routes};
use crate::kit::session::InPractice;
use crate::kit::session::{PracticeScope, RequestMeta, SignedIn, require_provider};
use crate::{AppError, AppState, HttpError};
use custodian_app::risk_reports::{self as rr, MinutesInput, SignedCopy};

mod api;
mod pages;
mod provider;
mod render;
pub(crate) use api::*;
pub(crate) use pages::*;
pub(crate) use provider::*;
pub(crate) use render::*;

pub fn routes(r: &mut Routes) {
    use Reach::*;
    r.get("/provider/risks", SignedIn, provider_page)
        .get("/api/v1/provider/risks", SignedIn, api_provider)
        .post("/provider/threats", SignedIn, threat_submit)
        .post(
            "/provider/threats/{threat_id}/remove",
            SignedIn,
            threat_remove_submit,
        )
        .post("/provider/risk-matrix", SignedIn, matrix_submit)
        .get("/api/v1/provider/threats", SignedIn, api_threats)
        .post("/api/v1/provider/threats", SignedIn, api_add_threat)
        .delete(
            "/api/v1/provider/threats/{threat_id}",
            SignedIn,
            api_remove_threat,
        )
        .post("/api/v1/provider/risk-matrix", SignedIn, api_publish_matrix);
    r.pages()
        .get("/risk-reports", list_page)
        .post("/risk-reports", generate_submit)
        .get("/risk-reports/{quarter}", report_page)
        .get("/risk-reports/{quarter}/pdf", report_pdf)
        .get("/risk-reports/{quarter}/csv", report_csv)
        .post("/risk-reports/{quarter}/minutes", minutes_submit)
        .post("/risk-reports/{quarter}/sign", sign_submit);
    r.api()
        .get("/risk-reports", api_list)
        .post("/risk-reports", api_generate)
        .get("/risk-reports/{quarter}", api_get)
        .post("/risk-reports/{quarter}/minutes", api_minutes)
        .post("/risk-reports/{quarter}/sign", api_sign);
}

/// The quarterly threats-and-vulnerabilities reports, and the provider's view of every
/// practice's risks.
pub const CAPABILITY: Capability = Capability {
    routes,
    api: Some(<RiskReportsApi as utoipa::OpenApi>::openapi),
    rooms: &[],
    provider_pages: &[ProviderPage {
        path: "/provider/risks",
        label: "Risks across practices",
        opens: |a| a.can(Permission::ProviderView),
    }],
};
