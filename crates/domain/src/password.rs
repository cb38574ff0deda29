//! The password policy (NCSC and Cyber Essentials): length, not strangeness. No composition
//! rules; a long minimum; no maximum below 128; nothing built from the person's own names.

use crate::Invalid;

/// The longest password accepted (long enough for any passphrase; bounds hashing cost).
pub const MAX_LENGTH: usize = 128;
/// The default and the floor of the per-practice minimum length.
pub const DEFAULT_MIN_LENGTH: usize = 12;
pub const FLOOR_MIN_LENGTH: usize = 8;

/// What a new password is checked against besides itself.
pub struct PasswordContext<'a> {
    pub min_length: usize,
    pub username: &'a str,
    pub full_name: &'a str,
}

/// Checks a new password; the error names the `new_password` field.
pub fn check_new_password(password: &str, ctx: &PasswordContext<'_>) -> Result<(), Invalid> {
    let min = ctx.min_length.max(FLOOR_MIN_LENGTH);
    let len = password.chars().count();
    let fail = |m: String| Err(Invalid::one("new_password", m));
    if len < min {
        return fail(format!("Password must be at least {min} characters"));
    }
    if len > MAX_LENGTH {
        return fail(format!("Password must be {MAX_LENGTH} characters or fewer"));
    }
    let lower = password.to_lowercase();
    let username = ctx.username.to_lowercase();
    if username.len() >= 3 && lower.contains(&username) {
        return fail("Password must not contain your username".into());
    }
    for part in ctx.full_name.split(|c: char| !c.is_alphanumeric()).filter(|p| p.chars().count() >= 3) {
        if lower.contains(&part.to_lowercase()) {
            return fail("Password must not contain your name".into());
        }
    }
    let distinct: std::collections::BTreeSet<char> = password.chars().collect();
    if distinct.len() < 4 {
        return fail("Password is too easy to guess: it repeats the same few characters".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> PasswordContext<'static> {
        PasswordContext { min_length: 12, username: "jsmith", full_name: "Jo Smith-Evans" }
    }

    #[test]
    fn long_passphrases_pass_without_composition_rules() {
        assert!(check_new_password("correct horse battery staple", &ctx()).is_ok());
        assert!(check_new_password("alllowercaseletters", &ctx()).is_ok());
    }

    #[test]
    fn short_long_and_personal_passwords_fail_naming_the_field() {
        for (pw, says) in [
            ("short", "at least 12"),
            (&"x1".repeat(65) as &str, "128 characters or fewer"),
            ("my name is jsmith ok", "username"),
            ("evans-family-2026!", "your name"),
            ("aaaaaaaaaaaaaaaa", "too easy"),
        ] {
            let e = check_new_password(pw, &ctx()).unwrap_err();
            assert_eq!(e.0[0].field, "new_password");
            assert!(e.0[0].message.contains(says), "{pw}: {}", e.0[0].message);
        }
    }

    #[test]
    fn the_minimum_never_drops_below_eight() {
        let c = PasswordContext { min_length: 4, username: "jsmith", full_name: "Jo" };
        assert!(check_new_password("abcdefg", &c).is_err());
        assert!(check_new_password("abcdefgh", &c).is_ok());
    }
}
