//! A practice's own settings for identity and access. Stored as one JSON document per practice,
//! so a new setting needs no migration: a missing key takes its default here.

use serde::{Deserialize, Serialize};

use crate::Invalid;
use crate::validation::Checker;

/// What NCSC and NIST say about forced periodic password change, shown beside the setting.
pub const PERIODIC_CHANGE_ADVICE: &str = "The NCSC and NIST SP 800-63B advise against forcing \
    people to change passwords on a schedule: it leads to weaker, predictable passwords. Change a \
    password when it may have been compromised. The practice's policy asks for periodic change, \
    so it is on by default; a practice may switch it off, recording why.";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct PracticeSettings {
    /// Minimum password length (never below 8).
    #[schema(minimum = 8, maximum = 128)]
    pub password_min_length: u32,
    /// Days before a password must be changed; `None` when periodic change is switched off.
    #[schema(minimum = 30, maximum = 3650)]
    pub password_max_age_days: Option<u32>,
    /// Why periodic change was switched off (required when it is).
    #[schema(max_length = 500)]
    pub password_max_age_off_reason: Option<String>,
    /// Minutes without activity before a session ends (the policy's screen lock).
    #[schema(minimum = 1, maximum = 240)]
    pub session_idle_minutes: u32,
    /// Hours a one-time password stays usable.
    #[schema(minimum = 1, maximum = 336)]
    pub one_time_password_hours: u32,
    /// Require MFA of every member of staff, not only administrators and provider staff.
    pub mfa_required_for_all: bool,
    /// The most system administrators the practice may nominate.
    #[schema(minimum = 1, maximum = 10)]
    pub administrator_cap: u32,
    /// Days without a sign-in after which an account is flagged as dormant.
    #[schema(minimum = 7, maximum = 730)]
    pub dormant_after_days: u32,
    /// Minutes an account stays locked after too many failed sign-ins.
    #[schema(minimum = 1, maximum = 1440)]
    pub lockout_minutes: u32,
    /// Allow a new starter to sign in before their start date (for induction).
    pub early_sign_in: bool,
    /// The hour (Europe/London, 0–24) at which a leaver's account is deactivated on their exit
    /// date: 24 means the end of the day.
    #[schema(minimum = 0, maximum = 24)]
    pub leaver_deactivation_hour: u32,
    /// Opening hours (Europe/London, HH:MM): activity outside them is reported.
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub opening_time: String,
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub closing_time: String,
    /// Whether the practice opens on Saturdays and Sundays.
    pub open_weekends: bool,
    /// A day's reads by one person above this multiple of their own usual day are reported.
    #[schema(minimum = 2, maximum = 100)]
    pub bulk_read_multiple: u32,
    /// The risk matrix: `5x5` (default) or `4x4`.
    #[schema(pattern = "^(5x5|4x4)$")]
    pub risk_matrix: String,
    /// The highest residual band the practice accepts without the SIRO's sign-off.
    pub risk_appetite: crate::risks::Band,
    /// The month the reporting year starts: 1 for calendar quarters (default), 4 for the NHS
    /// financial year.
    #[schema(minimum = 1, maximum = 12)]
    pub quarter_start_month: u32,
    /// When the daily digest of notices is emailed (Europe/London, HH:MM).
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub digest_time: String,
    /// Kinds of notice every member who receives them gets by email (they may choose at once
    /// or in the digest, not off).
    pub required_notice_kinds: Vec<crate::notifications::NoticeKind>,
}

impl Default for PracticeSettings {
    fn default() -> Self {
        PracticeSettings {
            password_min_length: 12,
            password_max_age_days: Some(365),
            password_max_age_off_reason: None,
            session_idle_minutes: 15,
            one_time_password_hours: 72,
            mfa_required_for_all: false,
            administrator_cap: 2,
            dormant_after_days: 90,
            lockout_minutes: 30,
            early_sign_in: false,
            leaver_deactivation_hour: 24,
            opening_time: "08:00".into(),
            closing_time: "18:30".into(),
            open_weekends: false,
            bulk_read_multiple: 3,
            risk_matrix: "5x5".into(),
            risk_appetite: crate::risks::Band::Medium,
            quarter_start_month: 1,
            digest_time: "07:30".into(),
            required_notice_kinds: vec![],
        }
    }
}

