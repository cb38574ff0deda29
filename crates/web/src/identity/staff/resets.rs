//! Verifying a caller's identity and resetting their password.

use super::*;
use crate::kit::layout::PracticeAddress;
use crate::kit::one_time_password::OtpPage;

#[derive(Template)]
#[template(path = "identity/verify_identity.html")]
pub(crate) struct VerifyPage {
    pub(crate) layout: Layout,
    pub(crate) practice: Practice,
    pub(crate) errors: Errors,
    pub(crate) name: String,
    pub(crate) person_id: String,
    pub(crate) questions: Vec<(String, String)>,
    pub(crate) locked: bool,
    pub(crate) remaining: i64,
    pub(crate) max_checks: i64,
}

pub(crate) async fn verify_page_for(
    state: &AppState,
    scope: &PracticeScope,
    person: &str,
    errors: Errors,
) -> Result<Response, HttpError> {
    let m = member(state, &scope.practice, person).await?;
    let creds = state
        .store
        .credentials(&m.person.username)
        .await?
        .ok_or(AppError::NotFound)?;
    let questions = state.store.security_answers(m.person.id).await?;
    let here = scope.path("/people");
    let status = errors.status();
    Ok(render_with(
        status,
        &VerifyPage {
            layout: scope.layout(&here),
            practice: scope.practice.clone(),
            errors,
            name: m.person.full_name.clone(),
            person_id: m.person.id.to_string(),
            questions: questions
                .iter()
                .enumerate()
                .map(|(i, (q, _))| (format!("answer_{}", i + 1), q.clone()))
                .collect(),
            locked: creds.identity_check_failures >= identity::MAX_IDENTITY_CHECK_FAILURES,
            remaining: identity::MAX_IDENTITY_CHECK_FAILURES - creds.identity_check_failures,
            max_checks: identity::MAX_IDENTITY_CHECK_FAILURES,
        },
    ))
}

pub(crate) async fn verify_identity_page(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(person): InPractice<String>,
) -> Result<Response, HttpError> {
    scope
        .require(Permission::IdentityVerify, "identity.verify")
        .await?;
    let m = member(&state, &scope.practice, &person).await?;
    // The page shows the person's security questions (never the answers).
    scope
        .record(scope.event(
            "person.security_questions_view",
            "person",
            Some(m.person.id.to_string()),
        ))
        .await?;
    verify_page_for(&state, &scope, &person, Errors::none()).await
}

pub(crate) async fn verify_identity_submit(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(person): InPractice<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, HttpError> {
    let m = member(&state, &scope.practice, &person).await?;
    let answers: Vec<String> = (1..=3)
        .map(|n| {
            form.iter()
                .find(|(k, _)| *k == format!("answer_{n}"))
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        })
        .collect();
    match submitted(verify_identity(&state, &scope.actor(), m.person.id, &answers).await)? {
        Ok(IdentityCheck::Passed { one_time_password, expires }) => Ok(render(&OtpPage {
            layout: scope.layout(""),
            heading: "Identity confirmed".into(),
            intro: format!("Every answer matched. {} has been signed out everywhere.", m.person.full_name),
            name: m.person.full_name.clone(),
            username: m.person.username.clone(),
            otp: one_time_password,
            expires: show_datetime(expires),
            starts: None,
            back: scope.path(&format!("/people/{}", m.person.id)),
        })),
        Ok(IdentityCheck::Failed { remaining }) => {
            verify_page_for(&state, &scope, &person, Errors::one("answer_1", format!("The answers do not match the ones on record. Do not issue a password. {remaining} attempts remain."))).await
        }
        Ok(IdentityCheck::Locked) | Ok(IdentityCheck::NoQuestions) => verify_page_for(&state, &scope, &person, Errors::none()).await,
        Err(errors) => verify_page_for(&state, &scope, &person, errors).await,
    }
}
