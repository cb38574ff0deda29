//! The rules of the User Authorisation Process: lockout, one-time passwords, password expiry,
//! security questions, starter and mover requests, and leavers' exit dates.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::London;
use serde::{Deserialize, Serialize};

use crate::validation::Checker;
use crate::{Invalid, PersonId, PracticeRole};

/// Cyber Essentials: no more than 10 failed guesses per account before it locks.
pub const MAX_FAILED_SIGN_INS: i64 = 10;

/// Identity checks that may fail before the reset route is locked for the person.
pub const MAX_IDENTITY_CHECK_FAILURES: i64 = 3;

/// How many earlier passwords may not be used again.
pub const PASSWORD_HISTORY: usize = 5;

/// How many security questions a person answers.
pub const SECURITY_QUESTIONS_REQUIRED: usize = 3;

/// Whether a failed sign-in (the `failed_before`-th + 1) locks the account.
pub fn locks_after(failed_before: i64) -> bool {
    failed_before + 1 >= MAX_FAILED_SIGN_INS
}

/// Whether a password set at `changed_at` must be changed now.
pub fn password_expired(
    changed_at: Option<DateTime<Utc>>,
    max_age_days: Option<u32>,
    now: DateTime<Utc>,
) -> bool {
    match (changed_at, max_age_days) {
        (Some(at), Some(days)) => now >= at + Duration::days(days as i64),
        _ => false,
    }
}

/// The questions a person chooses from. Answers are things they know and would not post.
pub const SECURITY_QUESTIONS: &[&str] = &[
    "What was the name of your first school?",
    "What was the make of your first car or bicycle?",
    "In which town or city did your parents meet?",
    "What was the name of your childhood best friend?",
    "What was the first concert you went to?",
    "What was the name of the street you grew up on?",
    "What was your first job?",
    "What is the middle name of your oldest sibling or cousin?",
];

/// Answers compare without regard to case, spacing or punctuation: "St. Mary's" = "st marys".
pub fn normalise_answer(answer: &str) -> String {
    answer
        .chars()
        .filter(|c| c.is_alphanumeric() || c.is_whitespace())
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Checks a person's chosen questions and answers: three different questions from the list,
/// each answered with at least two characters.
pub fn check_security_answers(
    answers: &[(String, String)],
) -> Result<Vec<(String, String)>, Invalid> {
    let mut c = Checker::new();
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for (i, (q, a)) in answers.iter().enumerate() {
        let n = i + 1;
        if !SECURITY_QUESTIONS.contains(&q.as_str()) {
            c.fail(
                &format!("question_{n}"),
                format!("Choose question {n} from the list"),
            );
        } else if !seen.insert(q.clone()) {
            c.fail(
                &format!("question_{n}"),
                format!("Choose a different question for question {n}"),
            );
        }
        let norm = normalise_answer(a);
        if norm.chars().count() < 2 {
            c.fail(
                &format!("answer_{n}"),
                format!("Enter an answer to question {n}"),
            );
        }
        out.push((q.clone(), norm));
    }
    if answers.len() < SECURITY_QUESTIONS_REQUIRED {
        c.fail(
            "question_1",
            format!("Answer {SECURITY_QUESTIONS_REQUIRED} security questions"),
        );
    }
    c.finish()?;
    Ok(out)
}

/// The moment a leaver's account is deactivated: `hour` o'clock (24 = the end of the day) on
/// the exit date, Europe/London.
pub fn deactivation_moment(exit_date: NaiveDate, hour: u32) -> DateTime<Utc> {
    let (day, hour) = if hour >= 24 {
        (exit_date + Duration::days(1), 0)
    } else {
        (exit_date, hour)
    };
    let local = day.and_hms_opt(hour, 0, 0).expect("valid hour");
    // Around the clocks changing an hour may be ambiguous or missing: take the earliest real one.
    match London.from_local_datetime(&local) {
        chrono::LocalResult::Single(t) | chrono::LocalResult::Ambiguous(t, _) => {
            t.with_timezone(&Utc)
        }
        chrono::LocalResult::None => London
            .from_local_datetime(&(local + Duration::hours(1)))
            .earliest()
            .expect("an hour later exists")
            .with_timezone(&Utc),
    }
}

/// The first moment of a date in England (a starter's first day begins then).
pub fn start_of_day(date: NaiveDate) -> DateTime<Utc> {
    deactivation_moment(date, 0)
}

/// Today's date in England.
pub fn london_today(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&London).date_naive()
}

/// A human reference people say aloud: `STR-2026-0042`.
pub fn reference(prefix: &str, year: i32, number: i64) -> String {
    format!("{prefix}-{year}-{number:04}")
}

