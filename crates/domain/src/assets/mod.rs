//! The information asset register: what a practice holds, who owns it (the IAO), how sensitive
//! it is, how it moves (data flows) and who has access and why. Plain rules, no I/O.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::validation::Checker;
use crate::{Invalid, PersonId, PracticeRole};

#[cfg(test)]
mod tests;

/// The choices a field may take, as (stored value, label).
pub const ASSET_TYPES: &[(&str, &str)] = &[
    ("patient_records", "Patient record system"),
    ("appointments", "Appointment data"),
    ("staff_records", "Staff records"),
    ("cctv", "CCTV"),
    ("email", "Email"),
    ("other_information", "Other information"),
    ("system", "System or application"),
    ("server", "Server"),
    ("laptops", "Laptop and desktop estate"),
    ("shared_drive", "Shared drive"),
    ("paper_store", "Paper store"),
    ("other_technology", "Other technology"),
];
pub const FORMATS: &[(&str, &str)] = &[
    ("electronic", "Electronic"),
    ("paper", "Paper"),
    ("both", "Electronic and paper"),
];
pub const HOSTING: &[(&str, &str)] = &[
    ("on_premises", "On the premises"),
    ("supplier_hosted", "Hosted by the supplier"),
    ("cloud", "Cloud"),
];
pub const VOLUME_BANDS: &[(&str, &str)] = &[
    ("none", "No personal records"),
    ("under_1000", "Under 1,000"),
    ("1000_10000", "1,000 to 10,000"),
    ("10000_100000", "10,000 to 100,000"),
    ("over_100000", "Over 100,000"),
];
pub const STATUSES: &[(&str, &str)] = &[
    ("active", "Active"),
    ("retiring", "Being retired"),
    ("retired", "Retired"),
];
crate::status::status_enum! {
    /// Where an asset stands (the choices of [`STATUSES`]).
    AssetStatus { Active => "active", Retiring => "retiring", Retired => "retired" }
}

pub const SUPPLIER_DSPT: &[(&str, &str)] = &[
    ("", "Not applicable"),
    ("standards_met", "Standards Met"),
    ("approaching", "Approaching Standards"),
    ("not_met", "Standards Not Met"),
    ("unknown", "Not known"),
];

/// The most assets a practice's register lists at once (the import takes 20,000 rows a file).
pub const REGISTER_MAX: u32 = 50_000;

fn label(list: &[(&'static str, &'static str)], value: &str) -> &'static str {
    list.iter()
        .find(|(v, _)| *v == value)
        .map(|(_, l)| *l)
        .unwrap_or("")
}

/// An asset as typed into the form or the API.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(default)]
pub struct AssetInput {
    #[schema(max_length = 200)]
    pub name: String,
    #[schema(max_length = 2000)]
    pub description: String,
    /// One of the asset types (`patient_records`, `system`, ...).
    pub asset_type: String,
    /// electronic, paper or both.
    pub format: String,
    /// on_premises, supplier_hosted or cloud.
    pub hosting: String,
    #[schema(max_length = 500)]
    pub country: String,
    #[schema(max_length = 500)]
    pub supplier_name: String,
    #[schema(max_length = 500)]
    pub supplier_contract: String,
    /// The supplier's DSPT status (DSPT standard 10): standards_met, approaching, not_met, unknown.
    pub supplier_dspt_status: String,
    /// The Information Asset Owner: a member of the practice with the IAO role.
    pub iao_id: Option<PersonId>,
    /// An optional Information Asset Administrator.
    pub iaa_id: Option<PersonId>,
    #[schema(max_length = 2000)]
    pub personal_data: String,
    #[schema(max_length = 2000)]
    pub data_subjects: String,
    pub special_category: bool,
    /// none, under_1000, 1000_10000, 10000_100000, over_100000.
    pub volume_band: String,
    /// 1 (low) to 5 (high); 0 or absent when not yet rated.
    #[schema(minimum = 0, maximum = 5)]
    pub confidentiality: Option<u8>,
    #[schema(max_length = 500)]
    pub confidentiality_reason: String,
    #[schema(minimum = 0, maximum = 5)]
    pub integrity: Option<u8>,
    #[schema(max_length = 500)]
    pub integrity_reason: String,
    #[schema(minimum = 0, maximum = 5)]
    pub availability: Option<u8>,
    #[schema(max_length = 500)]
    pub availability_reason: String,
    /// Official, Official-Sensitive or the practice's own label.
    #[schema(max_length = 500)]
    pub classification: String,
    /// How long it is kept, e.g. "10 years after the patient's death".
    #[schema(max_length = 500)]
    pub retention_period: String,
    #[schema(max_length = 500)]
    pub retention_basis: String,
    /// The date it may be destroyed, if one is fixed (never in the past).
    pub retain_until: String,
    /// UK GDPR Article 6 basis.
    #[schema(max_length = 500)]
    pub lawful_basis: String,
    /// Article 9 / DPA 2018 Schedule 1 condition, for special-category data.
    #[schema(max_length = 500)]
    pub special_condition: String,
    /// Business continuity: recovery time and point.
    #[schema(max_length = 2000)]
    pub continuity_notes: String,
    /// active, retiring or retired.
    pub status: String,
    pub retired_on: String,
    pub last_reviewed_on: String,
    #[schema(minimum = 1, maximum = 60)]
    pub review_interval_months: Option<u32>,
    /// The practice system this asset is, when staff get logins to it through starter and
    /// leaver requests: its login holders are then checked against the access entries.
    pub system_id: Option<crate::SystemId>,
}

