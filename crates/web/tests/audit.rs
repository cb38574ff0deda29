//! The audit trail over HTTP and against an attacker with database access: who may read it,
//! proofs that verify against the signed checkpoint, offline-verifiable exports, and
//! `verify_log` catching changed, deleted and reordered events. SQLite always; PostgreSQL when
//! CUSTODIAN_TEST_DATABASE_URL is set.

#[macro_use]
mod common;

use common::*;
use custodian_app::audit::verify_log;
use custodian_audit::{PublicKey, verify_inclusion};
use custodian_store::Backend;

backend_tests!(
    only_those_with_audit_view_read_the_trail_and_reading_it_is_recorded,
    an_event_comes_with_a_proof_that_verifies_against_the_signed_checkpoint,
    an_export_verifies_offline_and_any_edit_is_caught,
    malformed_proof_requests_get_clear_errors,
    verification_catches_changed_deleted_and_reordered_events,
    verification_catches_a_deleted_event,
    verification_catches_two_events_swapped,
    verification_catches_an_event_rewritten_with_its_leaf_hash,
    the_inappropriate_use_report_finds_probes_failures_and_neutralises_formulas,
    provider_staff_read_every_practices_trail_and_practice_staff_cannot,
    retention_removes_old_events_and_the_log_still_verifies,
    a_removal_no_signed_checkpoint_covers_is_caught,
    the_scheduler_removes_events_past_the_retention_setting,
    an_event_changed_before_it_was_logged_is_caught,
    verification_names_values_rewritten_in_another_form,
    a_long_log_verifies_page_by_page_and_a_change_deep_inside_is_named,
    two_servers_keep_one_log_while_events_arrive,
    a_leaf_pointed_at_another_event_is_caught,
    a_leaf_pointed_far_away_is_caught,
    proofs_deep_in_a_long_log_verify_from_a_running_and_a_restarted_server,
);

async fn provider_staff_read_every_practices_trail_and_practice_staff_cannot(app: TestApp) {
    let (river, hill) = (app.riverside.id, app.hillside.id);
    let pm = app.sign_in("rahmed").await;
    let karen = app.sign_in("kmills").await;
    app.get(&format!("/api/v1/practices/{river}/people"), Some(&pm))
        .await;
    app.get(&format!("/api/v1/practices/{hill}/people"), Some(&karen))
        .await;
    let admin = app.sign_in("admin").await;
    let page = app.get("/provider/audit", Some(&admin)).await;
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(
        page.contains("Riverside") && page.contains("Hillside"),
        "{page}"
    );
    assert!(page.contains("signed in"), "events of no practice too");
    // One practice only.
    let page = app
        .get(
            &format!("/provider/audit?practice={hill}&action=people.list"),
            Some(&admin),
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Karen Mills listed the staff") && !page.contains("Rukhsana Ahmed"),
        "{page}"
    );
    let res = app
        .get("/provider/audit?practice=nonsense", Some(&admin))
        .await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Choose a practice from the list")
    );
    let reads: Vec<_> = app
        .events("audit.list")
        .await
        .into_iter()
        .filter(|e| e.event.details["provider"] == true)
        .collect();
    assert_eq!(reads.len(), 3, "each read of the trail is recorded");
    // Practice staff are refused, and the refusal is recorded.
    assert_eq!(app.get("/provider/audit", Some(&pm)).await.status(), 403);
    let denied = app
        .events("audit.list")
        .await
        .into_iter()
        .filter(|e| e.event.outcome == custodian_store::Outcome::Denied)
        .count();
    assert_eq!(denied, 1);
}

