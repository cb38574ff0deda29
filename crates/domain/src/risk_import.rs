//! Bringing an existing risk register (a spreadsheet) into Custodian, and the columns of the
//! register's CSV download, which reads back in. Plain rules, no I/O.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use crate::PersonId;
use crate::asset_import::name_key;
use crate::csv_import::{CsvRow, ImportPlan, choice, number, yes_no};
use crate::risks::{CATEGORIES, Matrix, RiskInput, STATUSES, TREATMENTS, ValidRisk};

/// The columns of the risk register's CSV: what the import reads, then what the download adds
/// (computed, and ignored when read back).
pub const CSV_COLUMNS: &[&str] = &[
    "reference",
    "title",
    "description",
    "threat",
    "vulnerability",
    "category",
    "confidentiality",
    "confidentiality_reason",
    "integrity",
    "integrity_reason",
    "availability",
    "availability_reason",
    "assets",
    "owner_username",
    "inherent_likelihood",
    "inherent_impact",
    "controls",
    "residual_likelihood",
    "residual_impact",
    "treatment",
    "target_likelihood",
    "target_impact",
    "status",
    "review_interval_months",
    "raised_on",
    "inherent_score",
    "residual_score",
    "band",
    "next_review_on",
];

pub const REQUIRED_COLUMNS: &[&str] = &[
    "title",
    "threat",
    "vulnerability",
    "category",
    "inherent_likelihood",
    "inherent_impact",
    "residual_likelihood",
    "residual_impact",
    "treatment",
];

/// What the import knows about the practice.
#[derive(Clone, Debug)]
pub struct RiskImportContext {
    /// Current members by username, lower-cased.
    pub members: HashMap<String, PersonId>,
    /// The register's assets by [`name_key`], with their IAO.
    pub assets: HashMap<String, (crate::AssetId, Option<PersonId>)>,
    /// Titles of the risks already in the register, by [`name_key`].
    pub existing_titles: HashSet<String>,
    /// Who imports: the owner of a risk with no owner and no asset.
    pub importer: PersonId,
}

/// Reads and checks a risk register CSV on the practice's matrix.
pub fn plan_import(
    bytes: &[u8],
    ctx: &RiskImportContext,
    m: &Matrix,
    today: NaiveDate,
) -> Result<ImportPlan<ValidRisk>, crate::Invalid> {
    let rows = crate::csv_import::read(bytes, CSV_COLUMNS, REQUIRED_COLUMNS, "risk")?;
    let mut plan = ImportPlan::default();
    let mut titles: HashMap<String, usize> = HashMap::new();
    for mut r in rows {
        plan.rows += 1;
        if r.unreadable {
            plan.errors.append(&mut r.errors);
            continue;
        }
        if let Some(v) = check_row(&mut r, ctx, m, today, &mut titles)
            && r.errors.is_empty()
        {
            plan.valid.push((r.row, v));
        }
        plan.errors.append(&mut r.errors);
    }
    Ok(plan)
}