crate::status::status_enum!(
    /// Where a starter's or mover's request is: waiting for a practice manager, or decided.
    RequestStatus {
        Pending => "pending",
        Approved => "approved",
        Rejected => "rejected",
    }
);

crate::status::status_enum!(
    /// A login task of the User Authorisation Process: to do, or done.
    GrantStatus {
        Open => "open",
        Done => "done",
    }
);

crate::status::status_enum!(
    /// A recorded leaver: waiting for the exit date, carried out, or cancelled.
    LeaverStatus {
        Scheduled => "scheduled",
        Done => "done",
        Cancelled => "cancelled",
    }
);

/// A new-starter (or mover) request, as the line manager fills it in.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NewAccessRequest {
    #[schema(min_length = 1, max_length = 200)]
    pub full_name: String,
    /// 3 to 64 letters, digits, dots, hyphens and underscores, starting with a letter or digit.
    #[schema(pattern = "^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$")]
    pub username: String,
    #[serde(default)]
    pub email: Option<String>,
    #[schema(min_length = 1, max_length = 200)]
    pub job_title: String,
    /// The practice roles the person needs (staff is always included).
    #[serde(default)]
    pub roles: Vec<PracticeRole>,
    /// The ids of the practice's other systems the person needs a login for.
    #[serde(default)]
    pub systems: Vec<crate::SystemId>,
    /// The first working day, YYYY-MM-DD.
    pub start_date: String,
    /// Their line manager (a member of the practice).
    #[serde(default)]
    pub line_manager_id: Option<PersonId>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidAccessRequest {
    pub person: crate::people::ValidPerson,
    pub job_title: String,
    pub roles: Vec<PracticeRole>,
    pub systems: Vec<crate::SystemId>,
    pub start_date: NaiveDate,
    pub line_manager_id: Option<PersonId>,
}

impl NewAccessRequest {
    /// Checks the request. A start date more than a year ago is refused (that is a record to
    /// correct, not a starter).
    pub fn validate(&self, today: NaiveDate) -> Result<ValidAccessRequest, Invalid> {
        let person = crate::NewPerson {
            username: self.username.clone(),
            email: self.email.clone(),
            full_name: self.full_name.clone(),
        }
        .validate();
        let mut c = Checker::new();
        let person = match person {
            Ok(p) => Some(p),
            Err(Invalid(errors)) => {
                for e in errors {
                    c.fail(&e.field, e.message);
                }
                None
            }
        };
        let job_title = c.text("job_title", "a job title", &self.job_title, 200);
        let start_date = match parse_date(&self.start_date) {
            None => {
                c.fail(
                    "start_date",
                    "Enter the start date as a real date, like 2026-12-01",
                );
                None
            }
            Some(d) if d < today - Duration::days(365) => {
                c.fail(
                    "start_date",
                    "The start date must be within the last year or in the future",
                );
                None
            }
            Some(d) => Some(d),
        };
        let mut roles = self.roles.clone();
        if !roles.contains(&PracticeRole::Staff) {
            roles.push(PracticeRole::Staff);
        }
        if roles.contains(&PracticeRole::SystemAdministrator) {
            c.fail("roles", "System administrators are nominated separately, with a reason, after the person starts");
        }
        roles.sort();
        roles.dedup();
        let mut systems = self.systems.clone();
        systems.sort();
        systems.dedup();
        c.finish()?;
        Ok(ValidAccessRequest {
            person: person.expect("checked"),
            job_title,
            roles,
            systems,
            start_date: start_date.expect("checked"),
            line_manager_id: self.line_manager_id,
        })
    }
}

/// Parses YYYY-MM-DD.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    crate::time::parse_date(s)
}

/// Whether `approver` may decide a request made by `requester`: never their own.
pub fn may_decide(approver: PersonId, requester: PersonId) -> Result<(), Invalid> {
    if approver == requester {
        return Err(Invalid::one(
            "decision",
            "You cannot approve or reject a request you made: ask another practice manager or the data protection lead",
        ));
    }
    Ok(())
}

/// A leaver as the line manager records it.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NewLeaver {
    /// The last working day, YYYY-MM-DD.
    pub exit_date: String,
    #[schema(min_length = 1, max_length = 500)]
    pub reason: String,
}

/// Checks a leaver: the exit date is a real date not before the person joined.
pub fn check_leaver(input: &NewLeaver, joined: NaiveDate) -> Result<(NaiveDate, String), Invalid> {
    let mut c = Checker::new();
    let reason = c.text("reason", "the reason for leaving", &input.reason, 500);
    let date = parse_date(&input.exit_date);
    match date {
        None => c.fail(
            "exit_date",
            "Enter the exit date as a real date, like 2026-12-31",
        ),
        Some(d) if d < joined => c.fail(
            "exit_date",
            format!(
                "The exit date cannot be before the person started ({})",
                joined.format("%-d %b %Y")
            ),
        ),
        _ => {}
    }
    c.finish()?;
    Ok((date.expect("checked"), reason))
}