async fn the_inappropriate_use_report_finds_probes_failures_and_neutralises_formulas(app: TestApp) {
    let (river, hill) = (app.riverside.id, app.hillside.id);
    // Sam probes Hillside, fails to sign in as someone with a formula for a username.
    let sam = app.sign_in("staylor").await;
    app.get(&format!("/api/v1/practices/{hill}/people"), Some(&sam))
        .await;
    app.get(&format!("/api/v1/practices/{river}/people"), Some(&sam))
        .await; // refused: staff
    app.post_form(
        "/sign-in",
        None,
        &[
            ("login", "staylor"),
            ("password", "=HYPERLINK(\"http://x\")"),
        ],
    )
    .await;
    app.post_form(
        "/sign-in",
        None,
        &[("login", "=cmd|' /C calc'!A0"), ("password", "guess")],
    )
    .await;
    let pm = app.sign_in("rahmed").await;
    let r: serde_json::Value = app
        .get(
            &format!("/api/v1/practices/{river}/audit/report"),
            Some(&pm),
        )
        .await
        .json()
        .await
        .unwrap();
    let section = |k: &str| {
        r["sections"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["key"] == k)
            .unwrap()["lines"]
            .as_array()
            .unwrap()
            .clone()
    };
    let denied = section("denied");
    assert!(
        denied
            .iter()
            .any(|l| l["who"] == "staylor" && l["what"].as_str().unwrap().contains("people_view"))
    );
    assert!(
        section("failed_sign_ins")
            .iter()
            .any(|l| l["what"].as_str().unwrap().contains("wrong_password"))
    );
    assert!(section("after_exit").is_empty(), "none, and said so");
    let html = app
        .get(&format!("/practices/{river}/audit/report"), Some(&pm))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains(
        "Activity by deactivated accounts or after an exit date <span class=\"count\">(0)</span>"
    ));
    assert!(html.contains("<strong>None.</strong>"));
    let csv = app
        .get(
            &format!("/practices/{river}/audit/report?format=csv"),
            Some(&pm),
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(csv.starts_with("section,event,when,who,what"));
    assert!(
        !csv.contains(",=") && !csv.contains("\"="),
        "no cell starts a formula: {csv}"
    );
    let bad = app
        .get(
            &format!("/api/v1/practices/{river}/audit/report?from=2026-12-01&to=2026-11-01"),
            Some(&pm),
        )
        .await;
    assert_eq!(bad.status(), 422);
    // Staff cannot see the report; other practices cannot either.
    assert_eq!(
        app.get(
            &format!("/api/v1/practices/{river}/audit/report"),
            Some(&sam)
        )
        .await
        .status(),
        403
    );
    let karen = app.sign_in("kmills").await;
    assert_eq!(
        app.get(
            &format!("/api/v1/practices/{river}/audit/report"),
            Some(&karen)
        )
        .await
        .status(),
        404
    );
    // Hillside's report shows the probe of its data by someone from elsewhere.
    let h: serde_json::Value = app
        .get(
            &format!("/api/v1/practices/{hill}/audit/report"),
            Some(&karen),
        )
        .await
        .json()
        .await
        .unwrap();
    let probes = h["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["key"] == "denied")
        .unwrap()["lines"]
        .as_array()
        .unwrap()
        .clone();
    assert!(probes.iter().any(|l| {
        l["who"] == "staylor"
            && l["what"]
                .as_str()
                .unwrap()
                .contains("practice they do not belong to")
    }));
}

async fn attacked(app: &TestApp, sql: &str) -> custodian_app::audit::VerifyReport {
    let key = app.state.audit.public_key();
    app.sign_in("rahmed").await;
    app.sign_in("staylor").await;
    app.state.audit.checkpoint(&app.store).await.unwrap();
    assert!(verify_log(&app.store, &key).await.unwrap().ok);
    past_the_triggers(app, sql).await;
    verify_log(&app.store, &key).await.unwrap()
}

/// Runs SQL as an attacker with the database would: past the append-only triggers.
async fn past_the_triggers(app: &TestApp, sql: &str) {
    let bypass = match app.store.backend() {
        Backend::Sqlite => format!(
            "DROP TRIGGER IF EXISTS audit_events_no_update; DROP TRIGGER IF EXISTS audit_events_no_delete; \
             DROP TRIGGER IF EXISTS audit_log_no_update; PRAGMA foreign_keys = OFF; {sql}"
        ),
        Backend::Postgres => format!(
            "SET session_replication_role = replica; {sql}; SET session_replication_role = origin"
        ),
    };
    custodian_store::testing::raw_execute(&app.store, &bypass)
        .await
        .unwrap();
}

async fn verification_catches_a_deleted_event(app: TestApp) {
    let r = attacked(&app, "DELETE FROM audit_events WHERE seq = 7").await;
    assert!(!r.ok);
    assert!(
        r.summary().contains("event #7") && r.summary().contains("deleted"),
        "{}",
        r.summary()
    );
}

async fn verification_catches_two_events_swapped(app: TestApp) {
    // Swap the contents of events 3 and 4 (an attacker reordering history).
    let r = attacked(
        &app,
        "UPDATE audit_events SET action = CASE seq WHEN 3 THEN (SELECT action FROM audit_events WHERE seq = 4) ELSE (SELECT action FROM audit_events WHERE seq = 3) END, \
         details = CASE seq WHEN 3 THEN (SELECT details FROM audit_events WHERE seq = 4) ELSE (SELECT details FROM audit_events WHERE seq = 3) END \
         WHERE seq IN (3, 4)",
    )
    .await;
    assert!(!r.ok);
    assert!(r.summary().contains("event #3"), "{}", r.summary());
}

async fn verification_catches_an_event_rewritten_with_its_leaf_hash(app: TestApp) {
    // A careful attacker also rewrites the leaf hash recorded for the event: the signed
    // checkpoint still gives them away.
    let r = attacked(&app, "UPDATE audit_events SET actor = 'mallory' WHERE seq = 2; UPDATE audit_log SET leaf_hash = 'PLACEHOLDER' WHERE event_seq = 2").await;
    // The placeholder is not the right hash, so the first check names the event; now put the
    // matching hash in place, as a careful attacker would.
    assert!(r.summary().contains("event #2"), "{}", r.summary());
    let e = app.store.event(2).await.unwrap().unwrap();
    let forged = hex::encode(custodian_app::audit::record_of(&e).leaf_hash().unwrap());
    let sql = match app.store.backend() {
        Backend::Sqlite => {
            format!("UPDATE audit_log SET leaf_hash = '{forged}' WHERE event_seq = 2")
        }
        Backend::Postgres => format!(
            "SET session_replication_role = replica; UPDATE audit_log SET leaf_hash = '{forged}' WHERE event_seq = 2; SET session_replication_role = origin"
        ),
    };
    custodian_store::testing::raw_execute(&app.store, &sql)
        .await
        .unwrap();
    let r = verify_log(&app.store, &app.state.audit.public_key())
        .await
        .unwrap();
    assert!(!r.ok);
    assert!(
        r.summary().contains("no longer matches the checkpoint"),
        "{}",
        r.summary()
    );
}

async fn only_those_with_audit_view_read_the_trail_and_reading_it_is_recorded(app: TestApp) {
    let river = app.riverside.id;
    let sam = app.sign_in("staylor").await;
    assert_eq!(
        app.get(&format!("/practices/{river}/audit"), Some(&sam))
            .await
            .status(),
        403
    );
    assert_eq!(
        app.get(
            &format!("/api/v1/practices/{river}/audit/events"),
            Some(&sam)
        )
        .await
        .status(),
        403
    );
    let pm = app.sign_in("rahmed").await;
    let page = app
        .get(
            &format!("/practices/{river}/audit?action=session."),
            Some(&pm),
        )
        .await
        .text()
        .await
        .unwrap();
    // In the practice's words, with names: no action codes, usernames or ids.
    assert!(page.contains("Sam Taylor signed in"), "{page}");
    assert!(!page.contains("session.sign_in") && !page.contains(">staylor<"));
    assert!(
        !page.contains("practice.create"),
        "filtered to session events"
    );
    let list: serde_json::Value = app
        .get(
            &format!("/api/v1/practices/{river}/audit/events?outcome=denied"),
            Some(&pm),
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["outcome"] == "denied")
    );
    assert!(
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["actor"] == "staylor"),
        "Sam's refused attempts are there"
    );
    let reads = app.store.events(Some(river), 50).await.unwrap();
    assert!(reads.iter().any(|e| e.event.action == "audit.list"
        && e.event.meta.actor == "rahmed"
        && e.event.details["records"].is_number()));
    let bad = app
        .get(
            &format!("/api/v1/practices/{river}/audit/events?from=yesterday"),
            Some(&pm),
        )
        .await;
    assert_eq!(bad.status(), 422);
    let p: serde_json::Value = bad.json().await.unwrap();
    assert_eq!(p["errors"][0]["field"], "from");
}

