//! Reading an uploaded file, for every capability that takes one (register imports, evidence
//! files): a raw request body (the API) or a form's `file` field (the pages), within a limit.
//! A file over the limit is refused, but read on and dropped up to four times the limit, so the
//! client finishes sending and hears the refusal (a server that stops reading mid-upload makes
//! many clients report a broken connection instead); beyond that the connection is cut.

use axum::body::{Body, Bytes};
use axum::extract::Multipart;
use axum::http::StatusCode;

/// Why an upload was not read.
#[derive(Debug, PartialEq, Eq)]
pub enum UploadError {
    /// Over the limit. `true` when the body was read to its end; `false` when it was abandoned
    /// (the connection must then close).
    TooBig(bool),
    /// No file was chosen.
    Missing,
    /// The form could not be read (what the parser said).
    Unreadable(String),
}

/// Reads a request body of at most `limit` bytes.
pub async fn read_capped(body: Body, limit: usize) -> Result<Bytes, UploadError> {
    use axum::body::HttpBody as _;
    use http_body_util::BodyExt;
    let mut body = body;
    // Room for what the client said it sends (its Content-Length), up to the limit: the bytes
    // are copied once, not again at every doubling of the buffer.
    let expected = usize::try_from(body.size_hint().lower()).unwrap_or(limit);
    let mut kept = Vec::with_capacity(expected.min(limit));
    let mut seen = 0usize;
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else {
            return Err(UploadError::TooBig(false));
        };
        let Ok(data) = frame.into_data() else {
            continue;
        };
        seen += data.len();
        if seen > limit.saturating_mul(4) {
            return Err(UploadError::TooBig(false));
        }
        if seen <= limit {
            kept.extend_from_slice(&data);
        }
    }
    if seen > limit {
        Err(UploadError::TooBig(true))
    } else {
        Ok(Bytes::from(kept))
    }
}

/// Reads the form's `file` field (its name as the browser gave it, and its bytes), at most
/// `limit` bytes; other fields are skipped.
pub async fn read_file_field(
    mut form: Multipart,
    limit: usize,
) -> Result<(String, Bytes), UploadError> {
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            UploadError::TooBig(false)
        } else {
            UploadError::Unreadable(e.body_text())
        }
    };
    loop {
        let Some(mut field) = form.next_field().await.map_err(unreadable)? else {
            return Err(UploadError::Missing);
        };
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().unwrap_or("").trim().to_string();
        let mut kept = Vec::new();
        let mut size = 0usize;
        while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
            size += chunk.len();
            if size > limit.saturating_mul(4) {
                return Err(UploadError::TooBig(false));
            }
            if size <= limit {
                kept.extend_from_slice(&chunk);
            }
        }
        if size > limit {
            // Read what follows too, so the browser hears the refusal, not a broken connection.
            while let Ok(Some(mut rest)) = form.next_field().await {
                while let Ok(Some(_)) = rest.chunk().await {}
            }
            return Err(UploadError::TooBig(true));
        }
        if name.is_empty() && kept.is_empty() {
            return Err(UploadError::Missing);
        }
        return Ok((name, Bytes::from(kept)));
    }
}
