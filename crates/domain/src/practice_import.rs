//! Bringing a provider's list of practices in from a spreadsheet: each row a practice with its
//! first practice manager, checked as the practice form checks them, with every ODS code,
//! username and email address unique across the file and the provider. Plain rules, no I/O.

use std::collections::{HashMap, HashSet};

use crate::csv_import::{CsvRow, ImportPlan};
use crate::practice::{FirstManager, NewPracticeAndManager, ValidPractice, username_candidates};

/// The columns of a practices CSV, in the order of the template.
pub const CSV_COLUMNS: &[&str] = &[
    "name",
    "ods_code",
    "manager_name",
    "manager_email",
    "manager_phone",
    "manager_username",
];

pub const REQUIRED_COLUMNS: &[&str] = &["name", "ods_code", "manager_name", "manager_email"];

/// What is already taken across the provider: ODS codes (upper case), usernames and email
/// addresses (lower case).
#[derive(Clone, Debug, Default)]
pub struct NamesInUse {
    pub ods_codes: HashSet<String>,
    pub usernames: HashSet<String>,
    pub emails: HashSet<String>,
}

/// A row that passed: the practice, and its manager with the username they will have.
pub type PracticeRow = (ValidPractice, FirstManager);

/// Reads and checks a practices CSV against what the provider already has. A manager with no
/// username gets the first free one made from their name, free of the rows above too.
pub fn plan_import(
    bytes: &[u8],
    taken: &NamesInUse,
) -> Result<ImportPlan<PracticeRow>, crate::Invalid> {
    let rows = crate::csv_import::read(bytes, CSV_COLUMNS, REQUIRED_COLUMNS, "practice")?;
    let mut plan = ImportPlan::default();
    // What earlier rows of the file claim, with the row that claims it.
    let mut codes: HashMap<String, usize> = HashMap::new();
    let mut usernames: HashMap<String, usize> = HashMap::new();
    let mut emails: HashMap<String, usize> = HashMap::new();
    for mut row in rows {
        plan.rows += 1;
        if row.unreadable {
            plan.errors.append(&mut row.errors);
            continue;
        }
        let checked = check_row(&mut row, taken, &codes, &emails, &usernames);
        if row.errors.is_empty()
            && let Some((practice, manager)) = checked
        {
            codes.insert(practice.ods_code.clone(), row.row);
            emails.insert(manager.email.clone(), row.row);
            if let Some(u) = &manager.username {
                usernames.insert(u.clone(), row.row);
            }
            plan.valid.push((row.row, (practice, manager)));
        } else {
            plan.errors.append(&mut row.errors);
        }
    }
    Ok(plan)
}

