//! The API document states each input's limits from the schema attributes on its fields
//! (`#[schema(max_length = …, minimum = …)]`); the validation enforces them in code. These
//! tests hold the two together, field by field, for every limit a schema states: a value at the
//! limit is not refused for that field, one past it is, and a field that must be filled in is
//! refused empty or blank. (That nothing else the schema allows is refused is schemathesis's
//! part, in `.ci/schemathesis`.)

use chrono::NaiveDate;
use custodian_domain::assets::{AccessInput, AssetInput, AssetStatus, FlowInput};
use custodian_domain::identity::{NewAccessRequest, NewLeaver, check_leaver};
use custodian_domain::risks::{
    AcceptanceInput, ActionInput, Band, MATRIX_5X5, ReviewInput, RiskInput, RiskStatus, Threat,
};
use custodian_domain::settings::PracticeSettings;
use custodian_domain::{FieldError, Invalid};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 6).unwrap()
}

/// The fields the check refuses for `input` with `field` set to `value`.
fn refused<T: Serialize + DeserializeOwned>(
    base: &T,
    field: &str,
    value: Value,
    check: &impl Fn(&T) -> Result<(), Invalid>,
) -> bool {
    let mut v = serde_json::to_value(base).unwrap();
    v[field] = value;
    let input: T = serde_json::from_value(v).unwrap();
    match check(&input) {
        Ok(()) => false,
        Err(Invalid(errors)) => errors.iter().any(|e: &FieldError| e.field == field),
    }
}

/// Every limit `T`'s schema states holds in `check`; returns how many were tried.
fn limits_hold<T: utoipa::PartialSchema + Serialize + DeserializeOwned>(
    base: &T,
    check: impl Fn(&T) -> Result<(), Invalid>,
) -> usize {
    let schema = serde_json::to_value(T::schema()).unwrap();
    let mut tried = 0;
    for (field, p) in schema["properties"].as_object().unwrap() {
        if let Some(max) = p["maxLength"].as_u64() {
            let max = max as usize;
            assert!(
                !refused(base, field, json!("x".repeat(max)), &check),
                "{field}: {max} characters refused"
            );
            assert!(
                refused(base, field, json!("x".repeat(max + 1)), &check),
                "{field}: {} characters accepted",
                max + 1
            );
            tried += 1;
        }
        if p["minLength"].as_u64().is_some_and(|n| n > 0) {
            for blank in ["", "   "] {
                assert!(
                    refused(base, field, json!(blank), &check),
                    "{field}: {blank:?} accepted"
                );
            }
            tried += 1;
        }
        let number = |k: &str| p[k].as_f64().map(|n| n as i64);
        if let Some(min) = number("minimum") {
            assert!(!refused(base, field, json!(min), &check), "{field}: {min}");
            if min > 0 {
                assert!(refused(base, field, json!(min - 1), &check), "{field}");
            }
            tried += 1;
        }
        if let Some(max) = number("maximum") {
            assert!(!refused(base, field, json!(max), &check), "{field}: {max}");
            assert!(refused(base, field, json!(max + 1), &check), "{field}");
            tried += 1;
        }
    }
    tried
}

fn ok<T, E>(r: Result<T, E>) -> Result<(), E> {
    r.map(|_| ())
}

#[test]
fn the_registers_inputs_enforce_the_limits_their_schemas_state() {
    assert!(limits_hold(&AssetInput::default(), |a| ok(a.validate(today()))) >= 16);
    assert!(
        limits_hold(&RiskInput::default(), |r| ok(r.validate(
            &MATRIX_5X5,
            today(),
            None
        ))) >= 8
    );
    assert!(limits_hold(&FlowInput::default(), |f| ok(f.validate())) >= 6);
    assert!(limits_hold(&AccessInput::default(), |a| ok(a.validate())) >= 1);
    assert!(limits_hold(&ActionInput::default(), |a| ok(a.validate(today()))) >= 1);
    assert!(
        limits_hold(&ReviewInput::default(), |r| ok(r.validate(
            &MATRIX_5X5,
            (3, 3),
            9,
            12,
            today()
        ))) >= 1
    );
    assert!(
        limits_hold(&AcceptanceInput::default(), |a| ok(a.validate(
            Band::Medium,
            Band::Medium,
            true,
            today()
        ))) >= 1
    );
    assert!(limits_hold(&Threat::default(), |t| ok(t.validate())) >= 3);
}

