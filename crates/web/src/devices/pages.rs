//! The equipment pages: the register (or one's own equipment), a device with its custody
//! history and steps, and the add and change form.

use super::*;
use crate::kit::entry_form::EntryForm;
use crate::kit::history::record_history;
use crate::kit::layout::PracticeAddress;
use crate::AppError;
use custodian_app::Actor;
use custodian_domain::time::show_day;

pub(crate) struct Row {
    pub(crate) id: String,
    pub(crate) tag: String,
    pub(crate) kind: &'static str,
    pub(crate) model: String,
    pub(crate) serial: String,
    pub(crate) status: &'static str,
    pub(crate) holder: String,
}

fn row(d: Device) -> Row {
    Row {
        id: d.id.to_string(),
        tag: d.asset_tag,
        kind: d.kind.label(),
        model: d.make_model,
        serial: d.serial,
        status: d.status.label(),
        holder: d.holder_name.unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "devices/list.html")]
pub(crate) struct ListPage {
    pub(crate) layout: Layout,
    pub(crate) practice: custodian_domain::Practice,
    pub(crate) errors: Errors,
    /// The whole register (those who run it), or one's own equipment.
    pub(crate) register: bool,
    pub(crate) filtered: bool,
    pub(crate) rows: Vec<Row>,
    pub(crate) statuses: Options,
    pub(crate) kinds: Options,
}

pub(crate) async fn list_page(
    State(state): State<AppState>,
    scope: PracticeScope,
    Query(q): Query<ListQuery>,
) -> Result<Response, HttpError> {
    let register = scope.access.can(Permission::DevicesManage);
    let (errors, found) = match (register, q.filter()) {
        (false, _) => (Errors::none(), uc::mine(&state, &scope.actor()).await?),
        (true, Ok(f)) => (Errors::none(), uc::list(&state, &scope.actor(), f).await?),
        (true, Err(e)) => (e, vec![]),
    };
    let page = ListPage {
        layout: scope.layout(&scope.path("/devices")),
        practice: scope.practice.clone(),
        register,
        filtered: !q.status.is_empty() || !q.kind.is_empty(),
        rows: found.into_iter().map(row).collect(),
        statuses: choose(&statuses(), &q.status, Some("Any")),
        kinds: choose(&kinds(), &q.kind, Some("Any")),
        errors,
    };
    let status = page.errors.status();
    Ok(render_with(status, &page))
}

#[derive(Template)]
#[template(path = "devices/form.html")]
pub(crate) struct FormPage {
    pub(crate) layout: Layout,
    pub(crate) practice: custodian_domain::Practice,
    pub(crate) errors: Errors,
    pub(crate) f: DeviceInput,
    /// The device being changed, if any: its id and tag.
    pub(crate) editing: Option<(String, String)>,
    pub(crate) kinds: Options,
    pub(crate) assets: Options,
}

async fn form_page(
    state: &AppState,
    scope: &PracticeScope,
    f: DeviceInput,
    errors: Errors,
    editing: Option<&Device>,
) -> Result<Response, HttpError> {
    let chosen = f.asset_id.map(|a| a.to_string()).unwrap_or_default();
    let mut assets: Options = vec![(String::new(), "None".into(), chosen.is_empty())];
    assets.extend(
        state
            .store
            .asset_choices(scope.id())
            .await?
            .into_iter()
            .map(|(id, name)| (id.to_string(), name, id.to_string() == chosen)),
    );
    let page = FormPage {
        layout: scope.layout(&scope.path("/devices")),
        practice: scope.practice.clone(),
        kinds: choose(&kinds(), &f.kind, Some("Choose one")),
        assets,
        editing: editing.map(|d| (d.id.to_string(), d.asset_tag.clone())),
        f,
        errors,
    };
    let status = page.errors.status();
    Ok(render_with(status, &page))
}

pub(crate) async fn new_page(
    State(state): State<AppState>,
    scope: PracticeScope,
) -> Result<Response, HttpError> {
    scope.require(Permission::DevicesManage, "device.add").await?;
    form_page(&state, &scope, DeviceInput::default(), Errors::none(), None).await
}

pub(crate) async fn edit_page(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
) -> Result<Response, HttpError> {
    let d = DeviceForm::load(&state, &scope.actor(), &id).await?;
    form_page(&state, &scope, DeviceForm::input_of(&d), Errors::none(), Some(&d)).await
}

