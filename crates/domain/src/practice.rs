//! Practices: the tenants. Every practice-scoped record carries its practice's id.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::validation::Checker;
use crate::{Invalid, PracticeId};

/// A GP practice served by the provider.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Practice {
    pub id: PracticeId,
    /// The practice's name, e.g. "Riverside Medical Centre".
    pub name: String,
    /// The NHS Organisation Data Service code, e.g. "Y01234" (a letter and five digits).
    pub ods_code: String,
    pub created_at: DateTime<Utc>,
}

/// A practice to be created: its name and ODS code.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct NewPractice {
    pub name: String,
    pub ods_code: String,
}

/// A practice that passed validation, ready to store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidPractice {
    pub name: String,
    pub ods_code: String,
}

impl NewPractice {
    pub fn validate(&self) -> Result<ValidPractice, Invalid> {
        let mut c = Checker::new();
        let practice = self.check(&mut c);
        c.finish()?;
        Ok(practice)
    }

    fn check(&self, c: &mut Checker) -> ValidPractice {
        let name = c.text("name", "the practice's name", &self.name, 200);
        let ods_code = self.ods_code.trim().to_ascii_uppercase();
        if ods_code.is_empty() {
            c.fail("ods_code", "Enter the practice's ODS code");
        } else if !is_ods_practice_code(&ods_code) {
            c.fail(
                "ods_code",
                "ODS code must be a letter followed by 5 digits, like A81001",
            );
        }
        ValidPractice { name, ods_code }
    }
}

/// A practice as a provider brings it in: with its first practice manager, so that it is never
/// created empty (nobody could then bring its staff in). The web form, the API, the CLI and
/// each row of a CSV of practices are this.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct NewPracticeAndManager {
    /// The practice's name, e.g. "Riverside Medical Centre".
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// Its ODS code: a letter followed by 5 digits, e.g. A81001.
    #[schema(pattern = "^[A-Za-z][0-9]{5}$")]
    pub ods_code: String,
    /// The first practice manager's full name.
    #[schema(min_length = 1, max_length = 200)]
    pub manager_name: String,
    /// Their email address (their notices go there): printable ASCII, one `@`, a dotted domain.
    #[schema(
        max_length = 254,
        pattern = "^[\\x21-\\x3F\\x41-\\x7E]+@[\\x21-\\x2D\\x2F-\\x3F\\x41-\\x7E][\\x21-\\x3F\\x41-\\x7E]*\\.[\\x21-\\x3F\\x41-\\x7E]*[\\x21-\\x2D\\x2F-\\x3F\\x41-\\x7E]$"
    )]
    pub manager_email: String,
    /// Their phone number (7 to 15 digits; spaces, hyphens, brackets and a leading + allowed),
    /// to read the one-time password to them.
    #[serde(default)]
    #[schema(max_length = 40)]
    pub manager_phone: Option<String>,
    /// Their username; when left out, one is made from their name (e.g. `r.ahmed`).
    #[serde(default)]
    #[schema(pattern = "^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$")]
    pub manager_username: Option<String>,
}

/// A new practice's first practice manager, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FirstManager {
    pub full_name: String,
    pub email: String,
    pub phone: Option<String>,
    /// `None`: to be made from the name ([`username_candidates`]).
    pub username: Option<String>,
}

/// The job title a first practice manager starts with.
pub const FIRST_MANAGER_JOB_TITLE: &str = "Practice manager";

impl NewPracticeAndManager {
    /// Checks the practice and its manager together, naming every bad field.
    pub fn validate(&self) -> Result<(ValidPractice, FirstManager), Invalid> {
        let mut c = Checker::new();
        let practice = NewPractice {
            name: self.name.clone(),
            ods_code: self.ods_code.clone(),
        }
        .check(&mut c);
        let full_name = c.text(
            "manager_name",
            "the first practice manager's full name",
            &self.manager_name,
            200,
        );
        let email = self.manager_email.trim().to_lowercase();
        if email.is_empty() {
            c.fail(
                "manager_email",
                "Enter the first practice manager's email address",
            );
        } else if !crate::people::is_email(&email) {
            c.fail(
                "manager_email",
                "Enter the practice manager's email address in the correct format, like name@nhs.net",
            );
        }
        let phone = optional(self.manager_phone.as_deref());
        if let Some(p) = &phone
            && !is_phone(p)
        {
            c.fail(
                "manager_phone",
                "Enter a phone number of 7 to 15 digits, like 01632 960 001 or +44 1632 960001",
            );
        }
        let username = optional(self.manager_username.as_deref()).map(|u| u.to_lowercase());
        if let Some(u) = &username
            && !crate::people::is_username(u)
        {
            c.fail(
                "manager_username",
                "Username must be 3 to 64 characters: letters, digits, dots, hyphens and underscores",
            );
        }
        c.finish()?;
        Ok((
            practice,
            FirstManager {
                full_name,
                email,
                phone,
                username,
            },
        ))
    }
}

