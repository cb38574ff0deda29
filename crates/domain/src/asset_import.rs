//! Bringing an existing spreadsheet register into Custodian: reading a CSV file, checking every
//! row as the asset form would, and saying which row and column is wrong. Plain rules, no I/O:
//! the caller supplies the practice's people and the names already in its register.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use crate::assets::{
    ASSET_TYPES, AssetInput, FORMATS, HOSTING, STATUSES, SUPPLIER_DSPT, VOLUME_BANDS, ValidAsset,
};
use crate::{Invalid, PersonId};

/// The columns of the register's CSV, in the order the export writes them. The import reads the
/// same columns, so an exported file can be edited and imported into another practice.
pub const CSV_COLUMNS: &[&str] = &[
    "name",
    "description",
    "asset_type",
    "format",
    "hosting",
    "country",
    "supplier_name",
    "supplier_contract",
    "supplier_dspt_status",
    "iao_username",
    "iaa_username",
    "personal_data",
    "data_subjects",
    "special_category",
    "volume_band",
    "confidentiality",
    "confidentiality_reason",
    "integrity",
    "integrity_reason",
    "availability",
    "availability_reason",
    "classification",
    "retention_period",
    "retention_basis",
    "retain_until",
    "lawful_basis",
    "special_condition",
    "continuity_notes",
    "status",
    "retired_on",
    "last_reviewed_on",
    "review_interval_months",
    "system",
];

/// Columns a file must have.
pub const REQUIRED_COLUMNS: &[&str] = &[
    "name",
    "asset_type",
    "format",
    "volume_band",
    "iao_username",
];

pub use crate::csv_import::{MAX_IMPORT_BYTES, MAX_IMPORT_ROWS, RowError};

/// The asset register's file, checked.
pub type ImportPlan = crate::csv_import::ImportPlan<ValidAsset>;

/// A member of the practice, as the import needs to know them.
#[derive(Clone, Debug)]
pub struct Member {
    pub id: PersonId,
    /// Holds the IAO role in the practice (may own assets).
    pub is_iao: bool,
}

/// What the import knows about the practice it is importing into.
#[derive(Clone, Debug, Default)]
pub struct ImportContext {
    /// Current members by username, lower-cased.
    pub members: HashMap<String, Member>,
    /// Names of the assets already in the register, as [`name_key`] gives them.
    pub existing_names: HashSet<String>,
    /// The practice's systems (that staff get logins to) by name, lower-cased.
    pub systems: HashMap<String, crate::SystemId>,
}

