//! The provider's view of every practice's equipment.

use super::*;
use crate::kit::layout::{PracticeAddress, render};
use crate::kit::session::{RequestMeta, SignedIn};
use custodian_domain::devices::PracticeDevices;

#[derive(Template)]
#[template(path = "devices/provider.html")]
pub(crate) struct ProviderDevicesPage {
    pub(crate) layout: Layout,
    pub(crate) rows: Vec<(String, PracticeDevices)>,
    pub(crate) totals: PracticeDevices,
}

pub(crate) async fn provider_page(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
) -> Result<Response, HttpError> {
    let all = uc::across_practices(&state, &user.provider_access(), &meta).await?;
    let mut totals = PracticeDevices::default();
    for p in &all {
        totals.in_use += p.in_use;
        totals.issued += p.issued;
        totals.in_stock += p.in_stock;
        totals.in_repair += p.in_repair;
        totals.lost_or_stolen += p.lost_or_stolen;
        totals.disposed += p.disposed;
    }
    Ok(render(&ProviderDevicesPage {
        layout: Layout::new(&user, None, "/provider/devices"),
        rows: all.into_iter().map(|p| (p.practice_id.home(), p)).collect(),
        totals,
    }))
}

#[utoipa::path(get, path = "/api/v1/provider/devices", tag = "devices", summary = "Every practice's equipment in figures",
    description = "Every practice with its devices counted by where they stand (in use, issued, in stock, in repair, lost or stolen, disposed of); those with devices lost or stolen first. Provider staff.",
    params(PageQuery), responses((status = 200, body = Paged<PracticeDevices>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub(crate) async fn api_provider(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
    Query(page): Query<PageQuery>,
) -> Result<Json<Paged<PracticeDevices>>, HttpError> {
    let all = uc::across_practices(&state, &user.provider_access(), &meta).await?;
    Ok(Json(Paged::of_list(all, &page, |p| p.practice_id.to_string())?))
}