fn optional(v: Option<&str>) -> Option<String> {
    v.map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

/// A UK or international phone number as people type it: 7 to 15 digits, with spaces, hyphens,
/// brackets and one leading `+` allowed.
pub fn is_phone(p: &str) -> bool {
    let digits = p.bytes().filter(u8::is_ascii_digit).count();
    (7..=15).contains(&digits)
        && p.len() <= 40
        && p.char_indices().all(|(i, c)| {
            c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')') || (c == '+' && i == 0)
        })
}

/// Usernames to try, in order, for a person known only by name and email: the initial and
/// surname (`r.ahmed`), the whole name (`rachel.ahmed`), then the first with a number. Letters
/// outside a–z are dropped (accents folded where they are common); when the name gives
/// nothing usable, the email's local part does.
pub fn username_candidates(full_name: &str, email: &str) -> Vec<String> {
    let words = |text: &str, split: &[char]| -> Vec<String> {
        text.split(|c: char| c.is_whitespace() || split.contains(&c))
            .map(ascii_word)
            .filter(|w| !w.is_empty())
            .collect()
    };
    let mut base = Vec::new();
    match words(full_name, &['.']).as_slice() {
        [] => {}
        [one] => base.push(one.clone()),
        [first, .., last] => {
            base.push(format!("{}.{last}", &first[..1]));
            base.push(format!("{first}.{last}"));
        }
    }
    base.push(words(email.split('@').next().unwrap_or(""), &['.', '+']).join("."));
    let mut out: Vec<String> = Vec::new();
    for b in base {
        let b: String = b.chars().take(60).collect();
        if crate::people::is_username(&b) && !out.contains(&b) {
            out.push(b);
        }
    }
    if let Some(first) = out.first().cloned() {
        for n in 2..=20 {
            out.push(format!("{first}{n}"));
        }
    }
    out
}

/// A name's word as username letters: lower case a–z, digits, hyphens; common accents folded.
fn ascii_word(w: &str) -> String {
    w.chars()
        .flat_map(char::to_lowercase)
        .filter_map(|c| match c {
            'a'..='z' | '0'..='9' | '-' | '_' => Some(c),
            'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' => Some('a'),
            'è' | 'é' | 'ê' | 'ë' => Some('e'),
            'ì' | 'í' | 'î' | 'ï' => Some('i'),
            'ò' | 'ó' | 'ô' | 'ö' | 'õ' | 'ø' => Some('o'),
            'ù' | 'ú' | 'û' | 'ü' => Some('u'),
            'ç' => Some('c'),
            'ñ' => Some('n'),
            _ => None,
        })
        .collect::<String>()
        .trim_matches(|c| c == '-' || c == '_')
        .to_string()
}

/// How far a practice is through its first day: what its setup checklist is worked out from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SetupProgress {
    /// Current members of staff.
    pub staff: i64,
    /// Starter requests made, whatever became of them.
    pub starter_requests: i64,
    /// The systems staff log in to, listed.
    pub systems: i64,
    /// Information assets in the register.
    pub assets: i64,
    /// Whether the practice's settings were ever saved (not only the defaults).
    pub settings_saved: bool,
}

/// One step of a new practice's setup: what to do, where (a path under the practice), done or
/// not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetupStep {
    pub title: &'static str,
    pub hint: &'static str,
    pub path: &'static str,
    pub done: bool,
}

/// A new practice's setup checklist: staff, systems, the first assets, settings. It is shown
/// until every step is done, then never again.
pub fn setup_steps(p: &SetupProgress) -> Vec<SetupStep> {
    vec![
        SetupStep {
            title: "List the systems your staff log in to",
            hint: "The clinical system, NHSmail, the shared drive: each starter then gets a login task for the ones they need.",
            path: "/systems",
            done: p.systems > 0,
        },
        SetupStep {
            title: "Bring your staff in",
            hint: "Ask for access for each member of staff; each gets a one-time password when the request is approved.",
            path: "/requests/new",
            done: p.staff > 1 || p.starter_requests > 0,
        },
        SetupStep {
            title: "Add your first information assets",
            hint: "The systems and records that hold personal data, with their owners (or import your spreadsheet).",
            path: "/assets/new",
            done: p.assets > 0,
        },
        SetupStep {
            title: "Check the practice's settings",
            hint: "Password rules, two-factor authentication and how long a one-time password lasts.",
            path: "/settings",
            done: p.settings_saved,
        },
    ]
}

/// Whether the setup checklist is still shown: until every step is done.
pub fn setup_unfinished(steps: &[SetupStep]) -> bool {
    steps.iter().any(|s| !s.done)
}