fn check_row(
    row: &mut CsvRow,
    taken: &NamesInUse,
    codes: &HashMap<String, usize>,
    emails: &HashMap<String, usize>,
    usernames: &HashMap<String, usize>,
) -> Option<PracticeRow> {
    let optional = |c: &str| Some(row.cell(c).to_string()).filter(|v| !v.is_empty());
    let input = NewPracticeAndManager {
        name: row.cell("name").into(),
        ods_code: row.cell("ods_code").into(),
        manager_name: row.cell("manager_name").into(),
        manager_email: row.cell("manager_email").into(),
        manager_phone: optional("manager_phone"),
        manager_username: optional("manager_username"),
    };
    let (practice, mut manager) = match input.validate() {
        Ok(v) => v,
        Err(invalid) => {
            for e in invalid.0 {
                // The form's fields are the file's columns.
                if !row.has_error(&e.field) {
                    row.fail(&e.field, e.message);
                }
            }
            return None;
        }
    };
    let code = &practice.ods_code;
    if taken.ods_codes.contains(code) {
        row.fail(
            "ods_code",
            format!("A practice with ODS code {code} already exists"),
        );
    } else if let Some(r) = codes.get(code) {
        row.fail("ods_code", format!("ODS code {code} is also on row {r}"));
    }
    let email = &manager.email;
    if taken.emails.contains(email) {
        row.fail(
            "manager_email",
            format!("Someone already has the email address {email}"),
        );
    } else if let Some(r) = emails.get(email) {
        row.fail("manager_email", format!("{email} is also on row {r}"));
    }
    let free = |u: &str| !taken.usernames.contains(u) && !usernames.contains_key(u);
    match &manager.username {
        Some(u) if taken.usernames.contains(u) => {
            row.fail(
                "manager_username",
                format!("Someone already has the username {u}"),
            );
        }
        Some(u) => {
            if let Some(r) = usernames.get(u) {
                row.fail("manager_username", format!("{u} is also on row {r}"));
            }
        }
        None => {
            match username_candidates(&manager.full_name, email)
                .into_iter()
                .find(|u| free(u))
            {
                Some(u) => manager.username = Some(u),
                None => row.fail(
                    "manager_username",
                    "No free username could be made from the manager's name: give one in this column",
                ),
            }
        }
    }
    Some((practice, manager))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str =
        "name,ods_code,manager_name,manager_email,manager_phone,manager_username\n";

    fn plan(body: &str, taken: &NamesInUse) -> ImportPlan<PracticeRow> {
        plan_import(format!("{HEADER}{body}").as_bytes(), taken).unwrap()
    }

    #[test]
    fn each_row_is_a_practice_with_its_first_manager_and_a_username_made_for_them() {
        let p = plan(
            "Riverside Medical Centre,y01234,Rachel Ahmed,R.Ahmed@nhs.net,01632 960001,\n\
             Hillside Surgery,Y05678,Ravi Ahmed,ravi.ahmed@nhs.net,,\n",
            &NamesInUse::default(),
        );
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        assert_eq!(p.rows, 2);
        let (practice, manager) = &p.valid[0].1;
        assert_eq!(practice.ods_code, "Y01234");
        assert_eq!(manager.email, "r.ahmed@nhs.net");
        assert_eq!(manager.phone.as_deref(), Some("01632 960001"));
        assert_eq!(manager.username.as_deref(), Some("r.ahmed"));
        // The second R. Ahmed gets the next name, as the first one's is taken by row 2.
        assert_eq!(p.valid[1].1.1.username.as_deref(), Some("ravi.ahmed"));
    }

    #[test]
    fn every_bad_row_is_named_by_row_and_column() {
        let taken = NamesInUse {
            ods_codes: ["A81001".to_string()].into(),
            usernames: ["k.mills".to_string()].into(),
            emails: ["old@nhs.net".to_string()].into(),
        };
        let p = plan(
            "One,A81001,Ann One,one@nhs.net,,\n\
             Two,12345,Bob Two,not-an-email,,\n\
             Three,B82002,Cat Three,old@nhs.net,,k.mills\n\
             Four,B82002,Dan Four,four@nhs.net,,\n\
             Five,B82002,Eve Five,five@nhs.net,,\n",
            &taken,
        );
        let at = |row: usize, column: &str| {
            p.errors
                .iter()
                .find(|e| e.row == row && e.column == column)
                .map(|e| e.message.clone())
                .unwrap_or_else(|| panic!("no problem at row {row} {column}: {:?}", p.errors))
        };
        assert!(at(2, "ods_code").contains("already exists"));
        assert!(at(3, "ods_code").contains("letter followed by 5 digits"));
        assert!(at(3, "manager_email").contains("correct format"));
        assert!(at(4, "manager_email").contains("already has"));
        assert!(at(4, "manager_username").contains("already has"));
        // Row 5 is the first valid row with B82002; row 6 repeats it.
        assert_eq!(p.valid.len(), 1);
        assert_eq!(p.valid[0].0, 5);
        assert_eq!(at(6, "ods_code"), "ODS code B82002 is also on row 5");
        assert_eq!(p.invalid_rows(), 4);
    }

    #[test]
    fn a_file_without_the_required_columns_is_refused_whole() {
        let e = plan_import(b"name,ods_code\nOne,A81001\n", &NamesInUse::default()).unwrap_err();
        assert!(
            e.0[0].message.contains("manager_name, manager_email"),
            "{e:?}"
        );
    }
}
