//! Enrolling an authenticator app, and recovery codes.

use super::*;

#[derive(Template)]
#[template(path = "identity/mfa_enrol.html")]
pub(crate) struct MfaEnrolPage {
    pub(crate) layout: Layout,
    pub(crate) errors: Errors,
    pub(crate) required: bool,
    pub(crate) needs_password: bool,
    pub(crate) secret: String,
    pub(crate) secret_display: String,
    pub(crate) qr_data_uri: String,
}

pub(crate) fn qr_data_uri(text: &str) -> Result<String, HttpError> {
    let code =
        qrcode::QrCode::new(text.as_bytes()).map_err(|e| AppError::Internal(e.to_string()))?;
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    Ok(format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(svg)
    ))
}

pub(crate) fn mfa_enrol_page_for(
    user: &SignedIn,
    secret_b32: &str,
    errors: Errors,
) -> Result<Response, HttpError> {
    let forced = user.session.stage == SessionStage::EnrolMfa;
    let secret = totp::base32_decode(secret_b32)
        .ok_or_else(|| AppError::BadRequest("The enrolment key was damaged: start again".into()))?;
    let uri = totp::provisioning_uri(&secret, "Custodian", &user.session.username);
    let display = secret_b32
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).to_string())
        .collect::<Vec<_>>()
        .join(" ");
    let status = errors.status();
    Ok(render_with(
        status,
        &MfaEnrolPage {
            layout: if forced {
                Layout::anonymous()
            } else {
                Layout::new(user, None, "/account/mfa")
            },
            errors,
            required: forced,
            needs_password: !forced,
            secret: secret_b32.to_string(),
            secret_display: display,
            qr_data_uri: qr_data_uri(&uri)?,
        },
    ))
}

pub(crate) async fn mfa_enrol_page(user: SignedIn) -> Result<Response, HttpError> {
    let secret = totp::base32_encode(&custodian_app::secrets::random_bytes::<20>());
    mfa_enrol_page_for(&user, &secret, Errors::none())
}

#[derive(Deserialize)]
pub(crate) struct MfaEnrolForm {
    #[serde(default)]
    pub(crate) secret: String,
    #[serde(default)]
    pub(crate) code: String,
    #[serde(default)]
    pub(crate) password: String,
}

#[derive(Template)]
#[template(path = "identity/recovery_codes.html")]
pub(crate) struct RecoveryCodesPage {
    pub(crate) layout: Layout,
    pub(crate) codes: Vec<String>,
    pub(crate) next: String,
}

pub(crate) async fn mfa_enrol(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
    Form(form): Form<MfaEnrolForm>,
) -> Result<Response, HttpError> {
    let forced = user.session.stage == SessionStage::EnrolMfa;
    if !forced && !password_is_right(&state, &user, &meta, &form.password).await? {
        return mfa_enrol_page_for(
            &user,
            &form.secret,
            Errors::one("password", "Your password is not right"),
        );
    }
    let codes = match own::enrol_mfa(&state, user.person_id(), &form.secret, &form.code, &meta)
        .await
    {
        Err(AppError::Invalid(e)) if e.0.iter().any(|f| f.field == "secret") => {
            // A damaged key: start again with a new one.
            let secret = totp::base32_encode(&custodian_app::secrets::random_bytes::<20>());
            return mfa_enrol_page_for(&user, &secret, e.into());
        }
        Err(AppError::Invalid(e)) => return mfa_enrol_page_for(&user, &form.secret, e.into()),
        done => done?,
    };
    let next = if forced {
        advance(&state, &user).await?.page().to_string()
    } else {
        "/account?changed=mfa".to_string()
    };
    let layout = if forced {
        Layout::anonymous()
    } else {
        Layout::new(&user, None, "/account/mfa")
    };
    Ok(render(&RecoveryCodesPage {
        layout,
        codes,
        next,
    }))
}