impl PracticeSettings {
    /// The settings as the store keeps them (JSON). A kind of notice that Custodian no longer
    /// has is dropped from the required kinds rather than making the practice unreadable.
    pub fn from_stored(text: &str) -> Result<Self, serde_json::Error> {
        let mut v: serde_json::Value = serde_json::from_str(text)?;
        if let Some(kinds) = v
            .get_mut("required_notice_kinds")
            .and_then(|k| k.as_array_mut())
        {
            kinds.retain(|k| {
                k.as_str()
                    .is_some_and(|k| crate::notifications::NoticeKind::parse(k).is_some())
            });
        }
        serde_json::from_value(v)
    }

    pub fn validate(&self) -> Result<(), Invalid> {
        let mut c = Checker::new();
        if !(8..=128).contains(&self.password_min_length) {
            c.fail(
                "password_min_length",
                "Minimum password length must be between 8 and 128",
            );
        }
        match self.password_max_age_days {
            Some(d) if !(30..=3650).contains(&d) => c.fail("password_max_age_days", "Password age must be between 30 and 3650 days"),
            None if self.password_max_age_off_reason.as_deref().is_none_or(|r| r.trim().is_empty()) => c.fail(
                "password_max_age_off_reason",
                "Give the reason for switching off periodic password change: the practice's policy asks for it",
            ),
            _ => {}
        }
        if !(1..=240).contains(&self.session_idle_minutes) {
            c.fail(
                "session_idle_minutes",
                "Idle timeout must be between 1 and 240 minutes",
            );
        }
        if !(1..=336).contains(&self.one_time_password_hours) {
            c.fail(
                "one_time_password_hours",
                "One-time passwords must last between 1 and 336 hours",
            );
        }
        if !(1..=10).contains(&self.administrator_cap) {
            c.fail(
                "administrator_cap",
                "The administrator cap must be between 1 and 10",
            );
        }
        if !(7..=730).contains(&self.dormant_after_days) {
            c.fail(
                "dormant_after_days",
                "Dormant accounts must be flagged after 7 to 730 days",
            );
        }
        if !(1..=1440).contains(&self.lockout_minutes) {
            c.fail(
                "lockout_minutes",
                "Lockout must last between 1 and 1440 minutes",
            );
        }
        let hm = |t: &str| chrono::NaiveTime::parse_from_str(t, "%H:%M").ok();
        match (hm(&self.opening_time), hm(&self.closing_time)) {
            (None, _) => c.fail(
                "opening_time",
                "Enter the opening time as HH:MM, like 08:00",
            ),
            (_, None) => c.fail(
                "closing_time",
                "Enter the closing time as HH:MM, like 18:30",
            ),
            (Some(o), Some(cl)) if o >= cl => {
                c.fail("closing_time", "The practice must close after it opens")
            }
            _ => {}
        }
        if !(2..=100).contains(&self.bulk_read_multiple) {
            c.fail(
                "bulk_read_multiple",
                "The bulk-read multiple must be between 2 and 100",
            );
        }
        if !crate::risks::MATRICES
            .iter()
            .any(|m| m.key == self.risk_matrix)
        {
            c.fail("risk_matrix", "Choose the risk matrix from the list");
        }
        if !(1..=12).contains(&self.quarter_start_month) {
            c.fail(
                "quarter_start_month",
                "The reporting year must start in a month from 1 (January) to 12 (December)",
            );
        }
        if self
            .password_max_age_off_reason
            .as_deref()
            .is_some_and(|r| crate::validation::text_problem(r, 500).is_some())
        {
            c.fail(
                "password_max_age_off_reason",
                "The reason must be 500 characters or fewer, without control characters",
            );
        }
        if crate::notifications::digest_minutes(&self.digest_time).is_none() {
            c.fail(
                "digest_time",
                "Enter the digest time as HH:MM between 00:00 and 23:59, like 07:30",
            );
        }
        if self.leaver_deactivation_hour > 24 {
            c.fail(
                "leaver_deactivation_hour",
                "The deactivation hour must be between 0 and 24",
            );
        }
        c.finish()
    }

