//! The inappropriate-use report: what in a practice's audit trail deserves a second look.
//! Computed by a plain function over the events, so it is tested without a server.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Datelike, NaiveTime, Utc, Weekday};
use chrono_tz::Europe::London;
use custodian_domain::PersonId;
use custodian_domain::settings::PracticeSettings;
use custodian_store::{Outcome, StoredEvent};
use serde::Serialize;

/// One thing to look at, linked to the event behind it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Line {
    pub seq: i64,
    pub when: DateTime<Utc>,
    pub who: String,
    pub what: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Section {
    pub key: &'static str,
    pub title: &'static str,
    pub explanation: String,
    pub lines: Vec<Line>,
}

pub struct Facts<'a> {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub settings: &'a PracticeSettings,
    /// Whether each member of staff has MFA set up.
    pub mfa: HashMap<PersonId, bool>,
    /// System administrators of the practice and provider administrators.
    pub administrators: HashSet<PersonId>,
}

fn is_read(action: &str) -> bool {
    action.ends_with(".view") || action.ends_with(".list") || action.ends_with(".export")
}

const SENSITIVE: &[&str] = &[
    "identity.verify",
    "person.password_reset",
    "starter.approve",
    "mover.approve",
    "administrator.nominate",
    "administrator.end",
    "settings.update",
    "audit.export",
    "leaver.record",
    "account.unlock",
    "identity.unlock",
];

fn line(e: &StoredEvent, what: String) -> Line {
    Line {
        seq: e.seq,
        when: e.occurred_at,
        who: e.event.meta.actor.clone(),
        what,
    }
}

/// The report for events in [facts.from, facts.to). `events` may start earlier: the 30 days
/// before `from` set each person's usual volume of reads.
pub fn inappropriate_use(events: &[StoredEvent], facts: &Facts<'_>) -> Vec<Section> {
    let s = facts.settings;
    let in_period: Vec<&StoredEvent> = events
        .iter()
        .filter(|e| e.occurred_at >= facts.from && e.occurred_at < facts.to)
        .collect();

    let out_of_hours = out_of_hours(&in_period, s);
    let failures = failures(&in_period);
    let denied = denied(&in_period);
    let bulk = bulk_reads(events, facts);
    let after_exit = after_exit(events, &in_period);
    let admin = administrator_actions(&in_period, facts);
    let no_mfa = without_mfa(&in_period, facts);

    vec![
        Section {
            key: "out_of_hours",
            title: "Sign-ins and record views out of hours",
            explanation: format!(
                "Outside {}–{}{} (UK time), the practice's opening hours.",
                s.opening_time,
                s.closing_time,
                if s.open_weekends { "" } else { " and at weekends" }
            ),
            lines: out_of_hours,
        },
        Section { key: "failed_sign_ins", title: "Failed sign-ins, lockouts and failed identity checks", explanation: "Repeated failures can be someone guessing a password.".into(), lines: failures },
        Section { key: "denied", title: "Refused access and probes of other practices", explanation: "Attempts to see or do what the person's roles do not allow.".into(), lines: denied },
        Section {
            key: "bulk_reads",
            title: "Unusually many records read in a day",
            explanation: format!("Days when a person read more than {} times their usual day (the 30 days before the period; at least 20 records).", s.bulk_read_multiple),
            lines: bulk,
        },
        Section {
            key: "after_exit",
            title: "Activity by deactivated accounts or after an exit date",
            explanation: "There should be none: a line here means an account was used after it should have stopped.".into(),
            lines: after_exit,
        },
        Section { key: "administrator_actions", title: "Administrators' actions", explanation: "Changes made by system and provider administrators.".into(), lines: admin },
        Section {
            key: "no_mfa",
            title: "Sensitive actions by accounts without two-factor authentication",
            explanation: "Identity checks, approvals, settings, unlocks and exports done by someone who has not set up two-factor authentication.".into(),
            lines: no_mfa,
        },
    ]
}

/// Sign-ins and reads outside the practice's opening hours.
fn out_of_hours(in_period: &[&StoredEvent], s: &PracticeSettings) -> Vec<Line> {
    let open = NaiveTime::parse_from_str(&s.opening_time, "%H:%M")
        .unwrap_or(NaiveTime::from_hms_opt(8, 0, 0).unwrap());
    let close = NaiveTime::parse_from_str(&s.closing_time, "%H:%M")
        .unwrap_or(NaiveTime::from_hms_opt(18, 30, 0).unwrap());
    let mut out_of_hours = Vec::new();
    for e in in_period {
        let a = e.event.action.as_str();
        if e.event.outcome != Outcome::Success || !(a == "session.sign_in" || is_read(a)) {
            continue;
        }
        let local = e.occurred_at.with_timezone(&London);
        let weekend = matches!(local.weekday(), Weekday::Sat | Weekday::Sun);
        if (weekend && !s.open_weekends) || local.time() < open || local.time() >= close {
            out_of_hours.push(line(
                e,
                format!(
                    "{a} at {} on {}",
                    local.format("%H:%M"),
                    local.format("%A %-d %b")
                ),
            ));
        }
    }
    out_of_hours
}