/// The equipment register's entry form (see `kit::entry_form`).
pub(crate) struct DeviceForm;

#[async_trait::async_trait]
impl EntryForm for DeviceForm {
    type Input = DeviceInput;
    type Entry = Device;
    const FOLDER: &'static str = "devices";

    fn read(pairs: &[(String, String)]) -> Result<DeviceInput, Errors> {
        let asset_id = posted_as(pairs, "asset_id", "Choose one of the practice's information assets")?;
        Ok(DeviceInput {
            asset_tag: posted(pairs, "asset_tag"),
            kind: posted(pairs, "kind"),
            make_model: posted(pairs, "make_model"),
            serial: posted(pairs, "serial"),
            operating_system: posted(pairs, "operating_system"),
            os_version: posted(pairs, "os_version"),
            location: posted(pairs, "location"),
            asset_id,
            notes: posted(pairs, "notes"),
        })
    }

    async fn page(
        state: &AppState,
        scope: &PracticeScope,
        input: DeviceInput,
        errors: Errors,
        entry: Option<&Device>,
    ) -> Result<Response, HttpError> {
        form_page(state, scope, input, errors, entry).await
    }

    /// A device opened for changing, by those who run the register.
    async fn load(state: &AppState, actor: &Actor<'_>, id: &str) -> Result<Device, AppError> {
        state
            .require(actor, Permission::DevicesManage, "device.change")
            .await?;
        Ok(uc::view(state, actor, id).await?.0)
    }

    fn input_of(d: &Device) -> DeviceInput {
        DeviceInput {
            asset_tag: d.asset_tag.clone(),
            kind: d.kind.as_str().into(),
            make_model: d.make_model.clone(),
            serial: d.serial.clone(),
            operating_system: d.operating_system.clone(),
            os_version: d.os_version.clone(),
            location: d.location.clone(),
            asset_id: d.asset_id,
            notes: d.notes.clone(),
        }
    }

    fn id_of(d: &Device) -> String {
        d.id.to_string()
    }

    async fn create(
        state: &AppState,
        actor: &Actor<'_>,
        input: &DeviceInput,
    ) -> Result<Device, AppError> {
        uc::add(state, actor, input).await
    }

    async fn update(
        state: &AppState,
        actor: &Actor<'_>,
        id: &str,
        input: &DeviceInput,
    ) -> Result<Device, AppError> {
        uc::change(state, actor, id, input).await
    }
}