/// An asset that passed validation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidAsset {
    pub input: AssetInput,
    pub retain_until: Option<NaiveDate>,
    pub retired_on: Option<NaiveDate>,
    pub last_reviewed_on: Option<NaiveDate>,
    pub review_interval_months: u32,
}

fn choice(
    c: &mut Checker,
    field: &str,
    what: &str,
    value: &str,
    list: &[(&str, &str)],
    required: bool,
) -> String {
    let v = value.trim();
    if v.is_empty() && !required {
        return String::new();
    }
    if !list.iter().any(|(k, _)| *k == v) {
        c.fail(field, format!("Choose {what} from the list"));
    }
    v.to_string()
}

fn optional_text(c: &mut Checker, field: &str, value: &str, max: usize) -> String {
    let v = value.trim();
    if let Some(problem) = crate::validation::text_problem(v, max) {
        c.fail(field, format!("This {problem}"));
    }
    v.to_string()
}

fn date(c: &mut Checker, field: &str, what: &str, value: &str) -> Option<NaiveDate> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    let d = crate::identity::parse_date(v);
    if d.is_none() {
        c.fail(
            field,
            format!("Enter {what} as a real date, like 2026-11-01"),
        );
    }
    d
}

/// A choice field of an input and its list of values (`""` allowed when the field is optional).
pub type Choices = &'static [(&'static str, &'static [(&'static str, &'static str)], bool)];

impl AssetInput {
    /// The fields an asset cannot be saved without (the API's document marks them required;
    /// a test keeps this list and [`AssetInput::validate`] the same).
    pub const REQUIRED: &'static [&'static str] =
        &["name", "asset_type", "format", "volume_band", "iao_id"];
    /// Its choice fields, their lists, and whether each may be left empty.
    pub const CHOICES: Choices = &[
        ("asset_type", ASSET_TYPES, false),
        ("format", FORMATS, false),
        ("hosting", HOSTING, true),
        ("supplier_dspt_status", SUPPLIER_DSPT, true),
        ("volume_band", VOLUME_BANDS, false),
        ("status", STATUSES, true),
    ];

    /// Checks the asset; `today` is the practice's date (retention cannot end in the past).
    pub fn validate(&self, today: NaiveDate) -> Result<ValidAsset, Invalid> {
        let mut c = Checker::new();
        let mut out = self.clone();
        out.name = c.text("name", "the asset's name", &self.name, 200);
        out.description = optional_text(&mut c, "description", &self.description, 2000);
        out.asset_type = choice(
            &mut c,
            "asset_type",
            "the type of asset",
            &self.asset_type,
            ASSET_TYPES,
            true,
        );
        out.format = choice(&mut c, "format", "the format", &self.format, FORMATS, true);
        out.hosting = choice(
            &mut c,
            "hosting",
            "where it is hosted",
            &self.hosting,
            HOSTING,
            false,
        );
        out.supplier_dspt_status = choice(
            &mut c,
            "supplier_dspt_status",
            "the supplier's DSPT status",
            &self.supplier_dspt_status,
            SUPPLIER_DSPT,
            false,
        );
        out.volume_band = choice(
            &mut c,
            "volume_band",
            "how many records it holds",
            &self.volume_band,
            VOLUME_BANDS,
            true,
        );
        out.status = if self.status.trim().is_empty() {
            AssetStatus::Active.to_string()
        } else {
            choice(&mut c, "status", "the status", &self.status, STATUSES, true)
        };
        self.check_texts(&mut c);
        if self.iao_id.is_none() {
            c.fail("iao_id", "Choose the Information Asset Owner");
        }
        self.check_ratings(&mut c);
        let retain_until = date(
            &mut c,
            "retain_until",
            "the retention date",
            &self.retain_until,
        );
        if retain_until.is_some_and(|d| d < today) {
            c.fail("retain_until", "The retention date is in the past: the asset should have been destroyed, or the date is wrong");
        }
        let retired_on = date(
            &mut c,
            "retired_on",
            "the date it was retired",
            &self.retired_on,
        );
        let retired = out.status() == AssetStatus::Retired;
        if retired && retired_on.is_none() && !self.retired_on.trim().is_empty() {
            // already reported as a bad date
        } else if retired && retired_on.is_none() {
            c.fail("retired_on", "Enter the date the asset was retired");
        }
        let last_reviewed_on = date(
            &mut c,
            "last_reviewed_on",
            "the date of the last review",
            &self.last_reviewed_on,
        );
        if last_reviewed_on.is_some_and(|d| d > today) {
            c.fail(
                "last_reviewed_on",
                "The last review cannot be in the future",
            );
        }
        let interval = self.review_interval_months.unwrap_or(12);
        if !(1..=60).contains(&interval) {
            c.fail("review_interval_months", "Review every 1 to 60 months");
        }
        c.finish()?;
        Ok(ValidAsset {
            input: out,
            retain_until,
            retired_on,
            last_reviewed_on,
            review_interval_months: interval,
        })
    }
}