/// Where a signed-in session stands. Only `Full` reaches the application; each other stage
/// reaches only the one page that completes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionStage {
    /// Password accepted; the authenticator code is still to come.
    VerifyMfa,
    /// A one-time or expired password must be replaced.
    ChangePassword,
    /// Security questions are not yet set (first sign-in).
    SecurityQuestions,
    /// MFA is required and not yet set up.
    EnrolMfa,
    Full,
}

impl SessionStage {
    pub fn as_str(self) -> &'static str {
        match self {
            SessionStage::VerifyMfa => "verify_mfa",
            SessionStage::ChangePassword => "change_password",
            SessionStage::SecurityQuestions => "security_questions",
            SessionStage::EnrolMfa => "enrol_mfa",
            SessionStage::Full => "full",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::VerifyMfa,
            Self::ChangePassword,
            Self::SecurityQuestions,
            Self::EnrolMfa,
            Self::Full,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
    /// The one page that completes this stage.
    pub fn page(self) -> &'static str {
        match self {
            SessionStage::VerifyMfa => "/sign-in/mfa",
            SessionStage::ChangePassword => "/account/password",
            SessionStage::SecurityQuestions => "/account/security-questions",
            SessionStage::EnrolMfa => "/account/mfa",
            SessionStage::Full => "/",
        }
    }
    /// The API endpoints that complete this stage (the API's twin of [`SessionStage::page`]).
    pub fn api_paths(self) -> &'static [&'static str] {
        match self {
            SessionStage::VerifyMfa => &["/api/v1/session/mfa"],
            SessionStage::ChangePassword => &["/api/v1/me/password"],
            SessionStage::SecurityQuestions => &["/api/v1/me/security-questions"],
            SessionStage::EnrolMfa => &["/api/v1/me/mfa", "/api/v1/me/mfa/confirm"],
            SessionStage::Full => &[],
        }
    }
    /// What the person must do, for an API caller that reached a session in this stage.
    pub fn explain(self) -> &'static str {
        match self {
            SessionStage::VerifyMfa => {
                "Enter the code from your authenticator app to finish signing in."
            }
            SessionStage::ChangePassword => "Choose a new password before you go on.",
            SessionStage::SecurityQuestions => "Set your security questions before you go on.",
            SessionStage::EnrolMfa => "Set up two-factor authentication before you go on.",
            SessionStage::Full => "",
        }
    }
}

/// The facts that decide what a signed-in person must do before using Custodian.
#[derive(Clone, Copy, Debug, Default)]
pub struct SignInFacts {
    pub mfa_enrolled: bool,
    pub mfa_verified: bool,
    pub must_change_password: bool,
    pub password_expired: bool,
    pub has_security_answers: bool,
    pub mfa_required: bool,
}