/// Failed sign-ins, lockouts and failed identity checks.
fn failures(in_period: &[&StoredEvent]) -> Vec<Line> {
    let failures: Vec<Line> = in_period
        .iter()
        .filter(|e| {
            let a = e.event.action.as_str();
            (e.event.outcome == Outcome::Failure
                && matches!(a, "session.sign_in" | "mfa.verify" | "identity.verify"))
                || matches!(a, "account.lock" | "identity.lock")
        })
        .map(|e| {
            let reason = e
                .event
                .details
                .get("reason")
                .and_then(|r| r.as_str())
                .unwrap_or("");
            let login = e
                .event
                .details
                .get("login")
                .and_then(|r| r.as_str())
                .unwrap_or("");
            line(
                e,
                format!(
                    "{}{}{}",
                    e.event.action,
                    if reason.is_empty() {
                        String::new()
                    } else {
                        format!(": {reason}")
                    },
                    if login.is_empty() {
                        String::new()
                    } else {
                        format!(" (as '{login}')")
                    }
                ),
            )
        })
        .collect();
    failures
}

/// Refused access and probes of other practices.
fn denied(in_period: &[&StoredEvent]) -> Vec<Line> {
    let denied: Vec<Line> = in_period
        .iter()
        .filter(|e| e.event.outcome == Outcome::Denied)
        .map(|e| {
            let what = if e.event.action == "practice.access" {
                "tried to reach a practice they do not belong to".to_string()
            } else {
                format!(
                    "{} refused: needs {}",
                    e.event.action,
                    e.event
                        .object_id
                        .as_deref()
                        .unwrap_or("a permission they lack")
                )
            };
            line(e, what)
        })
        .collect();
    denied
}

/// Days when a person read many more records than on their usual day.
fn bulk_reads(events: &[StoredEvent], facts: &Facts<'_>) -> Vec<Line> {
    let s = facts.settings;
    let day_of = |e: &StoredEvent| e.occurred_at.with_timezone(&London).date_naive();
    let records = |e: &StoredEvent| {
        e.event
            .details
            .get("records")
            .and_then(|r| r.as_i64())
            .unwrap_or(1)
            .max(0)
    };
    let mut history: HashMap<String, BTreeMap<chrono::NaiveDate, i64>> = HashMap::new();
    let mut period: HashMap<(String, chrono::NaiveDate), (i64, i64)> = HashMap::new(); // (records, first seq)
    for e in events
        .iter()
        .filter(|e| e.event.outcome == Outcome::Success && is_read(&e.event.action))
    {
        let who = e.event.meta.actor.clone();
        if e.occurred_at < facts.from {
            *history
                .entry(who)
                .or_default()
                .entry(day_of(e))
                .or_default() += records(e);
        } else if e.occurred_at < facts.to {
            let entry = period.entry((who, day_of(e))).or_insert((0, e.seq));
            entry.0 += records(e);
            entry.1 = entry.1.min(e.seq);
        }
    }
    let mut bulk = Vec::new();
    for ((who, day), (n, seq)) in &period {
        let usual = history
            .get(who)
            .map(|d| d.values().sum::<i64>() / d.len().max(1) as i64)
            .unwrap_or(0);
        let limit = s.bulk_read_multiple as i64 * usual.max(20);
        if *n > limit {
            let e = events
                .iter()
                .find(|e| e.seq == *seq)
                .expect("the day's first event");
            bulk.push(Line {
                seq: *seq,
                when: e.occurred_at,
                who: who.clone(),
                what: format!(
                    "read {n} records on {} (usual day: {usual}; reported above {limit})",
                    day.format("%-d %b %Y")
                ),
            });
        }
    }
    bulk.sort_by_key(|l| l.seq);
    bulk
}

/// Activity by deactivated accounts or after an exit date.
fn after_exit(events: &[StoredEvent], in_period: &[&StoredEvent]) -> Vec<Line> {
    let mut ended: HashMap<String, DateTime<Utc>> = HashMap::new();
    for e in events.iter().filter(|e| {
        matches!(
            e.event.action.as_str(),
            "person.deactivate" | "leaver.process"
        )
    }) {
        if let Some(p) = &e.event.object_id {
            let t = ended.entry(p.clone()).or_insert(e.occurred_at);
            *t = (*t).min(e.occurred_at);
        }
    }
    let after_exit: Vec<Line> = in_period
        .iter()
        .filter(|e| {
            e.event.meta.actor_id.is_some_and(|a| {
                ended
                    .get(&a.to_string())
                    .is_some_and(|t| e.occurred_at > *t)
            })
        })
        .map(|e| {
            line(
                e,
                format!(
                    "{} after the account was deactivated or the person left",
                    e.event.action
                ),
            )
        })
        .collect();
    after_exit
}

/// Administrators' changes (not their reads).
fn administrator_actions(in_period: &[&StoredEvent], facts: &Facts<'_>) -> Vec<Line> {
    let admin: Vec<Line> = in_period
        .iter()
        .filter(|e| {
            e.event
                .meta
                .actor_id
                .is_some_and(|a| facts.administrators.contains(&a))
                && !is_read(&e.event.action)
                && !e.event.action.starts_with("session.")
        })
        .map(|e| line(e, e.event.action.clone()))
        .collect();
    admin
}

