//! Evidence files in the web UI and the JSON API, for every record that keeps them: the panel on
//! the record's page (its files, attach one, remove one with a reason, the DPO's restore), the
//! download (an attachment, never shown inline), and the API's same operations.
//!
//! A register whose records keep evidence adds its [`Holder`] variant (its `path`) and
//! [`holder_page`], its upload route to [`routes`], and includes `evidence/panel.html` in its
//! record's page with an [`EvidencePanel`] named `evidence`.

use axum::Json;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Form, Multipart, Query, State};
use axum::handler::Handler;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use custodian_app::evidence as uc;
use custodian_app::parse_id;
use custodian_domain::evidence::{Holder, ascii_filename};
use custodian_domain::{IncidentId, Invalid};
use custodian_store::EvidenceFile;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::kit::capability::Capability;
use crate::kit::error::{Problem, close_connection};
use crate::kit::forms::{Errors, PageQuery, Paged, PracticeParam, posted, submitted};
use crate::kit::routes::Routes;
use crate::kit::session::{InPractice, PracticeScope};
use crate::kit::upload::{UploadError, read_capped, read_file_field};
use crate::{AppError, AppState, HttpError};

mod api;
pub(crate) use api::*;

pub fn routes(r: &mut Routes) {
    // Uploads are bounded by the deployment's evidence limit, read as they arrive, not by the
    // server's body limit for forms.
    let any_size = || DefaultBodyLimit::disable();
    r.pages()
        .post(
            "/incidents/{incident_id}/evidence",
            (|s: State<AppState>, scope: PracticeScope, p: InPractice<String>, f: Multipart| async move {
                attach_submit(s, scope, incident(&p.0)?, f).await
            })
            .layer(any_size()),
        )
        .post(
            "/devices/personal/{personal_device_id}/evidence",
            (|s: State<AppState>, scope: PracticeScope, p: InPractice<String>, f: Multipart| async move {
                let holder = Holder::PersonalDevice(parse_id(&p.0)?);
                attach_submit(s, scope, holder, f).await
            })
            .layer(any_size()),
        )
        .get("/evidence/{evidence_id}/download", download)
        .post("/evidence-removals", remove_submit)
        .post("/evidence/{evidence_id}/restore", restore_submit);
    r.api()
        .get("/incidents/{incident_id}/evidence", api_incident_files)
        .post(
            "/incidents/{incident_id}/evidence",
            api_attach_to_incident.layer(any_size()),
        )
        .get("/evidence/{evidence_id}", api_file)
        .get("/evidence/{evidence_id}/content", api_content)
        .post("/evidence/{evidence_id}/remove", api_remove)
        .post("/evidence/{evidence_id}/restore", api_restore);
}

/// Evidence files: no room of their own; they are part of the records they belong to.
pub const CAPABILITY: Capability = Capability {
    routes,
    api: Some(<EvidenceApi as utoipa::OpenApi>::openapi),
    rooms: &[],
    provider_pages: &[],
};

/// The incident an upload's path names (an id that does not parse names nothing).
fn incident(id: &str) -> Result<Holder, HttpError> {
    Ok(Holder::Incident(parse_id::<IncidentId>(id)?))
}


use crate::records::page_with_errors as holder_page;

/// An upload refused before it reached the use case, as the form's or the API's error.
fn upload_refusal(state: &AppState, e: UploadError) -> Invalid {
    Invalid::one(
        "file",
        match e {
            UploadError::TooBig(_) => uc::too_big(state.evidence.max_file_bytes),
            UploadError::Missing => "Choose a file to attach".into(),
            UploadError::Unreadable(why) => format!("The upload could not be read: {why}"),
        },
    )
}

async fn attach_submit(
    State(state): State<AppState>,
    scope: PracticeScope,
    holder: Holder,
    form: Multipart,
) -> Result<Response, HttpError> {
    let result = match read_file_field(form, state.evidence.max_file_bytes).await {
        Ok((name, bytes)) => uc::attach(&state, &scope.actor(), holder, &name, &bytes)
            .await
            .map(|_| ()),
        Err(e) => {
            let cut = e == UploadError::TooBig(false);
            let page = holder_page(&state, &scope, holder, Errors(upload_refusal(&state, e).0));
            let res = page.await?;
            return Ok(if cut { close_connection(res) } else { res });
        }
    };
    match submitted(result)? {
        Ok(()) => Ok(Redirect::to(&scope.path(&format!("{}#evidence", holder.path()))).into_response()),
        Err(errors) => holder_page(&state, &scope, holder, errors).await,
    }
}

/// The `filename*` parameter's value: the name in UTF-8, percent-encoded (RFC 8187).
fn encoded(name: &str) -> String {
    name.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A file as a download: always an attachment under its own name, its type from its checked
/// content, never sniffed or shown inline (the security layer adds `nosniff` and `no-store`).
/// Its parts are sent as they are read; a part that cannot be read cuts the response short, so
/// the client sees a broken download rather than a short file.
fn attachment(mut download: uc::Download) -> Response {
    let file = download.file.clone();
    let (mut tx, body) = http_body_util::channel::Channel::<axum::body::Bytes, AppError>::new(1);
    tokio::spawn(async move {
        while let Some(part) = download.next().await {
            match part {
                Ok(bytes) => {
                    if tx.send_data(bytes.into()).await.is_err() {
                        return;
                    }
                }
                Err(e) => {
                    tracing::error!(error = %e, "an evidence file's part could not be read");
                    return tx.abort(e);
                }
            }
        }
    });
    let disposition = format!(
        "attachment; filename=\"{}\"; filename*=UTF-8''{}",
        ascii_filename(&file.filename),
        encoded(&file.filename)
    );
    let mut res = (StatusCode::OK, Body::new(body)).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(file.kind.media_type()),
    );
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(file.size));
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox; default-src 'none'"),
    );
    res
}

pub(crate) async fn download(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
) -> Result<Response, HttpError> {
    Ok(attachment(uc::download(&state, &scope.actor(), &id).await?))
}

pub(crate) async fn remove_submit(
    State(state): State<AppState>,
    scope: PracticeScope,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, HttpError> {
    let id = posted(&pairs, "evidence_id");
    let holder = uc::holder_of(&state, &scope.actor(), &id).await?;
    let r = uc::remove(&state, &scope.actor(), &id, &posted(&pairs, "removal_reason")).await;
    match submitted(r)? {
        Ok(_) => Ok(Redirect::to(&scope.path(&format!("{}#evidence", holder.path()))).into_response()),
        Err(errors) => holder_page(&state, &scope, holder, errors).await,
    }
}

pub(crate) async fn restore_submit(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
) -> Result<Response, HttpError> {
    let file = uc::restore(&state, &scope.actor(), &id).await?;
    Ok(Redirect::to(&scope.path(&format!("{}#evidence", file.holder.path()))).into_response())
}
