//! Security questions, for password resets by phone.

use super::*;

pub(crate) struct QuestionSlot {
    pub(crate) n: usize,
    pub(crate) question_field: String,
    pub(crate) answer_field: String,
    pub(crate) chosen: String,
}

#[derive(Template)]
#[template(path = "identity/security_questions.html")]
pub(crate) struct QuestionsPage {
    pub(crate) layout: Layout,
    pub(crate) errors: Errors,
    pub(crate) needs_password: bool,
    pub(crate) questions: &'static [&'static str],
    pub(crate) slots: Vec<QuestionSlot>,
}

pub(crate) fn questions_page_for(user: &SignedIn, errors: Errors, chosen: &[String]) -> Response {
    let forced = user.session.stage == SessionStage::SecurityQuestions;
    let slots = (1..=identity::SECURITY_QUESTIONS_REQUIRED)
        .map(|n| QuestionSlot {
            n,
            question_field: format!("question_{n}"),
            answer_field: format!("answer_{n}"),
            chosen: chosen.get(n - 1).cloned().unwrap_or_default(),
        })
        .collect();
    let status = errors.status();
    render_with(
        status,
        &QuestionsPage {
            layout: if forced {
                Layout::anonymous()
            } else {
                Layout::new(user, None, "/account/security-questions")
            },
            errors,
            needs_password: !forced,
            questions: identity::SECURITY_QUESTIONS,
            slots,
        },
    )
}

pub(crate) async fn questions_page(user: SignedIn) -> Response {
    questions_page_for(&user, Errors::none(), &[])
}

pub(crate) async fn set_questions(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, HttpError> {
    let get = |k: &str| {
        form.iter()
            .find(|(f, _)| f == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let pairs: Vec<(String, String)> = (1..=identity::SECURITY_QUESTIONS_REQUIRED)
        .map(|n| (get(&format!("question_{n}")), get(&format!("answer_{n}"))))
        .collect();
    let chosen: Vec<String> = pairs.iter().map(|(q, _)| q.clone()).collect();
    let forced = user.session.stage == SessionStage::SecurityQuestions;
    if !forced && !password_is_right(&state, &user, &meta, &get("password")).await? {
        return Ok(questions_page_for(
            &user,
            Errors::one("password", "Your password is not right"),
            &chosen,
        ));
    }
    match own::set_security_answers(&state, user.person_id(), &pairs, &meta).await {
        Err(AppError::Invalid(e)) => return Ok(questions_page_for(&user, e.into(), &chosen)),
        done => done?,
    }
    if forced {
        let stage = advance(&state, &user).await?;
        return Ok(Redirect::to(stage.page()).into_response());
    }
    Ok(Redirect::to("/account?changed=questions").into_response())
}
