//! A register's entry form, submitted the same way in every register: the posted form read
//! into the register's input, the use case called, then the entry's page, or the form again
//! with every problem named beside its field. A register implements [`EntryForm`] and routes
//! `create_submit::<ItsForm>` and `edit_submit::<ItsForm>`.

use axum::extract::{Form, State};
use axum::response::{IntoResponse, Redirect, Response};

use crate::kit::forms::{Errors, submitted};
use crate::kit::session::{InPractice, PracticeScope};
use crate::{AppError, AppState, HttpError};
use custodian_app::Actor;

/// What a register tells the shared form handlers.
#[async_trait::async_trait]
pub trait EntryForm: Send + Sync + 'static {
    /// The register's input, as its form and its API take it.
    type Input: Default + Send + Sync;
    /// An entry as stored.
    type Entry: Send + Sync;
    /// The register's folder under the practice's address (`assets` for `/practices/{id}/assets`).
    const FOLDER: &'static str;

    /// Reads the posted form; a value that cannot be read is its field's error.
    fn read(pairs: &[(String, String)]) -> Result<Self::Input, Errors>;

    /// The form, filled with `input`, with `errors` named; `entry` when changing one.
    async fn page(
        state: &AppState,
        scope: &PracticeScope,
        input: Self::Input,
        errors: Errors,
        entry: Option<&Self::Entry>,
    ) -> Result<Response, HttpError>;

    /// The entry `id` names, if the person may see it.
    async fn load(state: &AppState, actor: &Actor<'_>, id: &str) -> Result<Self::Entry, AppError>;

    /// What the form shows of a stored entry.
    fn input_of(entry: &Self::Entry) -> Self::Input;

    /// The entry's id as it appears in its address.
    fn id_of(entry: &Self::Entry) -> String;

    async fn create(
        state: &AppState,
        actor: &Actor<'_>,
        input: &Self::Input,
    ) -> Result<Self::Entry, AppError>;

    async fn update(
        state: &AppState,
        actor: &Actor<'_>,
        id: &str,
        input: &Self::Input,
    ) -> Result<Self::Entry, AppError>;
}

/// The entry's own page.
fn to_entry<F: EntryForm>(scope: &PracticeScope, entry: &F::Entry) -> Response {
    Redirect::to(&scope.path(&format!("/{}/{}", F::FOLDER, F::id_of(entry)))).into_response()
}

/// A new entry from its form.
pub async fn create_submit<F: EntryForm>(
    State(state): State<AppState>,
    scope: PracticeScope,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, HttpError> {
    let input = match F::read(&pairs) {
        Ok(i) => i,
        Err(e) => return F::page(&state, &scope, F::Input::default(), e, None).await,
    };
    match submitted(F::create(&state, &scope.actor(), &input).await)? {
        Ok(entry) => Ok(to_entry::<F>(&scope, &entry)),
        Err(errors) => F::page(&state, &scope, input, errors, None).await,
    }
}

/// A changed entry from its form.
pub async fn edit_submit<F: EntryForm>(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, HttpError> {
    let old = F::load(&state, &scope.actor(), &id).await?;
    let input = match F::read(&pairs) {
        Ok(i) => i,
        Err(e) => return F::page(&state, &scope, F::input_of(&old), e, Some(&old)).await,
    };
    match submitted(F::update(&state, &scope.actor(), &id, &input).await)? {
        Ok(entry) => Ok(to_entry::<F>(&scope, &entry)),
        Err(errors) => F::page(&state, &scope, input, errors, Some(&old)).await,
    }
}
