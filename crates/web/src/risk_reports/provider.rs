//! The provider's view of every practice's risks, its threat library and risk matrix.

use super::*;
use crate::kit::forms::posted;
use crate::kit::layout::PracticeAddress;

/// One practice's line of the provider's risk overview.
#[derive(Serialize, ToSchema)]
pub struct ProviderRiskRow {
    pub practice_id: custodian_domain::PracticeId,
    pub practice: String,
    pub ods_code: String,
    pub low: usize,
    pub medium: usize,
    pub high: usize,
    pub extreme: usize,
    pub overdue_reviews: i64,
    /// `2026-Q3`: the last full quarter, on each practice's own quarters.
    pub last_quarter: String,
    /// signed, draft or none.
    pub last_report: String,
}

pub(crate) async fn provider_rows(state: &AppState) -> Result<Vec<ProviderRiskRow>, HttpError> {
    let today = state.today();
    // Each practice reports on its own quarters: calendar ones, or a year from April.
    let calendar = Quarter::containing(today, 1).previous();
    let april = Quarter::containing(today, 4).previous();
    let overview = state
        .store
        .provider_risk_overview(today, &[calendar.key(), april.key()])
        .await?;
    Ok(overview
        .into_iter()
        .map(|o| {
            let m = risks::matrix(&o.settings.risk_matrix);
            let q = Quarter::containing(today, o.settings.quarter_start_month).previous();
            let status = o
                .reports
                .iter()
                .find(|(k, _)| *k == q.key())
                .map(|(_, s)| s.clone());
            let count = |b: Band| -> usize {
                o.residual_scores
                    .iter()
                    .filter(|(score, _)| m.band(*score as u8) == b)
                    .map(|(_, n)| *n as usize)
                    .sum()
            };
            ProviderRiskRow {
                practice_id: o.practice_id,
                practice: o.practice.clone(),
                ods_code: o.ods_code.clone(),
                low: count(Band::Low),
                medium: count(Band::Medium),
                high: count(Band::High),
                extreme: count(Band::Extreme),
                overdue_reviews: o.overdue_reviews,
                last_quarter: q.key(),
                last_report: status.unwrap_or_else(|| "none".into()),
            }
        })
        .collect())
}

