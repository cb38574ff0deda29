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
    /// Words a guesser would try first here: the practices' names, for a start.
    pub context_words: &'a [&'a str],
}

/// Words every practice's staff are likely to build passwords from.
const LOCAL_WORDS: &[&str] = &[
    "nhs",
    "surgery",
    "practice",
    "medical",
    "health",
    "centre",
    "doctor",
    "custodian",
    "password",
    "welcome",
];

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
    for part in ctx
        .full_name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|p| p.chars().count() >= 3)
    {
        if lower.contains(&part.to_lowercase()) {
            return fail("Password must not contain your name".into());
        }
    }
    // A practice's name, however spaced, cased or decorated, is the first thing a guesser
    // tries (zxcvbn alone rates "Riverside Medical Centre" strong: three words and two spaces).
    let squeezed = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let bare = squeezed(password);
    if ctx
        .context_words
        .iter()
        .map(|w| squeezed(w))
        .any(|w| w.chars().count() >= 4 && bare.contains(&w))
    {
        return fail("Password must not contain your practice's name".into());
    }
    let distinct: std::collections::BTreeSet<char> = password.chars().collect();
    if distinct.len() < 4 {
        return fail("Password is too easy to guess: it repeats the same few characters".into());
    }
    // The deny-list and strength estimate: zxcvbn knows the 30,000 most common (breached)
    // passwords, names, English words, keyboard walks, dates and l33t; our local words and the
    // person's own details are added to its dictionaries.
    let mut words: Vec<&str> = LOCAL_WORDS.to_vec();
    words.push(ctx.username);
    words.extend(ctx.full_name.split_whitespace());
    words.extend(ctx.context_words.iter().flat_map(|w| w.split_whitespace()));
    let estimate = zxcvbn::zxcvbn(password, &words);
    if (estimate.score() as u8) < 3 {
        let why = estimate
            .feedback()
            .and_then(|f| f.warning())
            .map(|w| format!(" ({})", w.to_string().trim_end_matches('.').to_lowercase()))
            .unwrap_or_default();
        return fail(format!(
            "Password is too easy to guess{why}. Try three or four unrelated words"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> PasswordContext<'static> {
        PasswordContext {
            min_length: 12,
            username: "jsmith",
            full_name: "Jo Smith-Evans",
            context_words: &["Riverside Medical Centre"],
        }
    }

    #[test]
    fn long_passphrases_pass_without_composition_rules() {
        assert!(check_new_password("correct horse battery staple", &ctx()).is_ok());
        assert!(check_new_password("kettle orbit pancake lantern", &ctx()).is_ok());
    }

    #[test]
    fn short_long_and_personal_passwords_fail_naming_the_field() {
        for (pw, says) in [
            ("short", "at least 12"),
            (&"x1".repeat(65) as &str, "128 characters or fewer"),
            ("my name is jsmith ok", "username"),
            ("evans-family-2026!", "your name"),
            ("aaaaaaaaaaaaaaaa", "too easy"),
            ("password1234", "too easy"),
            ("qwertyuiop123", "too easy"),
            ("Riverside2026!", "too easy"),
            ("iloveyou1234", "too easy"),
            ("Riverside Medical Centre", "practice's name"),
            ("Riverside Medical Centre 1", "practice's name"),
            ("riverside-medical-centre!", "practice's name"),
        ] {
            let e = check_new_password(pw, &ctx()).unwrap_err();
            assert_eq!(e.0[0].field, "new_password");
            assert!(e.0[0].message.contains(says), "{pw}: {}", e.0[0].message);
        }
    }

    #[test]
    fn the_minimum_never_drops_below_eight() {
        let c = PasswordContext {
            min_length: 4,
            username: "jsmith",
            full_name: "Jo",
            context_words: &[],
        };
        assert!(
            check_new_password("k7#qLz!", &c).unwrap_err().0[0]
                .message
                .contains("at least 8")
        );
        assert!(check_new_password("k7#qLz!pW2@", &c).is_ok());
    }
}