/// The key two asset names are compared by: trimmed, case and inner spacing ignored.
pub fn name_key(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

use crate::csv_import::choice;

/// Reads and checks a register CSV. A problem with the file as a whole (too big, not CSV, wrong
/// columns) is an `Err` naming it; problems in rows are in the plan, each naming its row and
/// column. `today` is the practice's date.
pub fn plan_import(
    bytes: &[u8],
    ctx: &ImportContext,
    today: NaiveDate,
) -> Result<ImportPlan, Invalid> {
    let rows = crate::csv_import::read(bytes, CSV_COLUMNS, REQUIRED_COLUMNS, "asset")?;
    let mut plan = ImportPlan::default();
    let mut names_in_file: HashMap<String, usize> = HashMap::new();
    for mut r in rows {
        let row = r.row;
        plan.rows += 1;
        if r.unreadable {
            plan.errors.append(&mut r.errors);
            continue;
        }
        let mut errors = std::mem::take(&mut r.errors);
        let input = row_input(&r, ctx, &mut errors);
        let mut fail = |column: &str, message: String| {
            errors.push(RowError {
                row,
                column: column.into(),
                message,
            })
        };
        let key = name_key(&input.name);
        if !key.is_empty() {
            if ctx.existing_names.contains(&key) {
                fail(
                    "name",
                    format!(
                        "An asset called \u{201c}{}\u{201d} is already in the register",
                        input.name
                    ),
                );
            } else if let Some(first) = names_in_file.get(&key) {
                fail(
                    "name",
                    format!(
                        "\u{201c}{}\u{201d} is also on row {first}: each asset once",
                        input.name
                    ),
                );
            } else {
                names_in_file.insert(key, row);
            }
        }
        if let Some(valid) = validate_row(&input, row, today, &mut errors) {
            plan.valid.push((row, valid));
        }
        plan.errors.extend(errors);
    }
    Ok(plan)
}

/// A row's cells as the asset form's input, with the problems found reading them (choices,
/// numbers, usernames, the system) added to `errors`.
fn row_input(
    r: &crate::csv_import::CsvRow,
    ctx: &ImportContext,
    errors: &mut Vec<RowError>,
) -> AssetInput {
    let cell = |c: &str| r.cell(c);
    let row = r.row;
    let mut fail = |column: &str, message: String| {
        errors.push(RowError {
            row,
            column: column.into(),
            message,
        })
    };
    let mut input = AssetInput {
        name: cell("name").into(),
        description: cell("description").into(),
        asset_type: choice(cell("asset_type"), ASSET_TYPES),
        format: choice(cell("format"), FORMATS),
        hosting: choice(cell("hosting"), HOSTING),
        country: cell("country").into(),
        supplier_name: cell("supplier_name").into(),
        supplier_contract: cell("supplier_contract").into(),
        supplier_dspt_status: choice(cell("supplier_dspt_status"), SUPPLIER_DSPT),
        personal_data: cell("personal_data").into(),
        data_subjects: cell("data_subjects").into(),
        volume_band: choice(cell("volume_band"), VOLUME_BANDS),
        confidentiality_reason: cell("confidentiality_reason").into(),
        integrity_reason: cell("integrity_reason").into(),
        availability_reason: cell("availability_reason").into(),
        classification: cell("classification").into(),
        retention_period: cell("retention_period").into(),
        retention_basis: cell("retention_basis").into(),
        retain_until: cell("retain_until").into(),
        lawful_basis: cell("lawful_basis").into(),
        special_condition: cell("special_condition").into(),
        continuity_notes: cell("continuity_notes").into(),
        status: choice(cell("status"), STATUSES),
        retired_on: cell("retired_on").into(),
        last_reviewed_on: cell("last_reviewed_on").into(),
        ..AssetInput::default()
    };
    input.special_category = match cell("special_category").to_lowercase().as_str() {
        "" | "no" | "n" | "false" | "0" => false,
        "yes" | "y" | "true" | "1" => true,
        other => {
            fail(
                "special_category",
                format!("Enter yes or no, not \u{201c}{other}\u{201d}"),
            );
            false
        }
    };
    for (column, slot) in [
        ("confidentiality", &mut input.confidentiality),
        ("integrity", &mut input.integrity),
        ("availability", &mut input.availability),
    ] {
        let v = cell(column);
        if !v.is_empty() {
            match v.parse::<u8>() {
                Ok(n) => *slot = Some(n),
                Err(_) => fail(
                    column,
                    format!(
                        "Rate {column} with a whole number from 1 (low) to 5 (high), not \u{201c}{v}\u{201d}"
                    ),
                ),
            }
        }
    }
    let months = cell("review_interval_months");
    if !months.is_empty() {
        match months.parse::<u32>() {
            Ok(n) => input.review_interval_months = Some(n),
            Err(_) => fail(
                "review_interval_months",
                format!(
                    "Enter the review interval as a whole number of months, not \u{201c}{months}\u{201d}"
                ),
            ),
        }
    }
    people(r, ctx, &mut input, &mut fail);
    let system = cell("system");
    if !system.is_empty() {
        match ctx.systems.get(&system.to_lowercase()) {
            Some(id) => input.system_id = Some(*id),
            None => fail(
                "system",
                format!(
                    "This practice has no system called \u{201c}{system}\u{201d}: add it on the practice's systems page first, or leave the cell empty"
                ),
            ),
        }
    }
    input
}

/// The IAO and IAA named by username: members of the practice's staff, the IAO holding the role.
fn people(
    r: &crate::csv_import::CsvRow,
    ctx: &ImportContext,
    input: &mut AssetInput,
    fail: &mut impl FnMut(&str, String),
) {
    for (column, slot, owner) in [
        ("iao_username", &mut input.iao_id, true),
        ("iaa_username", &mut input.iaa_id, false),
    ] {
        let who = r.cell(column);
        if who.is_empty() {
            if owner {
                fail(
                    column,
                    "Enter the username of the Information Asset Owner".into(),
                );
            }
            continue;
        }
        match ctx.members.get(&who.to_lowercase()) {
            None => fail(
                column,
                format!("No one on this practice's staff has the username \u{201c}{who}\u{201d}"),
            ),
            Some(m) if owner && !m.is_iao => fail(
                column,
                format!(
                    "\u{201c}{who}\u{201d} does not hold the Information Asset Owner role in this practice: give them the role first"
                ),
            ),
            Some(m) => *slot = Some(m.id),
        }
    }
}

/// The asset form's own checks on a row: the valid asset when the row has no problem at all.
/// An IAO already reported is not reported twice, nor a column that has a problem already.
fn validate_row(
    input: &AssetInput,
    row: usize,
    today: NaiveDate,
    errors: &mut Vec<RowError>,
) -> Option<ValidAsset> {
    // The asset form's own checks; an IAO already reported above is not reported twice.
    let iao_reported = errors.iter().any(|e| e.column == "iao_username");
    match input.validate(today) {
        Ok(valid) if errors.is_empty() => Some(valid),
        Ok(_) => None,
        Err(Invalid(found)) => {
            for f in found {
                let column = match f.field.as_str() {
                    "iao_id" => "iao_username".to_string(),
                    "iaa_id" => "iaa_username".to_string(),
                    other => other.to_string(),
                };
                if column == "iao_username" && iao_reported {
                    continue;
                }
                if errors.iter().any(|e| e.column == column) {
                    continue;
                }
                errors.push(RowError {
                    row,
                    column,
                    message: f.message,
                });
            }
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> ImportContext {
        let mut members = HashMap::new();
        members.insert(
            "ivy".to_string(),
            Member {
                id: PersonId(uuid::Uuid::now_v7()),
                is_iao: true,
            },
        );
        members.insert(
            "sam".to_string(),
            Member {
                id: PersonId(uuid::Uuid::now_v7()),
                is_iao: false,
            },
        );
        ImportContext {
            members,
            existing_names: ["emis web".to_string()].into(),
            systems: HashMap::new(),
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
    }

    const HEAD: &str =
        "name,asset_type,format,volume_band,iao_username,confidentiality,confidentiality_reason\n";

    #[test]
    fn a_good_file_is_read_with_labels_or_values_and_a_byte_order_mark() {
        let file = format!(
            "\u{feff}{HEAD}Docman,system,electronic,over_100000,ivy,4,Clinical letters\r\nPaper notes,Paper store,PAPER,Under 1000,IVY,,\n,,,,,,\n"
        );
        let plan = plan_import(file.as_bytes(), &ctx(), today()).unwrap();
        assert_eq!(plan.rows, 2, "the empty row is not counted");
        assert!(plan.errors.is_empty(), "{:?}", plan.errors);
        assert_eq!(plan.valid.len(), 2);
        assert_eq!(plan.valid[0].0, 2);
        assert_eq!(plan.valid[1].1.input.asset_type, "paper_store");
        assert_eq!(plan.valid[1].1.input.volume_band, "under_1000");
        assert_eq!(plan.valid[0].1.input.confidentiality, Some(4));
    }

    #[test]
    fn each_bad_cell_is_named_by_row_and_column() {
        let file = format!(
            "{HEAD}Docman,system,electronic,over_100000,ivy,7,x\nEMIS Web,system,electronic,none,ivy,,\nA,robot,electronic,none,sam,,\nB,system,electronic,none,nobody,three,\nB,system,electronic,none,ivy,,\n"
        );
        let plan = plan_import(file.as_bytes(), &ctx(), today()).unwrap();
        let got: Vec<(usize, &str)> = plan
            .errors
            .iter()
            .map(|e| (e.row, e.column.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (2, "confidentiality"),
                (3, "name"),
                (4, "iao_username"),
                (4, "asset_type"),
                (5, "confidentiality"),
                (5, "iao_username"),
                (6, "name"),
            ]
        );
        assert!(plan.errors[0].message.contains("1 (low) to 5"));
        assert!(
            plan.errors[2]
                .message
                .contains("does not hold the Information Asset Owner role")
        );
        assert!(plan.errors[6].message.contains("row 5"));
        assert!(plan.valid.is_empty());
        assert_eq!(plan.invalid_rows(), 5);
    }

    #[test]
    fn wrong_columns_big_files_and_other_encodings_are_refused_whole() {
        let e = plan_import(b"naam,type\nx,y\n", &ctx(), today()).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("\u{201c}naam\u{201d} is not a register column"),
            "{msg}"
        );
        assert!(
            msg.contains("no name, asset_type, format, volume_band, iao_username column"),
            "{msg}"
        );
        let e = plan_import(
            b"name,name,asset_type,format,volume_band,iao_username\n",
            &ctx(),
            today(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("appears twice"));
        let e = plan_import(HEAD.as_bytes(), &ctx(), today()).unwrap_err();
        assert!(e.to_string().contains("no assets under it"));
        assert!(
            plan_import(b"", &ctx(), today())
                .unwrap_err()
                .to_string()
                .contains("empty")
        );
        let big = vec![b'a'; MAX_IMPORT_BYTES + 1];
        assert!(
            plan_import(&big, &ctx(), today())
                .unwrap_err()
                .to_string()
                .contains("10.0 MB")
        );
        // A Windows-1252 header (as Excel's plain "CSV" writes) and a bad cell further down.
        let e = plan_import(b"n\xa3me,asset_type\n", &ctx(), today()).unwrap_err();
        assert!(e.to_string().contains("not UTF-8"));
        let file = [
            HEAD.as_bytes(),
            b"Caf\xe9 notes,system,electronic,none,ivy,,\n",
        ]
        .concat();
        let plan = plan_import(&file, &ctx(), today()).unwrap();
        assert_eq!(plan.errors[0].row, 2);
        assert_eq!(plan.errors[0].column, "name");
        assert!(plan.errors[0].message.contains("UTF-8"));
    }

    #[test]
    fn a_system_is_named_and_must_be_the_practices() {
        let mut ctx = ctx();
        let emis = crate::SystemId::new();
        ctx.systems.insert("emis web".into(), emis);
        let file = "name,asset_type,format,volume_band,iao_username,system\n\
                    Clinical system,system,electronic,none,ivy,EMIS Web\n\
                    Lab links,system,electronic,none,ivy,SystmOne\n";
        let plan = plan_import(file.as_bytes(), &ctx, today()).unwrap();
        assert_eq!(plan.valid[0].1.input.system_id, Some(emis));
        assert_eq!(
            (plan.errors[0].row, plan.errors[0].column.as_str()),
            (3, "system")
        );
    }

    #[test]
    fn a_row_with_too_many_cells_and_formulae_are_handled() {
        let file = format!(
            "{HEAD}Docman,system,electronic,none,ivy,,,surplus\n\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",system,electronic,none,ivy,,\n"
        );
        let plan = plan_import(file.as_bytes(), &ctx(), today()).unwrap();
        assert_eq!(plan.errors.len(), 1);
        assert_eq!(plan.errors[0].row, 2);
        assert!(plan.errors[0].message.contains("has 8 cells"));
        // A formula is only text to Custodian: it is kept as typed, and the export neutralises it.
        assert_eq!(plan.valid[0].1.input.name, "=HYPERLINK(\"http://x\",\"y\")");
    }
}