async fn an_event_comes_with_a_proof_that_verifies_against_the_signed_checkpoint(app: TestApp) {
    let river = app.riverside.id;
    let pm = app.sign_in("rahmed").await;
    let list: serde_json::Value = app
        .get(
            &format!("/api/v1/practices/{river}/audit/events"),
            Some(&pm),
        )
        .await
        .json()
        .await
        .unwrap();
    let seq = list["items"].as_array().unwrap().last().unwrap()["seq"]
        .as_i64()
        .unwrap();
    let proven: serde_json::Value = app
        .get(
            &format!("/api/v1/practices/{river}/audit/events/{seq}"),
            Some(&pm),
        )
        .await
        .json()
        .await
        .unwrap();
    let cp: serde_json::Value = app
        .get("/api/v1/audit/checkpoint", Some(&pm))
        .await
        .json()
        .await
        .unwrap();
    let key = PublicKey::parse(cp["public_key"].as_str().unwrap()).unwrap();
    let checkpoint = key
        .verify(proven["checkpoint"].as_str().unwrap())
        .expect("a checkpoint signed by the log's key");
    let record: custodian_audit::Record = serde_json::from_value(proven["record"].clone()).unwrap();
    let proof: Vec<[u8; 32]> = proven["inclusion_proof"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            hex::decode(h.as_str().unwrap())
                .unwrap()
                .try_into()
                .unwrap()
        })
        .collect();
    verify_inclusion(
        proven["leaf_index"].as_u64().unwrap(),
        checkpoint.size,
        &record.leaf_hash().unwrap(),
        &proof,
        &checkpoint.root,
    )
    .unwrap();
    // The HTML page shows the same proof.
    let page = app
        .get(&format!("/practices/{river}/audit/{seq}"), Some(&pm))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains(proven["inclusion_proof"][0].as_str().unwrap_or("")));
    // Another practice's manager cannot reach this event through their own practice.
    let karen = app.sign_in("kmills").await;
    let hill = app.hillside.id;
    assert_eq!(
        app.get(
            &format!("/api/v1/practices/{hill}/audit/events/{seq}"),
            Some(&karen)
        )
        .await
        .status(),
        404
    );
    // A later checkpoint is consistent with the earlier one.
    app.sign_in("staylor").await;
    let cp2: serde_json::Value = app
        .get("/api/v1/audit/checkpoint", Some(&pm))
        .await
        .json()
        .await
        .unwrap();
    let (a, b) = (
        cp["tree_size"].as_u64().unwrap(),
        cp2["tree_size"].as_u64().unwrap(),
    );
    assert!(b > a);
    let c: serde_json::Value = app
        .get(
            &format!("/api/v1/audit/consistency?from={a}&to={b}"),
            Some(&pm),
        )
        .await
        .json()
        .await
        .unwrap();
    let proof: Vec<[u8; 32]> = c["proof"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            hex::decode(h.as_str().unwrap())
                .unwrap()
                .try_into()
                .unwrap()
        })
        .collect();
    let root = |v: &serde_json::Value| -> [u8; 32] {
        hex::decode(v["root_hash"].as_str().unwrap())
            .unwrap()
            .try_into()
            .unwrap()
    };
    custodian_audit::verify_consistency(a, b, &root(&cp), &root(&cp2), &proof).unwrap();
}