/// The next stage, in the order that keeps a stolen password useless: the second factor first,
/// then a new password, then security questions, then MFA enrolment where required.
pub fn next_stage(f: SignInFacts) -> SessionStage {
    if f.mfa_enrolled && !f.mfa_verified {
        SessionStage::VerifyMfa
    } else if f.must_change_password || f.password_expired {
        SessionStage::ChangePassword
    } else if !f.has_security_answers {
        SessionStage::SecurityQuestions
    } else if f.mfa_required && !f.mfa_enrolled {
        SessionStage::EnrolMfa
    } else {
        SessionStage::Full
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_sign_in_goes_password_then_questions_then_mfa() {
        let mut f = SignInFacts {
            must_change_password: true,
            mfa_required: true,
            ..Default::default()
        };
        assert_eq!(next_stage(f), SessionStage::ChangePassword);
        f.must_change_password = false;
        assert_eq!(next_stage(f), SessionStage::SecurityQuestions);
        f.has_security_answers = true;
        assert_eq!(next_stage(f), SessionStage::EnrolMfa);
        f.mfa_enrolled = true;
        f.mfa_verified = true;
        assert_eq!(next_stage(f), SessionStage::Full);
    }

    #[test]
    fn the_second_factor_comes_before_changing_an_expired_password() {
        let f = SignInFacts {
            mfa_enrolled: true,
            password_expired: true,
            has_security_answers: true,
            ..Default::default()
        };
        assert_eq!(next_stage(f), SessionStage::VerifyMfa);
        assert_eq!(
            next_stage(SignInFacts {
                mfa_verified: true,
                ..f
            }),
            SessionStage::ChangePassword
        );
        for s in [
            SessionStage::VerifyMfa,
            SessionStage::ChangePassword,
            SessionStage::SecurityQuestions,
            SessionStage::EnrolMfa,
            SessionStage::Full,
        ] {
            assert_eq!(SessionStage::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn the_tenth_failure_locks() {
        assert!(!locks_after(0));
        assert!(!locks_after(8));
        assert!(locks_after(9));
    }

    #[test]
    fn passwords_expire_after_the_practice_setting_unless_it_is_off() {
        let set = Utc.with_ymd_and_hms(2025, 1, 1, 9, 0, 0).unwrap();
        assert!(!password_expired(
            Some(set),
            Some(365),
            set + Duration::days(364)
        ));
        assert!(password_expired(
            Some(set),
            Some(365),
            set + Duration::days(365)
        ));
        assert!(!password_expired(
            Some(set),
            None,
            set + Duration::days(4000)
        ));
    }

    #[test]
    fn answers_are_normalised() {
        assert_eq!(
            normalise_answer("  St. Mary's   Primary "),
            "st marys primary"
        );
        assert_eq!(normalise_answer("ST MARYS PRIMARY"), "st marys primary");
    }

    #[test]
    fn three_different_listed_questions_must_be_answered() {
        let q = |i: usize| SECURITY_QUESTIONS[i].to_string();
        let ok = check_security_answers(&[
            (q(0), "Oak Lane".into()),
            (q(1), "Raleigh".into()),
            (q(2), "Leeds".into()),
        ])
        .unwrap();
        assert_eq!(ok[0].1, "oak lane");
        let e = check_security_answers(&[
            (q(0), "a".into()),
            (q(0), "Raleigh".into()),
            ("Made up?".into(), "x y".into()),
        ])
        .unwrap_err();
        let fields: Vec<_> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["answer_1", "question_2", "question_3"]);
        assert!(check_security_answers(&[(q(0), "Oak".into())]).is_err());
    }

    #[test]
    fn leavers_are_deactivated_at_the_end_of_the_exit_date_in_london() {
        // Winter: London is UTC.
        let d = NaiveDate::from_ymd_opt(2026, 12, 18).unwrap();
        assert_eq!(
            deactivation_moment(d, 24),
            Utc.with_ymd_and_hms(2026, 12, 19, 0, 0, 0).unwrap()
        );
        // Summer: BST, so midnight in London is 23:00 UTC the day before.
        let d = NaiveDate::from_ymd_opt(2026, 7, 31).unwrap();
        assert_eq!(
            deactivation_moment(d, 24),
            Utc.with_ymd_and_hms(2026, 7, 31, 23, 0, 0).unwrap()
        );
        assert_eq!(
            deactivation_moment(d, 17),
            Utc.with_ymd_and_hms(2026, 7, 31, 16, 0, 0).unwrap()
        );
        assert_eq!(
            london_today(Utc.with_ymd_and_hms(2026, 7, 31, 23, 30, 0).unwrap()),
            NaiveDate::from_ymd_opt(2026, 8, 1).unwrap()
        );
    }

    #[test]
    fn leaver_exit_dates_cannot_precede_the_start() {
        let joined = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let e = check_leaver(
            &NewLeaver {
                exit_date: "2026-02-01".into(),
                reason: "Moving away".into(),
            },
            joined,
        )
        .unwrap_err();
        assert_eq!(e.0[0].field, "exit_date");
        assert!(e.0[0].message.contains("before the person started"));
        let e = check_leaver(
            &NewLeaver {
                exit_date: "31/12/2026".into(),
                reason: "".into(),
            },
            joined,
        )
        .unwrap_err();
        assert_eq!(e.0.len(), 2);
        assert!(
            check_leaver(
                &NewLeaver {
                    exit_date: "2026-12-31".into(),
                    reason: "Retiring".into()
                },
                joined
            )
            .is_ok()
        );
    }

    #[test]
    fn starter_requests_always_include_staff_and_refuse_nominated_roles() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        let base = NewAccessRequest {
            full_name: "Nia Starter".into(),
            username: "n.starter".into(),
            job_title: "Receptionist".into(),
            start_date: "2026-12-01".into(),
            ..Default::default()
        };
        let v = base.validate(today).unwrap();
        assert_eq!(v.roles, vec![PracticeRole::Staff]);
        let e = NewAccessRequest {
            roles: vec![PracticeRole::SystemAdministrator],
            ..base.clone()
        }
        .validate(today)
        .unwrap_err();
        assert_eq!(e.0[0].field, "roles");
        let e = NewAccessRequest {
            start_date: "2024-01-01".into(),
            username: "x".into(),
            ..base
        }
        .validate(today)
        .unwrap_err();
        let fields: Vec<_> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["username", "start_date"]);
    }

    #[test]
    fn nobody_decides_their_own_request() {
        let a = PersonId::new();
        assert!(may_decide(a, a).is_err());
        assert!(may_decide(a, PersonId::new()).is_ok());
    }
}
