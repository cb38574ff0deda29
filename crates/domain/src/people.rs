//! People: staff of one or more practices, and the provider's own staff.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::validation::Checker;
use crate::{Invalid, PersonId, PracticeId, PracticeRole, ProviderRole};

/// Whether a person's account can be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    Active,
    /// A leaver (or an account switched off): kept for the record, never deleted, cannot sign in.
    Deactivated,
}

impl AccountStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountStatus::Active => "active",
            AccountStatus::Deactivated => "deactivated",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "active" => Some(AccountStatus::Active),
            "deactivated" => Some(AccountStatus::Deactivated),
            _ => None,
        }
    }
}

/// A person with an account in Custodian.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Person {
    pub id: PersonId,
    pub username: String,
    pub email: Option<String>,
    /// A phone number to reach them on (e.g. to read a one-time password to them).
    pub phone: Option<String>,
    pub full_name: String,
    pub status: AccountStatus,
    /// Roles that apply in every practice (the provider's own staff).
    pub provider_roles: Vec<ProviderRole>,
    pub created_at: DateTime<Utc>,
}

/// A person as a member of one practice's staff.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PracticeMember {
    pub practice_id: PracticeId,
    pub person: Person,
    pub job_title: String,
    pub roles: Vec<PracticeRole>,
    pub joined_at: DateTime<Utc>,
    /// When they left this practice (a leaver's record stays, without roles).
    pub left_at: Option<DateTime<Utc>>,
}

/// A person to be created.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct NewPerson {
    pub username: String,
    #[serde(default)]
    pub email: Option<String>,
    pub full_name: String,
}

/// A person that passed validation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidPerson {
    pub username: String,
    pub email: Option<String>,
    pub full_name: String,
}

impl NewPerson {
    pub fn validate(&self) -> Result<ValidPerson, Invalid> {
        let mut c = Checker::new();
        let username = self.username.trim().to_lowercase();
        if username.is_empty() {
            c.fail("username", "Enter a username");
        } else if !is_username(&username) {
            c.fail(
                "username",
                "Username must be 3 to 64 characters: letters, digits, dots, hyphens and underscores",
            );
        }
        let email = self
            .email
            .as_deref()
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(str::to_lowercase);
        if let Some(e) = &email
            && !is_email(e)
        {
            c.fail(
                "email",
                "Enter an email address in the correct format, like name@nhs.net",
            );
        }
        let full_name = c.text("full_name", "the person's full name", &self.full_name, 200);
        c.finish()?;
        Ok(ValidPerson {
            username,
            email,
            full_name,
        })
    }
}

/// Whether `u` is a username: 3 to 64 lower-case letters, digits, dots, hyphens and
/// underscores, starting with a letter or digit.
pub fn is_username(u: &str) -> bool {
    (3..=64).contains(&u.len())
        && u.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
        && u.as_bytes()[0].is_ascii_alphanumeric()
}

/// Whether `e` looks like an email address (one `@`, a dotted domain, no spaces).
pub fn is_email(e: &str) -> bool {
    let Some((local, domain)) = e.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && e.len() <= 254
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !e.chars().any(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_normalised_and_checked() {
        let p = NewPerson {
            username: " J.Smith ".into(),
            email: Some("J.Smith@NHS.net".into()),
            full_name: "Jo Smith".into(),
        }
        .validate()
        .unwrap();
        assert_eq!(p.username, "j.smith");
        assert_eq!(p.email.as_deref(), Some("j.smith@nhs.net"));
        for bad in ["jo", "jo smith", ".jo", "jo@home"] {
            let e = NewPerson {
                username: bad.into(),
                email: None,
                full_name: "Jo".into(),
            }
            .validate()
            .unwrap_err();
            assert_eq!(e.0[0].field, "username", "{bad}");
        }
    }

    #[test]
    fn email_is_optional_but_must_look_like_one() {
        assert!(
            NewPerson {
                username: "jsmith".into(),
                email: Some("".into()),
                full_name: "Jo".into()
            }
            .validate()
            .unwrap()
            .email
            .is_none()
        );
        let e = NewPerson {
            username: "jsmith".into(),
            email: Some("jo at nhs".into()),
            full_name: "Jo".into(),
        }
        .validate()
        .unwrap_err();
        assert_eq!(e.0[0].field, "email");
    }
}