#[derive(Template)]
#[template(path = "devices/device.html")]
pub(crate) struct DevicePage {
    pub(crate) layout: Layout,
    pub(crate) practice: custodian_domain::Practice,
    pub(crate) errors: Errors,
    pub(crate) d: Device,
    pub(crate) details: Vec<(&'static str, String)>,
    pub(crate) custody: Vec<(String, String, String, String)>,
    pub(crate) history: Vec<(String, String, String, String)>,
    pub(crate) can_manage: bool,
    /// The custody steps the device may take from where it stands: (step, the button's words).
    pub(crate) steps: Vec<(&'static str, &'static str)>,
    pub(crate) people: Options,
    pub(crate) today: String,
    /// The custody step whose form had a problem, shown open with it.
    pub(crate) failed_step: String,
}

/// The steps a device standing at `status` may take, as the page offers them.
fn steps_from(status: DeviceStatus) -> Vec<(&'static str, &'static str)> {
    use custodian_domain::devices::Custody;
    let on = chrono::NaiveDate::MIN;
    [
        (Custody::Issue { to: custodian_domain::PersonId::new(), on, signed: false }, "Issue it to a member of staff"),
        (Custody::Return { on }, "Record its return"),
        (Custody::Repair { on }, "Send it for repair"),
        (Custody::Restock { on }, "Put it back in stock"),
        (Custody::Lose { on }, "Record it lost or stolen"),
        (Custody::Dispose { on, how: String::new() }, "Record its disposal"),
    ]
    .into_iter()
    .filter(|(step, _)| step.allowed_from(status).is_ok())
    .map(|(step, label)| (step.word(), label))
    .collect()
}

/// A custody step as the device's history shows it.
fn custody_row(e: &CustodyEntry) -> (String, String, String, String) {
    let what = match e.step.as_str() {
        "add" => "Added to the register".to_string(),
        "issue" => format!(
            "Issued to {}{}",
            e.person_name.clone().unwrap_or_default(),
            if e.signed { ", who signed for it" } else { "" }
        ),
        "return" => format!("Returned by {}", e.person_name.clone().unwrap_or_default()),
        "repair" => "Sent for repair".into(),
        "restock" => "Back in stock".into(),
        "lose" => "Lost or stolen".into(),
        "dispose" => format!("Disposed of: {}", e.note),
        other => other.to_string(),
    };
    (show_day(e.on), what, e.by_name.clone(), custodian_domain::time::show_datetime(e.at))
}

pub(crate) async fn device_page_for(
    state: &AppState,
    scope: &PracticeScope,
    id: &str,
    (errors, failed_step): (Errors, String),
) -> Result<Response, HttpError> {
    let (d, custody) = uc::view(state, &scope.actor(), id).await?;
    let can_manage = scope.access.can(Permission::DevicesManage);
    let (history, people) = if can_manage {
        let staff = state.store.access_overview(scope.id()).await?;
        let mut people: Options = vec![(String::new(), "Choose".into(), true)];
        people.extend(
            staff
                .iter()
                .map(|s| (s.person_id.to_string(), s.full_name.clone(), false)),
        );
        (record_history(state, scope, d.id.to_string(), 300).await?, people)
    } else {
        (vec![], vec![])
    };
    let or_dash = |s: &str| if s.is_empty() { "–".to_string() } else { s.to_string() };
    let mut details = vec![
        ("Kind", d.kind.label().to_string()),
        ("Status", d.status.label().to_string()),
        ("Make and model", or_dash(&d.make_model)),
        ("Serial number", or_dash(&d.serial)),
        ("Operating system", or_dash(format!("{} {}", d.operating_system, d.os_version).trim())),
        ("Where it is", or_dash(&d.location)),
        ("Information asset", d.asset_name.clone().unwrap_or_else(|| "–".into())),
    ];
    if let Some(holder) = &d.holder_name {
        let since = d.issued_on.map(show_day).unwrap_or_default();
        let signed = if d.signed { "signed for" } else { "not signed for yet" };
        details.push(("Held by", format!("{holder}, since {since} ({signed})")));
    }
    if let (Some(on), Some(how)) = (d.disposed_on, &d.disposal_how) {
        details.push(("Disposed of", format!("{}: {how}", show_day(on))));
    }
    if !d.notes.is_empty() {
        details.push(("Notes", d.notes.clone()));
    }
    let status = errors.status();
    Ok(render_with(
        status,
        &DevicePage {
            layout: scope.layout(&scope.path("/devices")),
            practice: scope.practice.clone(),
            errors,
            steps: if can_manage { steps_from(d.status) } else { vec![] },
            custody: custody.iter().map(custody_row).collect(),
            details,
            history,
            can_manage,
            people,
            today: state.today().to_string(),
            failed_step,
            d,
        },
    ))
}

pub(crate) async fn device_page(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
) -> Result<Response, HttpError> {
    device_page_for(&state, &scope, &id, (Errors::none(), String::new())).await
}

/// A custody step from the device's page: the device again, or the page with the step's
/// problem named.
pub(crate) async fn custody_submit(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, HttpError> {
    let step = posted(&pairs, "step");
    let to = match posted_as(&pairs, "to", "Choose a member of the practice's staff") {
        Ok(to) => to,
        Err(e) => return device_page_for(&state, &scope, &id, (e, step)).await,
    };
    let input = CustodyInput {
        step: step.clone(),
        on: posted(&pairs, "on"),
        to,
        signed: !posted(&pairs, "signed").is_empty(),
        how: posted(&pairs, "how"),
        what_happened: posted(&pairs, "what_happened"),
        patient_data: !posted(&pairs, "patient_data").is_empty(),
        staff_data: !posted(&pairs, "staff_data").is_empty(),
    };
    match submitted(uc::custody(&state, &scope.actor(), &id, &input).await)? {
        // A loss goes on to the incident it reported, thanked as any report is.
        Ok((_, Some(incident))) => {
            Ok(Redirect::to(&scope.path(&format!("/incidents/{incident}?reported=1"))).into_response())
        }
        Ok((d, None)) => Ok(Redirect::to(&scope.path(&format!("/devices/{}", d.id))).into_response()),
        Err(errors) => device_page_for(&state, &scope, &id, (errors, step)).await,
    }
}