async fn an_export_verifies_offline_and_any_edit_is_caught(app: TestApp) {
    let river = app.riverside.id;
    // Someone at another practice signs in: their sign-in is not Riverside's.
    app.sign_in("kmills").await;
    let pm = app.sign_in("rahmed").await;
    let res = app
        .get(
            &format!("/api/v1/practices/{river}/audit/export"),
            Some(&pm),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("custodian-audit-Z00001")
    );
    let text = res.text().await.unwrap();
    let key = app.state.audit.public_key();
    let ok = custodian_audit::verify_export(&text, &key).unwrap();
    assert!(ok.events > 3);
    let export: serde_json::Value = serde_json::from_str(&text).unwrap();
    let events = export["events"].as_array().unwrap();
    assert!(
        events.iter().all(|e| {
            let r = &e["record"];
            r["practice_id"] == river.to_string()
                || (r["practice_id"].is_null() && r["actor"] != "kmills")
        }),
        "only this practice's events and its own staff's"
    );
    // The staff's own events of no practice are in it: the manager's sign-in.
    assert!(
        events.iter().any(|e| e["record"]["practice_id"].is_null()
            && e["record"]["actor"] == "rahmed"
            && e["record"]["action"] == "session.sign_in"),
        "{export}"
    );
    // An edited event.
    let mut edited = export.clone();
    edited["events"][1]["record"]["actor"] = "someone-else".into();
    let e = custodian_audit::verify_export(&edited.to_string(), &key)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("event 2 of the file") && e.contains("changed"),
        "{e}"
    );
    // A removed event.
    let mut cut = export.clone();
    cut["events"].as_array_mut().unwrap().remove(0);
    assert!(
        custodian_audit::verify_export(&cut.to_string(), &key)
            .unwrap_err()
            .to_string()
            .contains("cut or added")
    );
    // A truncated file, and another key.
    assert!(custodian_audit::verify_export(&text[..text.len() / 2], &key).is_err());
    let other =
        custodian_audit::CheckpointSigner::from_seed("custodian.local/audit", [1; 32]).public_key();
    assert!(custodian_audit::verify_export(&text, &other).is_err());
    // The export itself is recorded, with the number of events.
    let e = app
        .store
        .events(Some(river), 5)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.event.action == "audit.export")
        .unwrap();
    assert_eq!(e.event.details["records"], ok.events as i64);
}