#[derive(Template)]
#[template(path = "risk_reports/provider_risks.html")]
pub(crate) struct ProviderPage {
    pub(crate) layout: Layout,
    pub(crate) errors: Errors,
    pub(crate) rows: Vec<ProviderRiskRow>,
    pub(crate) quarter: String,
    pub(crate) threats: Vec<risks::Threat>,
    pub(crate) t: risks::Threat,
    pub(crate) levels: Vec<(u8, &'static str)>,
    pub(crate) categories: &'static [(&'static str, &'static str)],
    pub(crate) matrices: Vec<(&'static str, &'static str)>,
    pub(crate) can_manage: bool,
    pub(crate) notice: Option<String>,
}

pub(crate) async fn provider_form(
    state: &AppState,
    user: &SignedIn,
    errors: Errors,
    t: risks::Threat,
    notice: Option<String>,
) -> Result<Response, HttpError> {
    let rows = provider_rows(state).await?;
    let page = ProviderPage {
        layout: Layout::new(user, None, "/provider/risks"),
        quarter: Quarter::containing(state.today(), 1).previous().label(),
        rows,
        threats: state.store.provider_threats().await?,
        t,
        levels: (1..=5)
            .map(|n| (n, risks::MATRIX_5X5.likelihood_label(n)))
            .collect(),
        categories: risks::CATEGORIES,
        matrices: risks::MATRICES.iter().map(|m| (m.key, m.name)).collect(),
        can_manage: user.provider_access().can(Permission::ProviderManage),
        notice,
        errors,
    };
    let status = page.errors.status();
    Ok(render_with(status, &page))
}

#[derive(Deserialize, Default)]
pub(crate) struct Notice {
    #[serde(default)]
    published: Option<String>,
}

pub(crate) async fn provider_page(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
    axum::extract::Query(q): axum::extract::Query<Notice>,
) -> Result<Response, HttpError> {
    require_provider(
        &state,
        &user,
        &meta,
        Permission::ProviderView,
        "provider.risks",
    )
    .await?;
    let notice = q.published.map(|m| {
        format!(
            "The {} matrix is now every practice's risk matrix.",
            risks::matrix(&m).name
        )
    });
    provider_form(
        &state,
        &user,
        Errors::none(),
        risks::Threat::default(),
        notice,
    )
    .await
}

/// Adds a threat to the provider's library (provider administrators).
pub async fn add_threat(
    state: &AppState,
    user: &SignedIn,
    meta: &AuditMeta,
    t: &risks::Threat,
) -> Result<risks::Threat, HttpError> {
    require_provider(
        state,
        user,
        meta,
        Permission::ProviderManage,
        "provider_threat.create",
    )
    .await?;
    let valid = t.validate()?;
    Ok(state.store.add_provider_threat(&valid, meta).await?)
}

pub(crate) fn threat_from_form(pairs: &[(String, String)]) -> risks::Threat {
    let get = |k: &str| posted(pairs, k);
    risks::Threat {
        title: get("title"),
        threat: get("threat"),
        vulnerability: get("vulnerability"),
        category: get("category"),
        confidentiality: get("confidentiality") == "true",
        integrity: get("integrity") == "true",
        availability: get("availability") == "true",
        likelihood: get("likelihood").parse().unwrap_or(0),
        impact: get("impact").parse().unwrap_or(0),
        controls: get("controls"),
        ..Default::default()
    }
}

pub(crate) async fn threat_submit(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, HttpError> {
    let t = threat_from_form(&pairs);
    match add_threat(&state, &user, &meta, &t).await {
        Ok(_) => Ok(Redirect::to("/provider/risks#library").into_response()),
        Err(HttpError(AppError::Invalid(i))) => {
            provider_form(&state, &user, i.into(), t, None).await
        }
        Err(e) => Err(e),
    }
}

pub(crate) async fn remove_threat(
    state: &AppState,
    user: &SignedIn,
    meta: &AuditMeta,
    id: &str,
) -> Result<(), HttpError> {
    require_provider(
        state,
        user,
        meta,
        Permission::ProviderManage,
        "provider_threat.remove",
    )
    .await?;
    let id = uuid::Uuid::parse_str(id).map_err(|_| AppError::NotFound)?;
    Ok(state.store.remove_provider_threat(id, meta).await?)
}

pub(crate) async fn threat_remove_submit(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
    Path(id): Path<String>,
) -> Result<Response, HttpError> {
    remove_threat(&state, &user, &meta, &id).await?;
    Ok(Redirect::to("/provider/risks#library").into_response())
}

/// The matrix to publish.
#[derive(Deserialize, ToSchema)]
pub struct PublishMatrix {
    /// `5x5` or `4x4`.
    #[serde(default)]
    pub matrix: String,
}

/// Makes `matrix` every practice's risk matrix (provider administrators). Each practice's
/// settings change is recorded. Returns how many practices changed.
pub async fn publish_matrix(
    state: &AppState,
    user: &SignedIn,
    meta: &AuditMeta,
    matrix: &str,
) -> Result<usize, HttpError> {
    require_provider(
        state,
        user,
        meta,
        Permission::ProviderManage,
        "provider.risk_matrix",
    )
    .await?;
    if !risks::MATRICES.iter().any(|m| m.key == matrix) {
        return Err(custodian_domain::Invalid::one(
            "matrix",
            "Choose the risk matrix from the list",
        )
        .into());
    }
    let m = risks::matrix(matrix);
    let practices = custodian_app::practices::all_practices(state).await?;
    // Nothing changes unless every practice's risks fit the matrix.
    let mut misfits = Vec::new();
    for p in &practices {
        let n = custodian_app::risks::risks_off_matrix(state, p.id, m).await?;
        if n > 0 {
            misfits.push(format!("{} ({n})", p.name));
        }
    }
    if !misfits.is_empty() {
        return Err(custodian_domain::Invalid::one(
            "matrix",
            format!(
                "Some risks use levels beyond the {} matrix and would fall off it; rescore them first: {}",
                m.name,
                misfits.join(", ")
            ),
        )
        .into());
    }
    let mut changed = 0;
    {
        for p in &practices {
            let mut s = state.store.settings(p.id).await?;
            if s.risk_matrix != matrix {
                s.risk_matrix = matrix.to_string();
                state.store.set_settings(p.id, &s, meta).await?;
                changed += 1;
            }
        }
    }
    Ok(changed)
}

pub(crate) async fn matrix_submit(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
    Form(form): Form<PublishMatrix>,
) -> Result<Response, HttpError> {
    match publish_matrix(&state, &user, &meta, &form.matrix).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/provider/risks?published={}", form.matrix)).into_response())
        }
        Err(HttpError(AppError::Invalid(i))) => {
            provider_form(&state, &user, i.into(), risks::Threat::default(), None).await
        }
        Err(e) => Err(e),
    }
}

