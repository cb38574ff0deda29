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

/// A practice to be created, as typed by a person.
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
        c.finish()?;
        Ok(ValidPractice { name, ods_code })
    }
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
}