async fn malformed_proof_requests_get_clear_errors(app: TestApp) {
    let pm = app.sign_in("rahmed").await;
    let river = app.riverside.id;
    let cp: serde_json::Value = app
        .get("/api/v1/audit/checkpoint", Some(&pm))
        .await
        .json()
        .await
        .unwrap();
    let size = cp["tree_size"].as_i64().unwrap();
    // A size past the log's end is a conflict with its state (409); the others are malformed.
    for (query, field, status) in [
        (format!("from={}&to=1", size), "from", 422),
        (format!("from=1&to={}", size + 1000), "to", 409),
        ("to=3".to_string(), "from", 422),
    ] {
        let res = app
            .get(&format!("/api/v1/audit/consistency?{query}"), Some(&pm))
            .await;
        assert_eq!(res.status(), status, "{query}");
        let p: serde_json::Value = res.json().await.unwrap();
        assert_eq!(p["errors"][0]["field"], field, "{query}");
    }
    let list: serde_json::Value = app
        .get(
            &format!("/api/v1/practices/{river}/audit/events"),
            Some(&pm),
        )
        .await
        .json()
        .await
        .unwrap();
    let seq = list["items"][0]["seq"].as_i64().unwrap();
    let res = app
        .get(
            &format!("/api/v1/practices/{river}/audit/events/{seq}?tree_size=999999"),
            Some(&pm),
        )
        .await;
    // A well-formed size the log has no checkpoint of: a conflict with the log's state.
    assert_eq!(res.status(), 409);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("no checkpoint of size 999999")
    );
    assert_eq!(
        app.get(
            &format!("/api/v1/practices/{river}/audit/events/not-a-number"),
            Some(&pm)
        )
        .await
        .status(),
        404
    );
}

async fn verification_catches_changed_deleted_and_reordered_events(app: TestApp) {
    let key = app.state.audit.public_key();
    app.sign_in("rahmed").await;
    app.sign_in("staylor").await;
    app.state.audit.checkpoint(&app.store).await.unwrap();
    let report = verify_log(&app.store, &key).await.unwrap();
    assert!(report.ok, "{}", report.summary());
    assert!(report.leaves > 10);
    // More events after the checkpoint, then another checkpoint: still intact.
    app.sign_in("kmills").await;
    app.state.audit.checkpoint(&app.store).await.unwrap();
    assert!(verify_log(&app.store, &key).await.unwrap().ok);

    let backend = app.store.backend();
    let attack = |sql: &str| {
        let bypass = match backend {
            Backend::Sqlite => format!(
                "DROP TRIGGER IF EXISTS audit_events_no_update; DROP TRIGGER IF EXISTS audit_events_no_delete; PRAGMA foreign_keys = OFF; {sql}"
            ),
            Backend::Postgres => format!(
                "SET session_replication_role = replica; {sql}; SET session_replication_role = origin"
            ),
        };
        let store = app.store.clone();
        async move {
            custodian_store::testing::raw_execute(&store, &bypass)
                .await
                .unwrap()
        }
    };
    // 1. A changed event is named.
    attack("UPDATE audit_events SET actor = 'mallory' WHERE seq = 5").await;
    let r = verify_log(&app.store, &key).await.unwrap();
    assert!(!r.ok);
    assert!(
        r.summary().contains("event #5") && r.summary().contains("changed"),
        "{}",
        r.summary()
    );
}