fn check_row(
    r: &mut CsvRow,
    ctx: &RiskImportContext,
    m: &Matrix,
    today: NaiveDate,
    titles: &mut HashMap<String, usize>,
) -> Option<ValidRisk> {
    let text = |r: &CsvRow, c: &str| r.cell(c).to_string();
    let mut input = RiskInput {
        title: text(r, "title"),
        description: text(r, "description"),
        threat: text(r, "threat"),
        vulnerability: text(r, "vulnerability"),
        category: choice(r.cell("category"), CATEGORIES),
        confidentiality_reason: text(r, "confidentiality_reason"),
        integrity_reason: text(r, "integrity_reason"),
        availability_reason: text(r, "availability_reason"),
        controls: text(r, "controls"),
        treatment: choice(r.cell("treatment"), TREATMENTS),
        status: choice(r.cell("status"), STATUSES),
        raised_on: text(r, "raised_on"),
        ..Default::default()
    };
    input.confidentiality = yes_no(r, "confidentiality");
    input.integrity = yes_no(r, "integrity");
    input.availability = yes_no(r, "availability");
    for (column, slot) in [
        ("inherent_likelihood", &mut input.inherent_likelihood),
        ("inherent_impact", &mut input.inherent_impact),
        ("residual_likelihood", &mut input.residual_likelihood),
        ("residual_impact", &mut input.residual_impact),
        ("target_likelihood", &mut input.target_likelihood),
        ("target_impact", &mut input.target_impact),
    ] {
        *slot = number(r, column, "the level");
    }
    input.review_interval_months = number(r, "review_interval_months", "the number of months");
    for name in r
        .cell("assets")
        .split(';')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string)
        .collect::<Vec<_>>()
    {
        match ctx.assets.get(&name_key(&name)) {
            Some((id, _)) => input.asset_ids.push(*id),
            None => r.fail(
                "assets",
                format!("The asset register has no asset called \u{201c}{name}\u{201d}"),
            ),
        }
    }
    let who = r.cell("owner_username").to_string();
    input.owner_id = if who.is_empty() {
        input
            .asset_ids
            .first()
            .and_then(|a| ctx.assets.values().find(|(id, _)| id == a))
            .and_then(|(_, iao)| *iao)
            .or(Some(ctx.importer))
    } else {
        match ctx.members.get(&who.to_lowercase()) {
            Some(p) => Some(*p),
            None => {
                r.fail(
                    "owner_username",
                    format!(
                        "No one on this practice's staff has the username \u{201c}{who}\u{201d}"
                    ),
                );
                None
            }
        }
    };
    let key = name_key(&input.title);
    if !key.is_empty() {
        if ctx.existing_titles.contains(&key) {
            r.fail(
                "title",
                format!(
                    "A risk called \u{201c}{}\u{201d} is already in the register",
                    input.title
                ),
            );
        } else if let Some(first) = titles.get(&key) {
            r.fail(
                "title",
                format!(
                    "\u{201c}{}\u{201d} is also on row {first}: each risk once",
                    input.title
                ),
            );
        } else {
            titles.insert(key, r.row);
        }
    }
    match input.validate(m, today, None) {
        Ok(v) => Some(v),
        Err(crate::Invalid(found)) => {
            for f in found {
                if !r.has_error(&f.field) {
                    r.fail(&f.field, f.message);
                }
            }
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::risks::{MATRIX_4X4, MATRIX_5X5};

    fn ctx() -> RiskImportContext {
        let ivy = PersonId::new();
        RiskImportContext {
            members: [("ivy".to_string(), ivy)].into(),
            assets: [("emis web".to_string(), (crate::AssetId::new(), Some(ivy)))].into(),
            existing_titles: ["power cut".to_string()].into(),
            importer: PersonId::new(),
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
    }

    const HEAD: &str = "title,threat,vulnerability,category,confidentiality,confidentiality_reason,assets,owner_username,inherent_likelihood,inherent_impact,residual_likelihood,residual_impact,treatment\n";

    #[test]
    fn a_good_register_is_read_with_the_owner_from_the_asset() {
        let file = format!(
            "{HEAD}Phishing,Password stolen,No MFA,People,yes,Records read,EMIS Web,,4,4,3,4,Reduce\n\
             Fire,Building burns,Paper,physical,yes,Notes lost,,ivy,1,5,1,5,accept\n"
        );
        let c = ctx();
        let plan = plan_import(file.as_bytes(), &c, &MATRIX_5X5, today()).unwrap();
        assert!(plan.errors.is_empty(), "{:?}", plan.errors);
        let first = &plan.valid[0].1;
        assert_eq!(first.residual_score, 12);
        assert_eq!(
            first.input.owner_id,
            Some(c.members["ivy"]),
            "the IAO of EMIS Web"
        );
        assert_eq!(first.input.category, "people");
        assert_eq!(plan.valid[1].1.input.treatment, "accept");
    }

    #[test]
    fn each_bad_cell_is_named_and_levels_fit_the_matrix() {
        let file = format!(
            "{HEAD}Phishing,Password stolen,No MFA,people,maybe,,Docman,nobody,0,4,3,4,reduce\n\
             Power cut,Outage,One line,physical,no,,,,2,2,1,1,reduce\n\
             Flood,Water,Basement,physical,no,,,,5,2,1,1,reduce\n"
        );
        let plan = plan_import(file.as_bytes(), &ctx(), &MATRIX_4X4, today()).unwrap();
        let got: Vec<(usize, &str)> = plan
            .errors
            .iter()
            .map(|e| (e.row, e.column.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (2, "confidentiality"),
                (2, "assets"),
                (2, "owner_username"),
                (2, "inherent_likelihood"),
                (3, "title"),
                (3, "confidentiality"),
                (4, "confidentiality"),
                (4, "inherent_likelihood"),
            ]
        );
        assert!(plan.errors[3].message.contains("from 1 (Unlikely) to 4"));
        assert!(plan.valid.is_empty());
    }
}