impl AssetInput {
    /// The status chosen (validation leaves only a choice of the list; none is active).
    pub fn status(&self) -> AssetStatus {
        AssetStatus::parse(&self.status).unwrap_or(AssetStatus::Active)
    }

    /// The optional text fields, each within its length.
    fn check_texts(&self, c: &mut Checker) {
        for (field, v) in [
            ("country", &self.country),
            ("supplier_name", &self.supplier_name),
            ("supplier_contract", &self.supplier_contract),
            ("classification", &self.classification),
            ("lawful_basis", &self.lawful_basis),
            ("special_condition", &self.special_condition),
            ("retention_period", &self.retention_period),
            ("retention_basis", &self.retention_basis),
        ] {
            optional_text(c, field, v, 500);
        }
        for (field, v) in [
            ("personal_data", &self.personal_data),
            ("data_subjects", &self.data_subjects),
            ("continuity_notes", &self.continuity_notes),
        ] {
            optional_text(c, field, v, 2000);
        }
    }

    /// Each C/I/A rating from 1 to 5, with a reason when given.
    fn check_ratings(&self, c: &mut Checker) {
        for (field, rating, reason, what) in [
            (
                "confidentiality",
                self.confidentiality,
                &self.confidentiality_reason,
                "confidentiality",
            ),
            (
                "integrity",
                self.integrity,
                &self.integrity_reason,
                "integrity",
            ),
            (
                "availability",
                self.availability,
                &self.availability_reason,
                "availability",
            ),
        ] {
            match rating {
                None | Some(0) => {}
                Some(r) if r > 5 => c.fail(field, format!("Rate {what} from 1 (low) to 5 (high)")),
                Some(_) if reason.trim().is_empty() => c.fail(
                    &format!("{field}_reason"),
                    format!("Give a short reason for the {what} rating"),
                ),
                Some(_) => {}
            }
            optional_text(c, &format!("{field}_reason"), reason, 500);
        }
    }
}

/// Whether a person may be an asset's IAO: a member of the practice with the IAO role.
pub fn may_own(roles: &[PracticeRole]) -> bool {
    roles.contains(&PracticeRole::InformationAssetOwner)
}

/// Whether someone may change an asset: those who manage the register (DPL, practice manager,
/// IG consultants), or the asset's own IAO.
pub fn may_edit(access: &crate::Access, roles: &[PracticeRole], iao: Option<PersonId>) -> bool {
    access.can(crate::Permission::AssetsManage)
        || (may_own(roles)
            && iao == Some(access.person)
            && access.can(crate::Permission::AssetsView))
}

/// A gap in the register, for the data-quality report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Gap {
    pub asset_id: crate::AssetId,
    pub asset: String,
    pub problem: String,
}

/// The facts the data-quality report needs about one asset.
pub struct AssetFacts<'a> {
    pub id: crate::AssetId,
    pub input: &'a AssetInput,
    pub created: NaiveDate,
    pub iao_is_current: bool,
    /// The flows out of the asset: each kind of flow with how many there are.
    pub flows: Vec<(FlowFact, usize)>,
    /// How many access entries give no reason.
    pub access_without_reason: usize,
    /// For an asset that is a practice system: how many people hold a login to it that no
    /// access entry covers (by name or by one of their roles).
    pub logins_without_entry: usize,
    /// When who has access is next due its yearly review (`None`: no current access entries).
    pub access_review_due: Option<NaiveDate>,
}