async fn retention_removes_old_events_and_the_log_still_verifies(app: TestApp) {
    let key = app.state.audit.public_key();
    app.sign_in("rahmed").await;
    app.state.audit.checkpoint(&app.store).await.unwrap();
    let old = app.store.log_size().await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let cutoff = chrono::Utc::now();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    app.sign_in("staylor").await;
    let kept = app
        .events("session.sign_in")
        .await
        .iter()
        .map(|e| e.seq)
        .max()
        .unwrap();

    // The default keeps everything: the scheduler's retention job removes nothing.
    assert_eq!(
        custodian_app::audit::prune_audit_trail(&app.state)
            .await
            .unwrap(),
        0
    );
    assert!(app.store.event(1).await.unwrap().is_some());

    // Events before the cutoff go; their leaves stay, and the log still verifies.
    let removed = app.state.audit.prune(&app.store, cutoff).await.unwrap();
    assert_eq!(removed, old as u64);
    assert!(app.store.event(1).await.unwrap().is_none());
    assert!(app.store.event(kept).await.unwrap().is_some());
    let r = verify_log(&app.store, &key).await.unwrap();
    assert!(r.ok, "{}", r.summary());
    assert_eq!(r.pruned, old as u64);
    assert!(
        r.summary()
            .contains(&format!("{old} removed under the retention setting")),
        "{}",
        r.summary()
    );
    // The removal is itself in the trail, naming what it removed.
    let prune = app.events("audit.prune").await;
    assert_eq!(prune.len(), 1);
    assert_eq!(prune[0].event.details["through_leaf"], old - 1);
    assert_eq!(prune[0].event.details["events_removed"], old);
    assert_eq!(prune[0].event.meta.actor, "scheduler");
    // A kept event's proof still verifies against the signed checkpoint.
    let proven = app.state.audit.prove(&app.store, kept, None).await.unwrap();
    let cp = PublicKey::parse(&key)
        .unwrap()
        .verify(&proven.checkpoint)
        .unwrap();
    proven_in(&proven, &cp).unwrap();
    // Nothing more is due at the same cutoff.
    assert_eq!(app.state.audit.prune(&app.store, cutoff).await.unwrap(), 0);

    // Any other deletion is still refused by the database...
    let err = custodian_store::testing::raw_execute(
        &app.store,
        &format!("DELETE FROM audit_events WHERE seq = {kept}"),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    // ...and one forced past the database's rules is named by verification.
    let r = attacked(
        &app,
        &format!("DELETE FROM audit_events WHERE seq = {kept}"),
    )
    .await;
    assert!(!r.ok);
    assert!(
        r.summary().contains(&format!("event #{kept}")) && r.summary().contains("deleted"),
        "{}",
        r.summary()
    );
}

async fn a_removal_no_signed_checkpoint_covers_is_caught(app: TestApp) {
    // Someone with the database deletes events the way a prune does and records a "prune" to
    // excuse it, but cannot sign a checkpoint over it.
    let key = app.state.audit.public_key();
    app.sign_in("rahmed").await;
    app.state.audit.checkpoint(&app.store).await.unwrap();
    let size = app.store.log_size().await.unwrap();
    let excuse = custodian_store::AuditMeta::system("scheduler")
        .event(None, "audit.prune", "audit", None)
        .details(serde_json::json!({ "through_leaf": size - 1 }));
    app.store.prune_events(size - 1, &excuse).await.unwrap();
    app.state.audit.integrate(&app.store).await.unwrap();
    let r = verify_log(&app.store, &key).await.unwrap();
    assert!(!r.ok);
    assert!(
        r.summary()
            .contains("removed by a prune that no signed checkpoint covers"),
        "{}",
        r.summary()
    );
}

async fn the_scheduler_removes_events_past_the_retention_setting(app: TestApp) {
    app.sign_in("rahmed").await;
    // The audit page says what the setting does (by default, keeps every event).
    let admin = app.sign_in("admin").await;
    let page = app
        .get(
            &format!("/practices/{}/audit", app.riverside.id),
            Some(&admin),
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Every event is kept"), "{page}");
    // A deployment that keeps events for a year.
    let mut state = app.state.clone();
    state.audit_retention_years = 1;
    // Within the year nothing goes.
    assert_eq!(
        custodian_app::audit::prune_audit_trail(&state)
            .await
            .unwrap(),
        0
    );
    // Two years on, every event so far is past retention.
    app.clock.advance(chrono::Duration::days(2 * 366));
    let size = app.store.log_size().await.unwrap();
    let removed = custodian_app::audit::prune_audit_trail(&state)
        .await
        .unwrap();
    assert!(removed as i64 >= size && removed > 0, "{removed} of {size}");
    let r = verify_log(&app.store, &app.state.audit.public_key())
        .await
        .unwrap();
    assert!(r.ok, "{}", r.summary());
    assert_eq!(r.pruned, removed);
}

async fn an_event_changed_before_it_was_logged_is_caught(app: TestApp) {
    // Each event's leaf hash is computed as it is appended, so a change made in the moments
    // before the scheduler logs it is still caught. An event from before hashes were stored
    // (no stored hash) is hashed from its row when it is logged, and verifies.
    let key = app.state.audit.public_key();
    app.sign_in("rahmed").await;
    app.state.audit.checkpoint(&app.store).await.unwrap();
    app.sign_in("staylor").await;
    let last = app
        .store
        .events(None, 1)
        .await
        .unwrap()
        .first()
        .unwrap()
        .seq;
    let sql = format!(
        "UPDATE audit_events SET leaf_hash = NULL WHERE seq = {}; UPDATE audit_events SET actor = 'mallory' WHERE seq = {last}",
        last - 1
    );
    past_the_triggers(&app, &sql).await;
    app.state.audit.checkpoint(&app.store).await.unwrap();
    let r = verify_log(&app.store, &key).await.unwrap();
    assert!(!r.ok);
    assert!(
        r.summary().contains(&format!("event #{last} ")) && r.summary().contains("changed"),
        "{}",
        r.summary()
    );
}

/// An attacker with the database can store a value of another kind where the record expects a
/// UUID or a time (SQLite's columns take anything): verification names the event and the value,
/// and never mistakes it for intact or stops with an error.
async fn verification_names_values_rewritten_in_another_form(app: TestApp) {
    let key = app.state.audit.public_key();
    app.sign_in("rahmed").await;
    app.state.audit.checkpoint(&app.store).await.unwrap();
    assert!(verify_log(&app.store, &key).await.unwrap().ok);
    // Each change is to an earlier event than the last, so each is the first fault found.
    let changes: &[(&str, i64, &str)] = match app.store.backend() {
        Backend::Sqlite => &[
            (
                "UPDATE audit_events SET occurred_at = 'last tuesday' WHERE seq = 6",
                6,
                "its time is not a timestamp",
            ),
            // The same id written another way (as text) is still a change to the row.
            (
                "UPDATE audit_events SET id = lower(hex(id)) WHERE seq = 4",
                4,
                "its id is not a UUID",
            ),
            (
                "UPDATE audit_events SET request_id = x'01ff' WHERE seq = 2",
                2,
                "its request id is not text",
            ),
        ],
        Backend::Postgres => &[(
            "UPDATE audit_events SET occurred_at = occurred_at + interval '1 second' WHERE seq = 4",
            4,
            "no longer match the hash",
        )],
    };
    for (sql, seq, what) in changes {
        past_the_triggers(&app, sql).await;
        let r = verify_log(&app.store, &key).await.unwrap();
        assert!(!r.ok);
        assert!(
            r.summary().contains(&format!("event #{seq} ")) && r.summary().contains(what),
            "{}",
            r.summary()
        );
    }
}

/// `writers` callers at once, each appending `each` views of a person on its own, every one
/// durable before the next.
async fn views_by_writers(app: &TestApp, writers: usize, each: usize) {
    let mut tasks = Vec::new();
    for w in 0..writers {
        let store = app.store.clone();
        tasks.push(tokio::spawn(async move {
            let meta = custodian_store::AuditMeta {
                actor: format!("writer{w}"),
                ..Default::default()
            };
            for i in 0..each {
                let e = meta.event(None, "person.view", "person", Some(format!("{w}-{i}")));
                store.append_event(&e).await.unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
}

/// Hashes as the API and the service give them, in hex.
fn hashes(hex: &[String]) -> Vec<custodian_audit::Hash> {
    hex.iter()
        .map(|h| hex::decode(h).unwrap().try_into().unwrap())
        .collect()
}

/// Checks an event's proof against a checkpoint.
fn proven_in(
    p: &custodian_app::audit::ProvenEvent,
    cp: &custodian_audit::Checkpoint,
) -> Result<(), custodian_audit::ProofError> {
    verify_inclusion(
        p.leaf_index as u64,
        cp.size,
        &p.record.leaf_hash().unwrap(),
        &hashes(&p.proof),
        &cp.root,
    )
}

/// Integrates and signs a checkpoint now; the one signed.
async fn signed_checkpoint(app: &TestApp) -> custodian_store::StoredCheckpoint {
    app.state
        .audit
        .checkpoint(&app.store)
        .await
        .unwrap()
        .expect("a checkpoint")
}

/// A log of several pages (verification reads 8,192 leaves a page and hashes each page as a
/// subtree of its own), with a checkpoint inside a full page (its root is taken from the
/// page's blocks): intact, it verifies whole; one event changed deep inside is named.
async fn a_long_log_verifies_page_by_page_and_a_change_deep_inside_is_named(app: TestApp) {
    let key = app.state.audit.public_key();
    views_by_writers(&app, 16, 600).await;
    let inside = signed_checkpoint(&app).await;
    assert!(
        (8_193..16_384).contains(&inside.tree_size),
        "a checkpoint inside the second page: {}",
        inside.tree_size
    );
    views_by_writers(&app, 16, 600).await;
    app.state.audit.checkpoint(&app.store).await.unwrap();
    let report = verify_log(&app.store, &key).await.unwrap();
    assert!(report.ok, "{}", report.summary());
    assert!(report.leaves > 19_200, "{}", report.summary());
    assert!(report.checkpoints >= 2, "{}", report.summary());
    let seq: i64 = 12_345;
    past_the_triggers(
        &app,
        &format!("UPDATE audit_events SET object_id = 'elsewhere' WHERE seq = {seq}"),
    )
    .await;
    let r = verify_log(&app.store, &key).await.unwrap();
    assert!(!r.ok);
    assert!(
        r.summary().contains(&format!("event #{seq} ")) && r.summary().contains("changed"),
        "{}",
        r.summary()
    );
}

/// Two servers on one database (PostgreSQL's case; on SQLite, two logs over one file) each keep
/// the log up while events arrive: whichever adds a range first wins, the other catches up, and
/// every event ends up a leaf exactly once in a log that verifies.
async fn two_servers_keep_one_log_while_events_arrive(app: TestApp) {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let key = app.state.audit.public_key();
    // The second server only integrates: its checkpoints would carry another key.
    let other = Arc::new(custodian_app::audit::AuditService::new(
        "custodian.test/other",
        [9u8; 32],
    ));
    let done = Arc::new(AtomicBool::new(false));
    let mut integrators = Vec::new();
    for audit in [app.state.audit.clone(), other.clone()] {
        let (store, done) = (app.store.clone(), done.clone());
        integrators.push(tokio::spawn(async move {
            let mut rounds = 0;
            while !done.load(Ordering::Relaxed) {
                audit.integrate(&store).await.unwrap();
                rounds += 1;
                tokio::time::sleep(std::time::Duration::from_millis(2)).await;
            }
            rounds
        }));
    }
    views_by_writers(&app, 8, 300).await;
    done.store(true, Ordering::Relaxed);
    for i in integrators {
        assert!(
            i.await.unwrap() > 1,
            "each server integrated while events arrived"
        );
    }
    let a = app.state.audit.integrate(&app.store).await.unwrap();
    let b = other.integrate(&app.store).await.unwrap();
    assert_eq!(a, b, "both servers see the same log");
    assert_eq!(a as i64, app.store.log_size().await.unwrap());
    assert_eq!(
        app.store.count_unintegrated_before(i64::MAX).await.unwrap(),
        0,
        "every event is a leaf"
    );
    app.state.audit.checkpoint(&app.store).await.unwrap();
    let report = verify_log(&app.store, &key).await.unwrap();
    assert!(report.ok, "{}", report.summary());
    assert_eq!(report.leaves, a, "{}", report.summary());
    assert!(report.leaves >= 2_400, "{}", report.summary());
}

/// An attacker swaps two leaves' events (read with their page's range of events).
async fn a_leaf_pointed_at_another_event_is_caught(app: TestApp) {
    let r = attacked(
        &app,
        "UPDATE audit_log SET event_seq = -event_seq WHERE leaf_index IN (3, 4); \
         UPDATE audit_log SET event_seq = -event_seq + 1 WHERE leaf_index = 3; \
         UPDATE audit_log SET event_seq = -event_seq - 1 WHERE leaf_index = 4",
    )
    .await;
    assert!(!r.ok);
    assert!(r.summary().contains("leaf 3"), "{}", r.summary());
}

/// An attacker points a leaf far beyond the log (its page's events are then read by the list
/// of them, not a range).
async fn a_leaf_pointed_far_away_is_caught(app: TestApp) {
    let r = attacked(
        &app,
        "UPDATE audit_log SET event_seq = event_seq + 4000000000 WHERE leaf_index = 3",
    )
    .await;
    assert!(!r.ok);
    assert!(r.summary().contains("leaf 3"), "{}", r.summary());
}

/// A log of several blocks (a server keeps one hash per 256 leaves and reads the blocks a proof
/// needs back from the store): events' proofs against an earlier and the latest checkpoint, the
/// consistency proof between them and a practice's export all verify, from the running server
/// and from one just started (its tree rebuilt from the stored hashes).
async fn proofs_deep_in_a_long_log_verify_from_a_running_and_a_restarted_server(app: TestApp) {
    let key = app.state.audit.public_key();
    let public = PublicKey::parse(&key).unwrap();
    app.sign_in("rahmed").await;
    views_by_writers(&app, 4, 150).await;
    let early = signed_checkpoint(&app).await;
    views_by_writers(&app, 4, 150).await;
    app.sign_in("rahmed").await;
    let latest = signed_checkpoint(&app).await;
    let (a, b) = (
        public.verify(&early.note).unwrap(),
        public.verify(&latest.note).unwrap(),
    );
    assert!(
        a.size > 600 && b.size > a.size + 512,
        "{} {}",
        a.size,
        b.size
    );
    let restarted = custodian_app::audit::AuditService::new("custodian.test/restarted", [7u8; 32]);
    for server in [&*app.state.audit, &restarted] {
        let mut proven = 0;
        for seq in (1..latest.tree_size).step_by(61) {
            if app.store.event(seq).await.unwrap().is_none() {
                continue;
            }
            for cp in [&a, &b] {
                let p = server.prove(&app.store, seq, Some(cp.size as i64)).await;
                let Ok(p) = p else {
                    // Only an event logged after the earlier checkpoint may be refused it.
                    assert!(cp.size == a.size, "event {seq} against size {}", cp.size);
                    continue;
                };
                proven_in(&p, cp).unwrap_or_else(|e| panic!("event {seq} in {}: {e}", cp.size));
                proven += 1;
            }
        }
        assert!(proven > 20, "{proven}");
        let proof = hashes(
            &server
                .consistency(&app.store, a.size as i64, b.size as i64)
                .await
                .unwrap(),
        );
        custodian_audit::verify_consistency(a.size, b.size, &a.root, &b.root, &proof).unwrap();
        let export = server
            .export(
                &app.store,
                app.riverside.id,
                chrono::Utc::now() - chrono::Duration::days(1),
                chrono::Utc::now() + chrono::Duration::days(1),
            )
            .await
            .unwrap();
        let checked =
            custodian_audit::verify_export(&serde_json::to_string(&export).unwrap(), &key);
        assert!(checked.unwrap().events >= 2);
    }
}