#[utoipa::path(get, path = "/api/v1/provider/threats", tag = "risks", summary = "The threats the provider added to the library",
    params(PageQuery),
    responses((status = 200, body = Paged<risks::Threat>), (status = 403, body = Problem)))]
pub(crate) async fn api_threats(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
    Query(page): Query<PageQuery>,
) -> Result<Response, HttpError> {
    require_provider(
        &state,
        &user,
        &meta,
        Permission::ProviderView,
        "provider.threats",
    )
    .await?;
    let list = state.store.provider_threats().await?;
    Ok(Json(Paged::of_list(list, &page, |t| t.key.clone())?).into_response())
}

#[utoipa::path(post, path = "/api/v1/provider/threats", tag = "risks", summary = "Add a threat to the library every practice sees",
    description = "Provider administrators. Likelihood and impact are suggested on the 5 × 5 matrix.",
    request_body = risks::Threat,
    responses((status = 201, body = risks::Threat), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn api_add_threat(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
    Json(t): Json<risks::Threat>,
) -> Result<Response, HttpError> {
    let t = add_threat(&state, &user, &meta, &t).await?;
    Ok((StatusCode::CREATED, Json(t)).into_response())
}

#[utoipa::path(delete, path = "/api/v1/provider/threats/{threat_id}", tag = "risks", summary = "Remove a threat the provider added",
    params(("threat_id" = String, Path, description = "The threat's id")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub(crate) async fn api_remove_threat(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
    Path(id): Path<String>,
) -> Result<Response, HttpError> {
    remove_threat(&state, &user, &meta, &id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// How many practices took the published matrix.
#[derive(Serialize, ToSchema)]
pub struct Published {
    pub matrix: String,
    pub practices_changed: usize,
}

#[utoipa::path(post, path = "/api/v1/provider/risk-matrix", tag = "risks", summary = "Publish a risk matrix to every practice",
    request_body = PublishMatrix,
    responses((status = 200, body = Published), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn api_publish_matrix(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
    Json(form): Json<PublishMatrix>,
) -> Result<Response, HttpError> {
    let n = publish_matrix(&state, &user, &meta, &form.matrix).await?;
    Ok(Json(Published {
        matrix: form.matrix,
        practices_changed: n,
    })
    .into_response())
}

#[utoipa::path(get, path = "/api/v1/provider/risks", tag = "risks", summary = "Every practice's risks by band, overdue reviews and last quarter's report",
    params(PageQuery),
    responses((status = 200, body = Paged<ProviderRiskRow>), (status = 403, body = Problem)))]
pub(crate) async fn api_provider(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
    Query(page): Query<PageQuery>,
) -> Result<Response, HttpError> {
    require_provider(
        &state,
        &user,
        &meta,
        Permission::ProviderView,
        "provider.risks",
    )
    .await?;
    let rows = provider_rows(&state).await?;
    Ok(Json(Paged::of_list(rows, &page, |r| r.practice_id.to_string())?).into_response())
}
