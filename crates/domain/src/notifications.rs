//! Notifications' rules: the kinds of thing that need someone's attention, how each person has
//! chosen to hear of each kind (at once by email, in the daily digest, or only in Custodian),
//! and the emails themselves — which say what kind of thing needs attention, where, and link to
//! it, and never carry a person's or patient's details, an incident's description or a
//! one-time password.

use crate::status::status_enum;

status_enum!(
    /// What a notice is about. Each register adds its kinds here; the kind decides how a person
    /// hears of it by default, and the practice may require a kind by email.
    NoticeKind {
        StarterRequest => "starter_request",
        LeaverExit => "leaver_exit",
        LoginTask => "login_task",
        AccountLocked => "account_locked",
        AssetReview => "asset_review",
        RiskReview => "risk_review",
        RiskAction => "risk_action",
        RiskAcceptance => "risk_acceptance",
        AccessReview => "access_review",
        ReportSignOff => "report_sign_off",
        IncidentReported => "incident_reported",
        IncidentClock => "incident_clock",
        ActionOverdue => "action_overdue",
        DeviceReturn => "device_return",
        PersonalDevice => "personal_device",
    }
);

status_enum!(
    /// How a person hears of a kind of notice beyond Custodian's own list.
    Delivery {
        Immediate => "immediate",
        Digest => "digest",
        Off => "off",
    }
);

status_enum!(
    /// What an email in the outbox is: one notice at once, a day's digest, or an alert to the
    /// provider's administrators.
    MailKind {
        Notice => "notice",
        Digest => "digest",
        Alert => "alert",
    }
);

status_enum!(
    /// Where an email is on its way: waiting (or waiting to be tried again), being handed to
    /// the mail server, accepted by it, refused by it for good (no such mailbox), or not sent
    /// because what it told of was done first.
    MailStatus {
        Queued => "queued",
        Sending => "sending",
        Sent => "sent",
        Failed => "failed",
        Dropped => "dropped",
    }
);

/// How long to wait before trying an email again after `attempts` tries: one minute, doubling,
/// at most four hours. A mail server that is down or refuses the login is tried again for as
/// long as it takes (nothing leaves the outbox unsent but what the server refuses for good).
pub fn retry_after_seconds(attempts: u32) -> i64 {
    (60_i64 << attempts.saturating_sub(1).min(8)).min(4 * 3600)
}

impl NoticeKind {
    /// The kind as a person reads it, in their settings.
    pub fn label(self) -> &'static str {
        match self {
            NoticeKind::StarterRequest => "Starter and mover requests waiting for approval",
            NoticeKind::LeaverExit => "Leavers whose access ends today or tomorrow",
            NoticeKind::LoginTask => "Login tasks in other systems",
            NoticeKind::AccountLocked => "Locked accounts",
            NoticeKind::AssetReview => "Information assets due a review",
            NoticeKind::RiskReview => "Risk reviews due or overdue",
            NoticeKind::RiskAction => "Risk actions overdue",
            NoticeKind::RiskAcceptance => "Risk acceptances ending",
            NoticeKind::AccessReview => "Access to assets you own due its yearly review",
            NoticeKind::ReportSignOff => "Quarterly report awaiting sign-off",
            NoticeKind::IncidentReported => "Incidents reported, waiting for triage",
            NoticeKind::IncidentClock => "Incident clocks running out (12 and 72 hours)",
            NoticeKind::ActionOverdue => "Actions given to you, past their due date",
            NoticeKind::DeviceReturn => "Equipment to collect from leavers",
            NoticeKind::PersonalDevice => {
                "Personal devices waiting for a decision, a check or their owner"
            }
        }
    }

    /// How a person hears of this kind until they choose: what cannot wait comes at once.
    pub fn default_delivery(self) -> Delivery {
        match self {
            NoticeKind::LeaverExit | NoticeKind::AccountLocked | NoticeKind::StarterRequest => {
                Delivery::Immediate
            }
            _ => Delivery::Digest,
        }
    }
}

/// How a person hears of `kind`: their own choice, or the default; a kind the practice
/// requires cannot be switched off (it comes in the digest at least).
pub fn delivery_for(kind: NoticeKind, chosen: Option<Delivery>, required: bool) -> Delivery {
    match chosen.unwrap_or_else(|| kind.default_delivery()) {
        Delivery::Off if required => Delivery::Digest,
        d => d,
    }
}

/// The time of the daily digest, `HH:MM` (Europe/London), as minutes after midnight.
pub fn digest_minutes(time: &str) -> Option<u32> {
    let (h, m) = time.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

/// An email ready to send: its subject and its plain-text and HTML parts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// One item an email tells of: what needs doing (a line with counts and kinds, never personal
/// details), in which practice, and the full address of the page where it is done.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MailItem {
    pub practice: String,
    pub text: String,
    pub url: String,
}

/// The email for one notice sent at once.
pub fn notice_email(item: &MailItem, settings_url: &str) -> Email {
    let subject = clip(&format!("{}: {}", item.practice, item.text));
    let text = format!(
        "{}\n\nNeeds attention at {}.\nOpen it in Custodian: {}\n\n{}",
        item.text,
        item.practice,
        item.url,
        footer_text(settings_url)
    );
    let html = format!(
        "<p>{}</p><p>Needs attention at <strong>{}</strong>.</p><p><a href=\"{}\">Open it in Custodian</a></p>{}",
        html(&item.text),
        html(&item.practice),
        html(&item.url),
        footer_html(settings_url)
    );
    Email {
        subject,
        text,
        html,
    }
}

