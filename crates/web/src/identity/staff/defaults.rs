//! The provider's defaults for new practices: the practice settings form, at the provider's
//! level. Each practice brought in from then on starts from a copy (its risk matrix, password and
//! sign-in rules, opening hours, notices); its setup checklist asks it to check them.

use super::*;
use crate::kit::error::Problem;
use crate::kit::session::{RequestMeta, SignedIn};
use axum::Json;
use custodian_app::practices::{provider_defaults, set_provider_defaults};

const PAGE: &str = "/provider-defaults";
const INTRO: &str = "Each practice brought in from now on starts with these settings; practices already here keep their own. A new practice's manager is asked to check them on its first day.";

pub(super) fn routes(r: &mut Routes) {
    use crate::kit::routes::Reach::SignedIn;
    r.get(PAGE, SignedIn, defaults_page)
        .post(PAGE, SignedIn, save_defaults)
        .get("/api/v1/provider-defaults", SignedIn, get_defaults)
        .put("/api/v1/provider-defaults", SignedIn, put_defaults);
}

async fn page(
    state: &AppState,
    user: &SignedIn,
    form: SettingsForm,
    errors: Errors,
    notice: Option<String>,
) -> Result<Response, HttpError> {
    Ok(render_with(
        errors.status(),
        &SettingsPage {
            layout: Layout::new(user, None, "/practices"),
            place: custodian_app::practices::provider_name(state).await?,
            heading: "Defaults for new practices",
            intro: INTRO,
            action: PAGE.into(),
            errors,
            s: form,
            advice: PERIODIC_CHANGE_ADVICE,
            can_manage: user
                .provider_access()
                .can(Permission::ProviderManage),
            notice,
            matrices: matrix_choices(),
            bands: band_choices(),
            months: month_choices(),
        },
    ))
}

#[derive(Deserialize)]
pub(crate) struct Saved {
    done: Option<u8>,
}

async fn defaults_page(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
    Query(q): Query<Saved>,
) -> Result<Response, HttpError> {
    let s = provider_defaults(&state, &user.provider_access(), &meta).await?;
    let notice = q.done.map(|_| "Defaults saved.".to_string());
    page(&state, &user, SettingsForm::from(&s), Errors::none(), notice).await
}

async fn save_defaults(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, HttpError> {
    let access = user.provider_access();
    let (form, parsed) = SettingsForm::parse(&pairs);
    let errors = match parsed {
        Ok(s) => match submitted(set_provider_defaults(&state, &access, &meta, &s).await)? {
            Ok(()) => return Ok(Redirect::to(&format!("{PAGE}?done=1")).into_response()),
            Err(errors) => errors,
        },
        Err(errors) => {
            // Refused before anything is read back for those who may not change them.
            set_provider_defaults_allowed(&state, &access, &meta).await?;
            errors
        }
    };
    page(&state, &user, form, errors, None).await
}

/// Only those who may change the defaults hear what was wrong with their values.
async fn set_provider_defaults_allowed(
    state: &AppState,
    access: &custodian_domain::Access,
    meta: &custodian_store::AuditMeta,
) -> Result<(), HttpError> {
    Ok(state
        .require_access(
            access,
            meta,
            None,
            Permission::ProviderManage,
            "provider.defaults_update",
        )
        .await?)
}

#[utoipa::path(get, path = "/api/v1/provider-defaults", tag = "practices", summary = "The provider's defaults for new practices",
    description = "The settings each practice brought in from now on starts with. Provider staff.",
    responses((status = 200, body = PracticeSettings), (status = 403, body = Problem)))]
async fn get_defaults(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
) -> Result<Json<PracticeSettings>, HttpError> {
    Ok(Json(
        provider_defaults(&state, &user.provider_access(), &meta).await?,
    ))
}

#[utoipa::path(put, path = "/api/v1/provider-defaults", tag = "practices", summary = "Change the provider's defaults for new practices",
    description = "Provider administrators. Practices already here keep their own settings; each practice brought in from now on starts with these.",
    request_body = PracticeSettings,
    responses((status = 200, body = PracticeSettings), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn put_defaults(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
    Json(body): Json<PracticeSettings>,
) -> Result<Json<PracticeSettings>, HttpError> {
    set_provider_defaults(&state, &user.provider_access(), &meta, &body).await?;
    Ok(Json(body))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(get_defaults, put_defaults))]
pub struct ProviderDefaultsApi;