/// A GP practice's ODS code: one letter then five digits (e.g. A81001, Y02345).
pub fn is_ods_practice_code(code: &str) -> bool {
    let b = code.as_bytes();
    b.len() == 6 && b[0].is_ascii_uppercase() && b[1..].iter().all(u8::is_ascii_digit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_practice_needs_a_name_and_a_real_ods_code() {
        let ok = NewPractice {
            name: "  Riverside Medical Centre ".into(),
            ods_code: "y01234".into(),
        }
        .validate()
        .unwrap();
        assert_eq!(ok.name, "Riverside Medical Centre");
        assert_eq!(ok.ods_code, "Y01234");

        let err = NewPractice {
            name: " ".into(),
            ods_code: "12345".into(),
        }
        .validate()
        .unwrap_err();
        let fields: Vec<_> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "ods_code"]);
        assert!(err.0[1].message.contains("letter followed by 5 digits"));
    }

    #[test]
    fn overlong_names_are_refused() {
        let err = NewPractice {
            name: "x".repeat(201),
            ods_code: "A81001".into(),
        }
        .validate()
        .unwrap_err();
        assert_eq!(err.0[0].field, "name");
        assert!(err.0[0].message.contains("200 characters or fewer"));
    }

    fn with_manager() -> NewPracticeAndManager {
        NewPracticeAndManager {
            name: "Riverside Medical Centre".into(),
            ods_code: " y01234 ".into(),
            manager_name: " Rachel Ahmed ".into(),
            manager_email: "Rachel.Ahmed@NHS.net".into(),
            manager_phone: Some("01632 960 001".into()),
            manager_username: None,
        }
    }

    #[test]
    fn a_practice_comes_with_its_first_manager() {
        let (p, m) = with_manager().validate().unwrap();
        assert_eq!(p.ods_code, "Y01234");
        assert_eq!(m.full_name, "Rachel Ahmed");
        assert_eq!(m.email, "rachel.ahmed@nhs.net");
        assert_eq!(m.phone.as_deref(), Some("01632 960 001"));
        assert_eq!(m.username, None);

        let err = NewPracticeAndManager {
            ods_code: "12345".into(),
            manager_name: " ".into(),
            manager_email: "rachel at nhs".into(),
            manager_phone: Some("call me".into()),
            manager_username: Some("r a".into()),
            ..with_manager()
        }
        .validate()
        .unwrap_err();
        let fields: Vec<_> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "ods_code",
                "manager_name",
                "manager_email",
                "manager_phone",
                "manager_username"
            ]
        );
        let none = NewPracticeAndManager {
            manager_email: "".into(),
            ..with_manager()
        }
        .validate()
        .unwrap_err();
        assert!(
            none.0[0]
                .message
                .contains("Enter the first practice manager's email")
        );
    }

    #[test]
    fn phone_numbers_are_digits_as_people_type_them() {
        for ok in ["01632 960001", "+44 (0)1632 960-001", "07700900123"] {
            assert!(is_phone(ok), "{ok}");
        }
        for bad in [
            "123456",
            "01632 960001 ext 4",
            "44+1632960001",
            "1234567890123456",
        ] {
            assert!(!is_phone(bad), "{bad}");
        }
    }

    #[test]
    fn usernames_are_made_from_the_name_then_the_email() {
        let c = username_candidates("Rachel Ahmed", "rachel.ahmed@nhs.net");
        assert_eq!(c[0], "r.ahmed");
        assert_eq!(c[1], "rachel.ahmed");
        assert!(c.contains(&"r.ahmed2".to_string()));
        assert_eq!(
            username_candidates("Siân O'Brien-Jones", "x@y.uk")[0],
            "s.obrien-jones"
        );
        assert_eq!(username_candidates("Zoë", "zoe.k@nhs.net")[0], "zoe");
        // Nothing usable in the name: the email's local part.
        assert_eq!(username_candidates("李明", "li.ming@nhs.net")[0], "li.ming");
        assert!(
            username_candidates("李明", "李@nhs.net").is_empty(),
            "nothing to make a username from"
        );
        for c in username_candidates("A B", "ab@nhs.net") {
            assert!(crate::people::is_username(&c), "{c}");
        }
    }

    #[test]
    fn the_setup_checklist_goes_when_every_step_is_done() {
        let new = setup_steps(&SetupProgress {
            staff: 1,
            ..Default::default()
        });
        assert_eq!(new.len(), 4);
        assert!(new.iter().all(|s| !s.done));
        assert!(setup_unfinished(&new));
        let half = setup_steps(&SetupProgress {
            staff: 1,
            starter_requests: 1,
            systems: 2,
            ..Default::default()
        });
        assert_eq!(half.iter().filter(|s| s.done).count(), 2);
        let done = setup_steps(&SetupProgress {
            staff: 5,
            starter_requests: 0,
            systems: 1,
            assets: 3,
            settings_saved: true,
        });
        assert!(!setup_unfinished(&done));
    }
}