/// The daily digest: a day's notices for one person, grouped by practice.
pub fn digest_email(items: &[MailItem], day: &str, settings_url: &str) -> Email {
    let subject = clip(&format!(
        "Custodian daily digest for {day}: {} attention",
        match items.len() {
            1 => "1 thing needs".to_string(),
            n => format!("{n} things need"),
        }
    ));
    let mut text = format!("What needs your attention on {day}:\n");
    let mut html_body = format!("<p>What needs your attention on {}:</p>", html(day));
    let mut practice: Option<&str> = None;
    for item in items {
        if practice != Some(item.practice.as_str()) {
            if practice.is_some() {
                html_body.push_str("</ul>");
            }
            text.push_str(&format!("\n{}\n", item.practice));
            html_body.push_str(&format!("<h2>{}</h2><ul>", html(&item.practice)));
            practice = Some(&item.practice);
        }
        text.push_str(&format!("- {}: {}\n", item.text, item.url));
        html_body.push_str(&format!(
            "<li><a href=\"{}\">{}</a></li>",
            html(&item.url),
            html(&item.text)
        ));
    }
    if practice.is_some() {
        html_body.push_str("</ul>");
    }
    text.push('\n');
    text.push_str(&footer_text(settings_url));
    html_body.push_str(&footer_html(settings_url));
    Email {
        subject,
        text,
        html: html_body,
    }
}

/// The message `custodian mail test` sends.
pub fn test_email() -> Email {
    Email {
        subject: "Custodian test message".into(),
        text: "This is a test message from Custodian: its mail settings work.\n".into(),
        html: "<p>This is a test message from Custodian: its mail settings work.</p>".into(),
    }
}

fn footer_text(settings_url: &str) -> String {
    format!(
        "You receive this because of your role in Custodian. Choose which emails you receive: {settings_url}\n"
    )
}

fn footer_html(settings_url: &str) -> String {
    format!(
        "<p style=\"color:#505a5f\">You receive this because of your role in Custodian. <a href=\"{}\">Choose which emails you receive</a>.</p>",
        html(settings_url)
    )
}

/// A subject on one line and not over 200 characters.
fn clip(s: &str) -> String {
    let one_line: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    one_line.chars().take(200).collect()
}

/// Text escaped for HTML.
fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_cannot_wait_comes_at_once_and_a_required_kind_cannot_be_switched_off() {
        assert_eq!(
            delivery_for(NoticeKind::LeaverExit, None, false),
            Delivery::Immediate
        );
        assert_eq!(
            delivery_for(NoticeKind::AssetReview, None, false),
            Delivery::Digest
        );
        assert_eq!(
            delivery_for(NoticeKind::AssetReview, Some(Delivery::Off), false),
            Delivery::Off
        );
        assert_eq!(
            delivery_for(NoticeKind::AssetReview, Some(Delivery::Off), true),
            Delivery::Digest
        );
        assert_eq!(
            delivery_for(NoticeKind::AssetReview, Some(Delivery::Immediate), true),
            Delivery::Immediate
        );
    }

    #[test]
    fn retries_back_off_from_a_minute_to_four_hours() {
        assert_eq!(retry_after_seconds(0), 60);
        assert_eq!(retry_after_seconds(1), 60);
        assert_eq!(retry_after_seconds(2), 120);
        assert_eq!(retry_after_seconds(9), 4 * 3600);
        assert_eq!(retry_after_seconds(u32::MAX), 4 * 3600);
    }

    #[test]
    fn digest_times_are_hours_and_minutes_of_a_day() {
        assert_eq!(digest_minutes("07:30"), Some(450));
        assert_eq!(digest_minutes("00:00"), Some(0));
        assert_eq!(digest_minutes("23:59"), Some(1439));
        for bad in [
            "25:00", "24:00", "7:30", "07:60", "", "07-30", "ab:cd", "07:30:00",
        ] {
            assert_eq!(digest_minutes(bad), None, "{bad}");
        }
    }

    #[test]
    fn emails_escape_what_they_carry_and_keep_subjects_on_one_line() {
        let item = MailItem {
            practice: "Riverside <Medical> & Co".into(),
            text: "2 leaver(s)\r\nBcc: x@y.z".into(),
            url: "https://c.example/practices/1/leavers#today".into(),
        };
        let e = notice_email(&item, "https://c.example/notifications/settings");
        assert!(!e.subject.contains('\n') && !e.subject.contains('\r'));
        assert!(e.html.contains("Riverside &lt;Medical&gt; &amp; Co"));
        assert!(
            e.text
                .contains("https://c.example/practices/1/leavers#today")
        );
        let d = digest_email(&[item.clone(), item], "7 December 2026", "https://s");
        assert_eq!(d.html.matches("<li>").count(), 2);
        assert_eq!(d.html.matches("<h2>").count(), 1);
        assert!(d.subject.contains("2 things need attention"));
    }
}
