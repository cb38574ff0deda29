//! Spreadsheet imports into the asset and risk registers: a file is checked against the
//! practice as it is now, then written whole or as its valid rows, as the uploader chooses.
//! The pages, the API and `custodian assets|risks import` all go through here.

/// Neither scheduled jobs nor items that need attention.
pub const CAPABILITY: crate::Capability = crate::Capability::PLAIN;

use custodian_domain::asset_import::{self, ImportContext, Member};
use custodian_domain::csv_import::{ImportPlan, RowError};
use custodian_domain::risk_import::{self, RiskImportContext};
use custodian_domain::{Invalid, Permission, PersonId, PracticeId, PracticeRole, assets, risks};
use custodian_store::AuditMeta;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{App, AppError};

/// Which register a file goes into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Register {
    Assets,
    Risks,
}

impl Register {
    /// As stored with a staged file.
    pub fn key(self) -> &'static str {
        match self {
            Register::Assets => "assets",
            Register::Risks => "risks",
        }
    }
    /// One row's thing.
    pub fn item(self) -> &'static str {
        match self {
            Register::Assets => "asset",
            Register::Risks => "risk",
        }
    }
    pub fn manage(self) -> Permission {
        match self {
            Register::Assets => Permission::AssetsManage,
            Register::Risks => Permission::RisksManage,
        }
    }
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            Register::Assets => asset_import::CSV_COLUMNS,
            Register::Risks => risk_import::CSV_COLUMNS,
        }
    }
    pub fn required(self) -> &'static [&'static str] {
        match self {
            Register::Assets => asset_import::REQUIRED_COLUMNS,
            Register::Risks => risk_import::REQUIRED_COLUMNS,
        }
    }
}

/// A checked file of either register.
pub enum Checked {
    Assets(ImportPlan<assets::ValidAsset>),
    Risks(ImportPlan<risks::ValidRisk>),
}

impl Checked {
    pub fn rows(&self) -> usize {
        match self {
            Checked::Assets(p) => p.rows,
            Checked::Risks(p) => p.rows,
        }
    }
    pub fn valid(&self) -> usize {
        match self {
            Checked::Assets(p) => p.valid.len(),
            Checked::Risks(p) => p.valid.len(),
        }
    }
    pub fn invalid_rows(&self) -> usize {
        match self {
            Checked::Assets(p) => p.invalid_rows(),
            Checked::Risks(p) => p.invalid_rows(),
        }
    }
    pub fn errors(&self) -> &[RowError] {
        match self {
            Checked::Assets(p) => &p.errors,
            Checked::Risks(p) => &p.errors,
        }
    }
}

/// Checks a register file against the practice as it is now; `importer` owns risks that name
/// no owner and no asset.
pub async fn check_file(
    app: &App,
    register: Register,
    practice: PracticeId,
    importer: PersonId,
    bytes: &[u8],
) -> Result<Checked, AppError> {
    let today = custodian_domain::identity::london_today(app.clock.now());
    let staff = app.store.access_overview(practice).await?;
    match register {
        Register::Assets => {
            let names = app.store.asset_choices(practice).await?;
            let systems = app.store.systems(practice).await?;
            let ctx = ImportContext {
                members: staff
                    .into_iter()
                    .map(|s| {
                        (
                            s.username.to_lowercase(),
                            Member {
                                id: s.person_id,
                                is_iao: s.roles.contains(&PracticeRole::InformationAssetOwner),
                            },
                        )
                    })
                    .collect(),
                existing_names: names
                    .iter()
                    .map(|(_, n)| asset_import::name_key(n))
                    .collect(),
                systems: systems
                    .into_iter()
                    .map(|s| (s.name.to_lowercase(), s.id))
                    .collect(),
            };
            let bytes = bytes.to_vec();
            let plan =
                crate::heavy::run(move || asset_import::plan_import(&bytes, &ctx, today)).await?;
            Ok(Checked::Assets(plan?))
        }
        Register::Risks => {
            let settings = app.store.settings(practice).await?;
            let m = risks::matrix(&settings.risk_matrix);
            let list = app
                .store
                .assets(
                    practice,
                    &custodian_store::AssetFilter {
                        limit: assets::REGISTER_MAX,
                        ..Default::default()
                    },
                )
                .await?;
            let titles = app
                .store
                .risks(
                    practice,
                    &custodian_store::RiskFilter {
                        limit: 50_000,
                        ..Default::default()
                    },
                )
                .await?;
            let ctx = RiskImportContext {
                members: staff
                    .into_iter()
                    .map(|s| (s.username.to_lowercase(), s.person_id))
                    .collect(),
                assets: list
                    .iter()
                    .map(|a| {
                        (
                            asset_import::name_key(&a.fields.name),
                            (a.id, a.fields.iao_id),
                        )
                    })
                    .collect(),
                existing_titles: titles
                    .iter()
                    .map(|r| asset_import::name_key(&r.fields.title))
                    .collect(),
                importer,
            };
            let bytes = bytes.to_vec();
            let plan =
                crate::heavy::run(move || risk_import::plan_import(&bytes, &ctx, m, today)).await?;
            Ok(Checked::Risks(plan?))
        }
    }
}

/// How the uploader chose to write the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImportMode {
    /// Every row or nothing: refused while any row has a problem.
    All,
    /// The valid rows; the others are reported and left out.
    ValidRows,
}

/// Whether a checked file can be written as the uploader chose, and if so the import's
/// summary for the audit trail: every row needs to be valid for `All`, and at least one for
/// `ValidRows`. Shared by the registers' imports and the provider's list of practices.
pub fn fits(
    rows: usize,
    valid: usize,
    bad: usize,
    mode: ImportMode,
) -> Result<serde_json::Value, AppError> {
    if mode == ImportMode::All && bad > 0 {
        return Err(Invalid::one(
            "mode",
            format!(
                "{bad} of the {rows} rows have problems, so nothing was imported: correct them, or choose to import only the valid rows"
            ),
        )
        .into());
    }
    if valid == 0 {
        return Err(Invalid::one("mode", "No row is valid, so there is nothing to import").into());
    }
    Ok(serde_json::json!({
        "mode": mode,
        "rows": rows,
        "written": valid,
        "rows_left_out": bad,
    }))
}

/// Writes the file as the uploader chose; nothing is written if the choice does not fit it.
/// The caller has checked that `by` may manage the register.
pub async fn write(
    app: &App,
    practice: PracticeId,
    by: &AuditMeta,
    import: Option<custodian_domain::ImportId>,
    checked: &Checked,
    mode: ImportMode,
) -> Result<usize, AppError> {
    let summary = fits(checked.rows(), checked.valid(), checked.invalid_rows(), mode)?;
    Ok(match checked {
        Checked::Assets(plan) => {
            let rows: Vec<assets::ValidAsset> = plan.valid.iter().map(|(_, v)| v.clone()).collect();
            app.store
                .import_assets(practice, import, &rows, summary, by)
                .await?
        }
        Checked::Risks(plan) => {
            let rows: Vec<risks::ValidRisk> = plan.valid.iter().map(|(_, v)| v.clone()).collect();
            app.store
                .import_risks(practice, import, &rows, summary, by)
                .await?
        }
    })
}
