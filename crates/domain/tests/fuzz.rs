//! Property-based fuzzing of what reads outside input: the date and text rules and the CSV
//! imports. Whatever the bytes, no panic, no hang, and the rules hold. Runs in `cargo test` (so in
//! `.ci/run`) with a fixed number of cases; `PROPTEST_CASES=100000` runs longer by hand.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use custodian_domain::time::{FIRST_YEAR, LAST_YEAR, parse_date};
use custodian_domain::validation::{TEXT_MAX, text_problem};
use custodian_domain::{PersonId, asset_import, risk_import, risks};
use proptest::prelude::*;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 6).unwrap()
}

/// A CSV cell as a hostile spreadsheet might hold it: quotes, separators, line breaks, control
/// characters, formula starters, long runs and non-ASCII.
fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9 ]{0,20}",
        "[\"',;\\r\\n\\t=+@-]{0,8}",
        "\\PC{0,30}",
        "[\\x00-\\x1f\\x7f]{0,4}",
        "[0-9]{1,5}-[0-9]{1,3}-[0-9]{1,3}",
        Just("x".repeat(5000)),
    ]
}

fn csv_file(columns: &'static [&'static str]) -> impl Strategy<Value = Vec<u8>> {
    (
        proptest::sample::subsequence(columns.to_vec(), 0..=columns.len()),
        proptest::collection::vec(proptest::collection::vec(cell(), 0..12), 0..20),
    )
        .prop_map(|(header, rows)| {
            let mut out = header.join(",");
            for row in rows {
                out.push('\n');
                let quoted: Vec<String> = row
                    .iter()
                    .map(|c| format!("\"{}\"", c.replace('"', "\"\"")))
                    .collect();
                out.push_str(&quoted.join(","));
            }
            out.into_bytes()
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn any_text_is_read_as_a_date_only_in_the_one_form(s in "\\PC{0,16}|[-+0-9]{0,12}") {
        if let Some(d) = parse_date(&s) {
            prop_assert_eq!(d.format("%Y-%m-%d").to_string(), s.trim());
            prop_assert!((FIRST_YEAR..=LAST_YEAR).contains(&chrono::Datelike::year(&d)));
        }
    }

    #[test]
    fn every_real_day_reads_back(days in 0i64..(300 * 366)) {
        let d = NaiveDate::from_ymd_opt(FIRST_YEAR, 1, 1).unwrap() + chrono::Duration::days(days);
        let expected = (chrono::Datelike::year(&d) <= LAST_YEAR).then_some(d);
        prop_assert_eq!(parse_date(&d.format("%Y-%m-%d").to_string()), expected);
    }

    #[test]
    fn text_with_a_control_character_is_always_refused(
        before in "\\PC{0,50}",
        control in prop_oneof![0u32..9, 11u32..13, 14u32..32, 127u32..160],
        after in "\\PC{0,50}",
    ) {
        let c = char::from_u32(control).unwrap();
        let s = format!("{before}{c}{after}");
        prop_assert!(text_problem(&s, TEXT_MAX).is_some());
    }

    #[test]
    fn printable_text_within_its_length_is_accepted(s in "[^\\p{Cc}]{0,300}") {
        prop_assert_eq!(text_problem(&s, 300), None);
    }

    #[test]
    fn any_bytes_as_an_asset_register_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let _ = asset_import::plan_import(&bytes, &asset_import::ImportContext::default(), today());
    }

    #[test]
    fn hostile_asset_spreadsheets_are_named_row_by_row(file in csv_file(asset_import::CSV_COLUMNS)) {
        if let Ok(plan) = asset_import::plan_import(&file, &asset_import::ImportContext::default(), today()) {
            prop_assert!(plan.errors.iter().all(|e| e.row >= 2 && !e.message.is_empty()));
            for (_, a) in &plan.valid {
                prop_assert!(text_problem(&a.input.name, TEXT_MAX).is_none());
            }
        }
    }

    #[test]
    fn hostile_risk_spreadsheets_never_panic(file in csv_file(risk_import::CSV_COLUMNS)) {
        let ctx = risk_import::RiskImportContext {
            members: HashMap::new(),
            assets: HashMap::new(),
            existing_titles: HashSet::new(),
            importer: PersonId::new(),
        };
        if let Ok(plan) = risk_import::plan_import(&file, &ctx, risks::matrix("5x5"), today()) {
            prop_assert!(plan.errors.iter().all(|e| e.row >= 2));
        }
    }
}