    /// The rules for a person who works in several practices: the strictest of each.
    pub fn strictest<'a>(all: impl IntoIterator<Item = &'a PracticeSettings>) -> PracticeSettings {
        let mut out: Option<PracticeSettings> = None;
        for s in all {
            out = Some(match out {
                None => s.clone(),
                Some(o) => PracticeSettings {
                    password_min_length: o.password_min_length.max(s.password_min_length),
                    password_max_age_days: match (o.password_max_age_days, s.password_max_age_days)
                    {
                        (Some(a), Some(b)) => Some(a.min(b)),
                        (a, b) => a.or(b),
                    },
                    password_max_age_off_reason: o
                        .password_max_age_off_reason
                        .or(s.password_max_age_off_reason.clone()),
                    session_idle_minutes: o.session_idle_minutes.min(s.session_idle_minutes),
                    one_time_password_hours: o
                        .one_time_password_hours
                        .min(s.one_time_password_hours),
                    mfa_required_for_all: o.mfa_required_for_all || s.mfa_required_for_all,
                    administrator_cap: o.administrator_cap.min(s.administrator_cap),
                    dormant_after_days: o.dormant_after_days.min(s.dormant_after_days),
                    lockout_minutes: o.lockout_minutes.max(s.lockout_minutes),
                    early_sign_in: o.early_sign_in && s.early_sign_in,
                    leaver_deactivation_hour: o
                        .leaver_deactivation_hour
                        .min(s.leaver_deactivation_hour),
                    opening_time: o.opening_time,
                    closing_time: o.closing_time,
                    open_weekends: o.open_weekends,
                    bulk_read_multiple: o.bulk_read_multiple.min(s.bulk_read_multiple),
                    risk_matrix: o.risk_matrix,
                    risk_appetite: o.risk_appetite.min(s.risk_appetite),
                    quarter_start_month: o.quarter_start_month,
                    digest_time: o.digest_time,
                    required_notice_kinds: o.required_notice_kinds,
                },
            });
        }
        out.unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_kind_custodian_no_longer_has_is_dropped() {
        let s = PracticeSettings::from_stored(
            r#"{"required_notice_kinds":["leaver_exit","audit_verification"],"digest_time":"06:00"}"#,
        )
        .unwrap();
        assert_eq!(
            s.required_notice_kinds,
            vec![crate::notifications::NoticeKind::LeaverExit]
        );
        assert_eq!(s.digest_time, "06:00");
        assert!(PracticeSettings::from_stored("{not json").is_err());
    }

    #[test]
    fn defaults_follow_the_policy_and_are_valid() {
        let d = PracticeSettings::default();
        assert_eq!(d.password_min_length, 12);
        assert_eq!(d.password_max_age_days, Some(365));
        assert_eq!(d.session_idle_minutes, 15);
        assert_eq!(d.one_time_password_hours, 72);
        assert_eq!(d.administrator_cap, 2);
        d.validate().unwrap();
    }

    #[test]
    fn switching_off_periodic_change_needs_a_reason_and_minimum_length_never_below_8() {
        let s = PracticeSettings {
            password_max_age_days: None,
            ..Default::default()
        };
        assert_eq!(
            s.validate().unwrap_err().0[0].field,
            "password_max_age_off_reason"
        );
        let s = PracticeSettings {
            password_max_age_days: None,
            password_max_age_off_reason: Some("NCSC advice".into()),
            ..Default::default()
        };
        s.validate().unwrap();
        let s = PracticeSettings {
            password_min_length: 6,
            ..Default::default()
        };
        assert_eq!(s.validate().unwrap_err().0[0].field, "password_min_length");
    }

    #[test]
    fn the_reporting_year_starts_in_a_real_month() {
        for m in [0, 13, 99] {
            let s = PracticeSettings {
                quarter_start_month: m,
                ..Default::default()
            };
            assert_eq!(s.validate().unwrap_err().0[0].field, "quarter_start_month");
        }
        for m in [1, 4, 12] {
            let s = PracticeSettings {
                quarter_start_month: m,
                ..Default::default()
            };
            s.validate().unwrap();
        }
    }

    #[test]
    fn missing_keys_take_defaults() {
        let s: PracticeSettings = serde_json::from_str(r#"{"session_idle_minutes": 5}"#).unwrap();
        assert_eq!(s.session_idle_minutes, 5);
        assert_eq!(s.administrator_cap, 2);
    }

    #[test]
    fn a_locum_gets_the_strictest_of_their_practices() {
        let a = PracticeSettings {
            session_idle_minutes: 10,
            password_min_length: 14,
            ..Default::default()
        };
        let b = PracticeSettings {
            mfa_required_for_all: true,
            password_max_age_days: Some(90),
            ..Default::default()
        };
        let s = PracticeSettings::strictest([&a, &b]);
        assert_eq!(s.session_idle_minutes, 10);
        assert_eq!(s.password_min_length, 14);
        assert!(s.mfa_required_for_all);
        assert_eq!(s.password_max_age_days, Some(90));
    }
}