/// Sensitive actions by accounts without two-factor authentication.
fn without_mfa(in_period: &[&StoredEvent], facts: &Facts<'_>) -> Vec<Line> {
    let no_mfa: Vec<Line> = in_period
        .iter()
        .filter(|e| {
            SENSITIVE.contains(&e.event.action.as_str())
                && e.event
                    .meta
                    .actor_id
                    .is_some_and(|a| facts.mfa.get(&a) == Some(&false))
        })
        .map(|e| {
            line(
                e,
                format!("{} without two-factor authentication", e.event.action),
            )
        })
        .collect();
    no_mfa
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use custodian_store::{AuditEvent, AuditMeta};

    fn ev(
        seq: i64,
        at: DateTime<Utc>,
        actor: &str,
        actor_id: Option<PersonId>,
        action: &str,
        outcome: Outcome,
        details: serde_json::Value,
    ) -> StoredEvent {
        StoredEvent {
            seq,
            id: uuid::Uuid::now_v7(),
            occurred_at: at,
            event: AuditEvent {
                meta: AuditMeta {
                    actor_id,
                    actor: actor.into(),
                    ..Default::default()
                },
                practice_id: None,
                action: action.into(),
                object_type: "person".into(),
                object_id: None,
                outcome,
                details: details.clone(),
            },
            details_text: details.to_string(),
        }
    }

    #[test]
    fn each_kind_of_inappropriate_use_is_found_and_quiet_days_are_not() {
        let sam = PersonId::new();
        let admin = PersonId::new();
        let d = |day: u32, h: u32, m: u32| Utc.with_ymd_and_hms(2026, 11, day, h, m, 0).unwrap();
        // (seq, (day, hour, minute), who, action, outcome, details)
        type Row = (i64, (u32, u32, u32), &'static str, &'static str, Outcome, &'static str);
        use Outcome::*;
        let table: &[Row] = &[
            // Sam's usual days before the period: 10 records a day.
            (1, (2, 10, 0), "sam", "people.list", Success, r#"{ "records": 10 }"#),
            (2, (3, 10, 0), "sam", "people.list", Success, r#"{ "records": 10 }"#),
            // In the period (from 16 Nov).
            (10, (16, 10, 0), "sam", "session.sign_in", Success, ""),
            (11, (17, 22, 15), "sam", "person.view", Success, ""),
            (12, (21, 11, 0), "sam", "session.sign_in", Success, ""), // a Saturday
            (13, (18, 9, 0), "anonymous", "session.sign_in", Failure, r#"{ "reason": "wrong_password", "login": "sam" }"#),
            (14, (18, 9, 1), "anonymous", "account.lock", Success, ""),
            (15, (18, 12, 0), "sam", "practice.access", Denied, ""),
            (16, (19, 12, 0), "sam", "people.list", Success, r#"{ "records": 100 }"#),
            (17, (20, 12, 0), "admin", "settings.update", Success, ""),
            (18, (20, 12, 5), "admin", "person.view", Success, ""),
            (19, (24, 0, 0), "scheduler", "leaver.process", Success, ""),
            (20, (24, 12, 0), "sam", "person.view", Success, ""),
        ];
        let mut events: Vec<StoredEvent> = table
            .iter()
            .map(|&(seq, (day, h, m), who, action, outcome, details)| {
                let id = match who {
                    "sam" => Some(sam),
                    "admin" => Some(admin),
                    _ => None,
                };
                let details = serde_json::from_str(details).unwrap_or(serde_json::json!({}));
                ev(seq, d(day, h, m), who, id, action, outcome, details)
            })
            .collect();
        // The scheduler's processing of Sam as a leaver names them.
        events
            .iter_mut()
            .find(|e| e.seq == 19)
            .unwrap()
            .event
            .object_id = Some(sam.to_string());
        let settings = PracticeSettings::default();
        let facts = Facts {
            from: d(16, 0, 0),
            to: d(26, 0, 0),
            settings: &settings,
            mfa: [(sam, true), (admin, false)].into_iter().collect(),
            administrators: [admin].into_iter().collect(),
        };
        let report = inappropriate_use(&events, &facts);
        let seqs = |key: &str| {
            report
                .iter()
                .find(|s| s.key == key)
                .unwrap()
                .lines
                .iter()
                .map(|l| l.seq)
                .collect::<Vec<_>>()
        };
        assert_eq!(seqs("out_of_hours"), [11, 12]);
        assert_eq!(seqs("failed_sign_ins"), [13, 14]);
        assert_eq!(seqs("denied"), [15]);
        assert_eq!(seqs("bulk_reads"), [16], "100 records against a usual 10");
        assert_eq!(seqs("after_exit"), [20]);
        assert_eq!(seqs("administrator_actions"), [17], "changes, not reads");
        assert_eq!(seqs("no_mfa"), [17]);
    }
}
