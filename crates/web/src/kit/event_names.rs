//! The names an audit event is read with: who acted and which record it was about, found once
//! for a page of events, so that the trail reads "Rachel Ahmed viewed Sam Taylor's record"
//! (`custodian_domain::audit_text`) instead of usernames and ids.

use std::collections::HashMap;

use custodian_domain::audit_text::{EventFacts, sentence};
use custodian_domain::{PersonId, PracticeId};
use custodian_store::StoredEvent;

use crate::{AppState, HttpError};

/// People's and records' names for a page of events, by id.
#[derive(Default)]
pub(crate) struct Names {
    people: HashMap<PersonId, String>,
    /// Records by (type, id).
    records: HashMap<(String, String), String>,
}

impl Names {
    /// Finds the names the events need: each person and record once.
    pub(crate) async fn of(state: &AppState, events: &[StoredEvent]) -> Result<Names, HttpError> {
        let mut names = Names::default();
        for e in events {
            let object_person: Option<PersonId> = (e.event.object_type == "person")
                .then(|| e.event.object_id.as_deref()?.parse().ok())
                .flatten();
            let ids = e.event.meta.actor_id.into_iter().chain(object_person);
            for id in ids {
                if !names.people.contains_key(&id)
                    && let Some(p) = state.store.person(id).await?
                {
                    names.people.insert(id, p.full_name);
                }
            }
            let (Some(practice), Some(id)) = (e.event.practice_id, e.event.object_id.as_deref())
            else {
                continue;
            };
            let key = (e.event.object_type.clone(), id.to_string());
            if e.event.object_type == "person" || names.records.contains_key(&key) {
                continue;
            }
            if let Some(name) = record_name(state, practice, &e.event.object_type, id).await? {
                names.records.insert(key, name);
            }
        }
        Ok(names)
    }

    /// Who acted: their name, or the username (or Custodian's own part) recorded.
    pub(crate) fn actor(&self, e: &StoredEvent) -> String {
        e.event
            .meta
            .actor_id
            .and_then(|id| self.people.get(&id).cloned())
            .unwrap_or_else(|| match e.event.meta.actor.strip_prefix("system:") {
                Some(part) => format!("Custodian ({part})"),
                None => e.event.meta.actor.clone(),
            })
    }

    /// The record the event was about, by name, when it is one.
    fn object(&self, e: &StoredEvent) -> Option<String> {
        let id = e.event.object_id.as_deref()?;
        if e.event.object_type == "person" {
            return self.people.get(&id.parse().ok()?).cloned();
        }
        self.records
            .get(&(e.event.object_type.clone(), id.to_string()))
            .cloned()
    }

    /// The event in the practice's words.
    pub(crate) fn sentence(&self, e: &StoredEvent) -> String {
        let actor = self.actor(e);
        let object = self.object(e);
        sentence(&EventFacts {
            action: &e.event.action,
            outcome: e.event.outcome.as_str(),
            actor: &actor,
            object: object.as_deref(),
        })
    }
}

/// A record's name in its practice: an asset's name, a risk's or an incident's reference and
/// title, an evidence file's name, a device's asset tag, a quarter's report. `None` for what has no name (a
/// permission, a session) or is no longer there.
async fn record_name(
    state: &AppState,
    practice: PracticeId,
    kind: &str,
    id: &str,
) -> Result<Option<String>, HttpError> {
    Ok(match kind {
        "asset" => match id.parse() {
            Ok(id) => state
                .store
                .asset(practice, id)
                .await?
                .map(|a| a.fields.name),
            Err(_) => None,
        },
        "risk" => match id.parse() {
            Ok(id) => state
                .store
                .risk(practice, id)
                .await?
                .map(|r| format!("{} ({})", r.reference, r.fields.title)),
            Err(_) => None,
        },
        "incident" => match id.parse() {
            Ok(id) => state
                .store
                .incident(practice, id)
                .await?
                .map(|i| i.reference),
            Err(_) => None,
        },
        "evidence" => match id.parse() {
            Ok(id) => state
                .store
                .evidence_file(practice, id)
                .await?
                .map(|f| format!("\u{201c}{}\u{201d}", f.filename)),
            Err(_) => None,
        },
        "device" => match id.parse() {
            Ok(id) => state.store.device(practice, id).await?.map(|d| d.asset_tag),
            Err(_) => None,
        },
        "personal_device" => match id.parse() {
            Ok(id) => state
                .store
                .personal_device(practice, id)
                .await?
                .map(|d| format!("{} ({})", d.make_model, d.owner_name)),
            Err(_) => None,
        },
        "risk_report" => Some(id.to_string()),
        "practice" => match id.parse() {
            Ok(id) => state.store.practice(id).await?.map(|p| p.name),
            Err(_) => None,
        },
        _ => None,
    })
}