#[test]
fn incident_inputs_enforce_the_limits_their_schemas_state() {
    use custodian_domain::incidents::{GradeInput, IncidentReport, PeopleAffectedDecision};
    let now = custodian_domain::time::parse_moment("2026-12-06T12:00").unwrap();
    let report = IncidentReport {
        what_happened: "A letter went to the wrong address".into(),
        kind: "wrong_recipient".into(),
        occurred_at: "2026-12-06T09:00".into(),
        discovered_at: "2026-12-06T10:00".into(),
        ..Default::default()
    };
    assert!(limits_hold(&report, |r| ok(r.validate(now))) >= 4);
    let grade = GradeInput {
        likelihood: 3,
        severity: 2,
        ..Default::default()
    };
    assert!(limits_hold(&grade, |g| g.validate()) >= 4);
    let people = PeopleAffectedDecision {
        told: true,
        note: "Phoned".into(),
    };
    assert!(limits_hold(&people, |p| ok(p.step())) >= 2);
}

#[test]
fn risk_levels_are_stated_up_to_the_largest_matrix() {
    let schema = serde_json::to_value(<RiskInput as utoipa::PartialSchema>::schema()).unwrap();
    assert_eq!(
        schema["properties"]["inherent_likelihood"]["maximum"].as_f64(),
        Some(f64::from(custodian_domain::risks::LEVEL_MAX))
    );
}

#[test]
fn people_and_settings_enforce_the_limits_their_schemas_state() {
    assert!(limits_hold(&PracticeSettings::default(), |s| s.validate()) >= 12);
    let joined = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
    assert!(limits_hold(&NewLeaver::default(), |l| ok(check_leaver(l, joined))) >= 1);
    assert!(limits_hold(&NewAccessRequest::default(), |r| ok(r.validate(today()))) >= 2);
}

/// Each status's words are what serde writes and reads, and what the API document lists.
fn statuses_agree<T>(all: &[T], as_str: fn(&T) -> &'static str)
where
    T: Serialize + DeserializeOwned + utoipa::PartialSchema + PartialEq + std::fmt::Debug,
{
    let schema = serde_json::to_value(T::schema()).unwrap();
    let listed: Vec<&str> = schema["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let words: Vec<&str> = all.iter().map(as_str).collect();
    assert_eq!(listed, words);
    for x in all {
        let written = serde_json::to_value(x).unwrap();
        assert_eq!(written, as_str(x));
        assert_eq!(&serde_json::from_value::<T>(written).unwrap(), x);
    }
}

#[test]
fn every_status_is_written_sent_and_documented_as_its_word() {
    use custodian_domain::csv_import::ImportStatus;
    use custodian_domain::identity::{GrantStatus, LeaverStatus, RequestStatus};
    use custodian_domain::risks::ActionStatus;
    statuses_agree(RequestStatus::ALL, |s| s.as_str());
    statuses_agree(GrantStatus::ALL, |s| s.as_str());
    statuses_agree(LeaverStatus::ALL, |s| s.as_str());
    statuses_agree(ImportStatus::ALL, |s| s.as_str());
    statuses_agree(&ActionStatus::ALL, |s| s.as_str());
    statuses_agree(RiskStatus::ALL, |s| s.as_str());
    statuses_agree(AssetStatus::ALL, |s| s.as_str());
    use custodian_domain::notifications::{Delivery, NoticeKind};
    statuses_agree(NoticeKind::ALL, |s| s.as_str());
    use custodian_domain::incidents::{BreachType, IncidentKind, IncidentStatus};
    statuses_agree(IncidentKind::ALL, |s| s.as_str());
    statuses_agree(IncidentStatus::ALL, |s| s.as_str());
    statuses_agree(BreachType::ALL, |s| s.as_str());
    statuses_agree(Delivery::ALL, |s| s.as_str());
}
