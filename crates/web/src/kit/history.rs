//! A record's history as a person reads it: the audit events about it, described.

use custodian_domain::time::show_datetime;

use crate::kit::session::PracticeScope;
use crate::{AppState, HttpError};

/// A record's history in its practice, newest first: (when, who, what happened as a sentence,
/// the changes described in at most `max` characters each). Views are left out: the history is
/// of changes.
pub async fn record_history(
    state: &AppState,
    scope: &PracticeScope,
    object_id: String,
    max: usize,
) -> Result<Vec<(String, String, String, String)>, HttpError> {
    let events: Vec<_> = state
        .store
        .search_events(&custodian_store::EventFilter {
            practice: Some(scope.id()),
            object_id: Some(object_id),
            limit: 200,
            ..Default::default()
        })
        .await?
        .into_iter()
        .filter(|e| !e.event.action.ends_with(".view"))
        .collect();
    let names = crate::kit::event_names::Names::of(state, &events).await?;
    Ok(events
        .iter()
        .map(|e| {
            (
                show_datetime(e.occurred_at),
                names.actor(e),
                names.sentence(e),
                describe_changes(&e.details_text, max),
            )
        })
        .collect())
}

/// A value to show, or a dash for an empty one.
pub fn or_dash(s: &str) -> String {
    if s.trim().is_empty() {
        "–".to_string()
    } else {
        s.to_string()
    }
}

/// An audit event's details as a person reads them in a record's history: `field: old → new`
/// for each change, `field: value` for the rest, at most `max` characters.
pub fn describe_changes(details_text: &str, max: usize) -> String {
    fn show(v: &serde_json::Value) -> String {
        match v {
            serde_json::Value::Null => "–".into(),
            serde_json::Value::String(s) if s.is_empty() => "–".into(),
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Bool(true) => "yes".into(),
            serde_json::Value::Bool(false) => "no".into(),
            serde_json::Value::Array(a) if a.is_empty() => "–".into(),
            other => other.to_string(),
        }
    }
    let parsed: Result<serde_json::Map<String, serde_json::Value>, _> =
        serde_json::from_str(details_text);
    let text = match parsed {
        Ok(map) => map
            .iter()
            // Ids are technical detail, on the event's own page: not what a person reads.
            .filter(|(_, v)| {
                let new = v.get("new").unwrap_or(v);
                new.as_str()
                    .is_none_or(|s| uuid::Uuid::parse_str(s).is_err())
            })
            .map(|(k, v)| {
                let field = k.replace('_', " ");
                match (v.get("old"), v.get("new")) {
                    (Some(o), Some(n)) => format!("{field}: {} → {}", show(o), show(n)),
                    (None, Some(n)) => format!("{field}: {}", show(n)),
                    _ => format!("{field}: {}", show(v)),
                }
            })
            .collect::<Vec<_>>()
            .join("; "),
        Err(_) => details_text.to_string(),
    };
    if text.chars().count() > max {
        text.chars().take(max).collect::<String>() + "…"
    } else {
        text
    }
}

#[cfg(test)]
mod describe_tests {
    #[test]
    fn changes_read_as_old_to_new() {
        let d = r#"{"residual_score":{"old":12,"new":8},"notes":"Backups tested","special_category":{"new":true}}"#;
        assert_eq!(
            super::describe_changes(d, 300),
            "notes: Backups tested; residual score: 12 → 8; special category: yes"
        );
        assert_eq!(super::describe_changes("not json", 300), "not json");
        assert_eq!(
            super::describe_changes(r#"{"a":"xxxxxxxxxx"}"#, 5),
            "a: xx…"
        );
    }
}