/// What the data-quality check needs to know of a data flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FlowFact {
    pub encrypted: bool,
    pub has_agreement: bool,
    /// To an external party rather than another asset of the practice.
    pub external: bool,
}

/// Gaps in the register: no current IAO, missing CIA ratings, review overdue, special-category
/// data without a condition, flows without encryption or agreement, access without a reason.
pub fn data_quality(assets: &[AssetFacts<'_>], today: NaiveDate) -> Vec<Gap> {
    let mut gaps = Vec::new();
    for a in assets
        .iter()
        .filter(|a| a.input.status() != AssetStatus::Retired)
    {
        let mut gap = |p: String| {
            gaps.push(Gap {
                asset_id: a.id,
                asset: a.input.name.clone(),
                problem: p,
            })
        };
        if !a.iao_is_current {
            gap("Its Information Asset Owner has left or no longer holds the role".into());
        }
        let unrated: Vec<&str> = [
            ("confidentiality", a.input.confidentiality),
            ("integrity", a.input.integrity),
            ("availability", a.input.availability),
        ]
        .iter()
        .filter(|(_, r)| r.unwrap_or(0) == 0)
        .map(|(n, _)| *n)
        .collect();
        if !unrated.is_empty() {
            gap(format!("No {} rating", unrated.join(", ")));
        }
        let last = crate::identity::parse_date(&a.input.last_reviewed_on);
        let due = review_due(
            last,
            a.created,
            a.input.review_interval_months.unwrap_or(12),
        );
        if due < today {
            gap(format!("Review overdue since {}", due.format("%-d %b %Y")));
        }
        if a.input.special_category && a.input.special_condition.trim().is_empty() {
            gap("Special-category data without an Article 9 condition".into());
        }
        for (f, n) in &a.flows {
            for flag in flow_flags(f.encrypted, f.has_agreement, f.external) {
                match n {
                    0 => {}
                    1 => gap(format!("A data flow: {}", flag.to_lowercase())),
                    n => gap(format!("{n} data flows: {}", flag.to_lowercase())),
                }
            }
        }
        let no_reason = a.access_without_reason;
        if no_reason > 0 {
            gap(format!(
                "{no_reason} access entr{} without a reason",
                if no_reason == 1 { "y" } else { "ies" }
            ));
        }
        match a.logins_without_entry {
            0 => {}
            1 => gap("1 person holds a login with no access entry saying why".into()),
            n => gap(format!(
                "{n} people hold a login with no access entry saying why"
            )),
        }
        if let Some(due) = a.access_review_due.filter(|d| *d <= today) {
            gap(format!(
                "Access review due since {} (who has access is reviewed yearly)",
                due.format("%-d %b %Y")
            ));
        }
    }
    gaps
}

/// Whether a login holder's access is stated in the register: an entry names them, or names
/// one of their roles in the practice.
pub fn login_is_justified(
    person: PersonId,
    roles: &[PracticeRole],
    entries: &[(Option<PracticeRole>, Option<PersonId>)],
) -> bool {
    entries
        .iter()
        .any(|(role, who)| *who == Some(person) || role.is_some_and(|r| roles.contains(&r)))
}

/// The date an asset's next review is due.
pub fn review_due(
    last_reviewed: Option<NaiveDate>,
    created: NaiveDate,
    interval_months: u32,
) -> NaiveDate {
    last_reviewed
        .unwrap_or(created)
        .checked_add_months(Months::new(interval_months))
        .unwrap_or(NaiveDate::MAX)
}

/// Months between reviews of who has access to an asset (the IAO signs off each access list
/// at least once a year).
pub const ACCESS_REVIEW_MONTHS: u32 = 12;

/// The date the access list of an asset is next due its review: a year after the last review,
/// or after the asset was added when nobody has reviewed it yet.
pub fn access_review_due(last_reviewed: Option<NaiveDate>, created: NaiveDate) -> NaiveDate {
    review_due(last_reviewed, created, ACCESS_REVIEW_MONTHS)
}

pub fn type_label(v: &str) -> &'static str {
    label(ASSET_TYPES, v)
}
pub fn volume_label(v: &str) -> &'static str {
    label(VOLUME_BANDS, v)
}
pub fn status_label(v: &str) -> &'static str {
    label(STATUSES, v)
}

/// How information moves: a data flow as typed.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(default)]
pub struct FlowInput {
    /// The asset the data leaves.
    pub from_asset_id: Option<crate::AssetId>,
    /// Another asset of the practice, or...
    pub to_asset_id: Option<crate::AssetId>,
    /// ...an external party (e.g. "Hospital trust", "ICB").
    #[schema(max_length = 200)]
    pub to_party: String,
    #[schema(min_length = 1, max_length = 500)]
    pub data: String,
    #[schema(min_length = 1, max_length = 500)]
    pub purpose: String,
    /// nhsmail, secure_portal, api, removable_media, paper_post, fax, phone, other.
    pub method: String,
    pub encrypted: bool,
    #[schema(max_length = 100)]
    pub frequency: String,
    #[schema(max_length = 500)]
    pub legal_basis: String,
    /// The data-sharing agreement's reference, if any.
    #[schema(max_length = 200)]
    pub agreement_ref: String,
    /// collect, store, use, share, archive, delete.
    pub lifecycle_stage: String,
}

pub const FLOW_METHODS: &[(&str, &str)] = &[
    ("nhsmail", "NHSmail"),
    ("secure_portal", "Secure portal"),
    ("api", "API, HL7 or FHIR"),
    ("removable_media", "Removable media"),
    ("paper_post", "Paper post"),
    ("fax", "Fax"),
    ("phone", "Telephone"),
    ("other", "Other"),
];
pub const LIFECYCLE: &[(&str, &str)] = &[
    ("collect", "Collect"),
    ("store", "Store"),
    ("use", "Use"),
    ("share", "Share or transfer"),
    ("archive", "Archive"),
    ("delete", "Delete"),
];

impl FlowInput {
    pub fn validate(&self) -> Result<FlowInput, Invalid> {
        let mut c = Checker::new();
        let mut out = self.clone();
        if self.from_asset_id.is_none() {
            c.fail("from_asset_id", "Choose the asset the data leaves");
        }
        out.to_party = optional_text(&mut c, "to_party", &self.to_party, 200);
        match (self.to_asset_id, out.to_party.is_empty()) {
            (None, true) => c.fail(
                "to_asset_id",
                "Choose where the data goes: another asset or an external party",
            ),
            (Some(_), false) => c.fail(
                "to_party",
                "Choose either another asset or an external party, not both",
            ),
            (Some(to), true) if Some(to) == self.from_asset_id => {
                c.fail("to_asset_id", "A flow cannot go from an asset to itself")
            }
            _ => {}
        }
        out.data = c.text("data", "what data moves", &self.data, 500);
        out.purpose = c.text("purpose", "why it moves", &self.purpose, 500);
        out.method = choice(
            &mut c,
            "method",
            "how it moves",
            &self.method,
            FLOW_METHODS,
            true,
        );
        out.lifecycle_stage = choice(
            &mut c,
            "lifecycle_stage",
            "the lifecycle stage",
            &self.lifecycle_stage,
            LIFECYCLE,
            true,
        );
        out.frequency = optional_text(&mut c, "frequency", &self.frequency, 100);
        out.legal_basis = optional_text(&mut c, "legal_basis", &self.legal_basis, 500);
        out.agreement_ref = optional_text(&mut c, "agreement_ref", &self.agreement_ref, 200);
        c.finish()?;
        Ok(out)
    }
}

/// What is wrong with a flow, for the register's flags.
pub fn flow_flags(encrypted: bool, has_agreement: bool, external: bool) -> Vec<&'static str> {
    let mut f = Vec::new();
    if !encrypted {
        f.push("Not encrypted in transit");
    }
    if external && !has_agreement {
        f.push("No data-sharing agreement");
    }
    f
}

/// Who has access and why, as typed.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(default)]
pub struct AccessInput {
    /// A practice role (e.g. `staff`, `practice_manager`), or...
    pub role: Option<PracticeRole>,
    /// ...a named person.
    pub person_id: Option<PersonId>,
    /// read, write or admin.
    pub level: String,
    /// The business reason.
    #[schema(max_length = 500)]
    pub reason: String,
}

impl AccessInput {
    pub fn validate(&self) -> Result<AccessInput, Invalid> {
        let mut c = Checker::new();
        let mut out = self.clone();
        match (self.role, self.person_id) {
            (None, None) => c.fail("role", "Choose a role or a named person"),
            (Some(_), Some(_)) => c.fail("person_id", "Choose a role or a named person, not both"),
            _ => {}
        }
        if !matches!(self.level.as_str(), "read" | "write" | "admin") {
            c.fail("level", "Choose read, write or admin");
        }
        out.reason = optional_text(&mut c, "reason", &self.reason, 500);
        c.finish()?;
        Ok(out)
    }
}
