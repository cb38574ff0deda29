use super::*;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
}

fn asset() -> AssetInput {
    AssetInput {
        name: "EMIS Web".into(),
        asset_type: "patient_records".into(),
        format: "electronic".into(),
        volume_band: "over_100000".into(),
        iao_id: Some(PersonId::new()),
        confidentiality: Some(5),
        confidentiality_reason: "Full GP records".into(),
        ..Default::default()
    }
}

#[test]
fn a_good_asset_passes_with_defaults() {
    let v = asset().validate(today()).unwrap();
    assert_eq!(v.input.status, "active");
    assert_eq!(v.review_interval_months, 12);
}

#[test]
fn bad_ratings_dates_and_choices_are_named() {
    let a = AssetInput {
        confidentiality: Some(7),
        integrity: Some(3),
        retain_until: "2020-01-01".into(),
        asset_type: "spaceship".into(),
        iao_id: None,
        ..asset()
    };
    let e = a.validate(today()).unwrap_err();
    let fields: Vec<_> = e.0.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "asset_type",
            "iao_id",
            "confidentiality",
            "integrity_reason",
            "retain_until"
        ]
    );
    assert!(e.0[2].message.contains("1 (low) to 5 (high)"));
    assert!(e.0[4].message.contains("in the past"));
}

#[test]
fn a_retired_asset_needs_its_date_and_reviews_fall_due() {
    let e = AssetInput {
        status: "retired".into(),
        ..asset()
    }
    .validate(today())
    .unwrap_err();
    assert_eq!(e.0[0].field, "retired_on");
    let created = NaiveDate::from_ymd_opt(2025, 6, 1).unwrap();
    assert_eq!(
        review_due(None, created, 12),
        NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()
    );
    assert_eq!(
        review_due(
            Some(NaiveDate::from_ymd_opt(2026, 3, 31).unwrap()),
            created,
            6
        ),
        NaiveDate::from_ymd_opt(2026, 9, 30).unwrap()
    );
    // Who has access is reviewed yearly, counted from the last review or from the asset's start.
    assert_eq!(
        access_review_due(None, created),
        NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()
    );
    assert_eq!(
        access_review_due(Some(NaiveDate::from_ymd_opt(2026, 2, 28).unwrap()), created),
        NaiveDate::from_ymd_opt(2027, 2, 28).unwrap()
    );
}

#[test]
fn flows_go_somewhere_else_and_are_flagged() {
    let a = crate::AssetId::new();
    let base = FlowInput {
        from_asset_id: Some(a),
        data: "Referral letters".into(),
        purpose: "Referral".into(),
        method: "nhsmail".into(),
        lifecycle_stage: "share".into(),
        ..Default::default()
    };
    let e = FlowInput {
        to_asset_id: Some(a),
        ..base.clone()
    }
    .validate()
    .unwrap_err();
    assert_eq!(e.0[0].field, "to_asset_id");
    assert!(e.0[0].message.contains("to itself"));
    assert!(
        FlowInput {
            to_party: "Hospital trust".into(),
            ..base.clone()
        }
        .validate()
        .is_ok()
    );
    assert_eq!(
        flow_flags(false, false, true),
        ["Not encrypted in transit", "No data-sharing agreement"]
    );
    assert!(flow_flags(true, true, true).is_empty());
    assert!(
        flow_flags(true, false, false).is_empty(),
        "internal flows need no agreement"
    );
}

#[test]
fn the_data_quality_report_finds_each_gap() {
    let mut a = asset();
    a.special_category = true;
    a.last_reviewed_on = "2024-01-01".into();
    let facts = AssetFacts {
        id: crate::AssetId(uuid::Uuid::nil()),
        input: &a,
        created: NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
        iao_is_current: false,
        flows: vec![
            (
                FlowFact {
                    encrypted: false,
                    has_agreement: false,
                    external: true,
                },
                1,
            ),
            (
                FlowFact {
                    encrypted: false,
                    has_agreement: true,
                    external: false,
                },
                3,
            ),
        ],
        access_without_reason: 1,
        logins_without_entry: 2,
        access_review_due: Some(today()),
    };
    let problems: Vec<String> = data_quality(&[facts], today())
        .into_iter()
        .map(|g| g.problem)
        .collect();
    assert_eq!(
        problems,
        [
            "Its Information Asset Owner has left or no longer holds the role",
            "No integrity, availability rating",
            "Review overdue since 1 Jan 2025",
            "Special-category data without an Article 9 condition",
            "A data flow: not encrypted in transit",
            "A data flow: no data-sharing agreement",
            "3 data flows: not encrypted in transit",
            "1 access entry without a reason",
            "2 people hold a login with no access entry saying why",
            "Access review due since 26 Nov 2026 (who has access is reviewed yearly)",
        ]
    );
    let good = asset();
    let clean = AssetFacts {
        id: crate::AssetId(uuid::Uuid::nil()),
        input: &good,
        created: today(),
        iao_is_current: true,
        flows: vec![],
        access_without_reason: 0,
        logins_without_entry: 0,
        access_review_due: Some(today() + chrono::Duration::days(1)),
    };
    assert_eq!(
        data_quality(&[clean], today()).len(),
        1,
        "only the missing integrity and availability ratings"
    );
}

#[test]
fn a_login_is_justified_by_an_entry_naming_the_person_or_one_of_their_roles() {
    let (me, other) = (PersonId::new(), PersonId::new());
    let entries = [(Some(PracticeRole::LineManager), None), (None, Some(other))];
    assert!(login_is_justified(
        me,
        &[PracticeRole::Staff, PracticeRole::LineManager],
        &entries
    ));
    assert!(login_is_justified(other, &[PracticeRole::Staff], &entries));
    assert!(!login_is_justified(me, &[PracticeRole::Staff], &entries));
    assert!(!login_is_justified(me, &[PracticeRole::LineManager], &[]));
}

#[test]
fn only_the_register_managers_and_the_assets_own_iao_edit_it() {
    let me = PersonId::new();
    let iao_access = crate::Access::new(me, &[PracticeRole::InformationAssetOwner], &[]);
    assert!(may_edit(
        &iao_access,
        &[PracticeRole::InformationAssetOwner],
        Some(me)
    ));
    assert!(
        !may_edit(
            &iao_access,
            &[PracticeRole::InformationAssetOwner],
            Some(PersonId::new())
        ),
        "not someone else's asset"
    );
    let dpl = crate::Access::new(me, &[PracticeRole::DataProtectionLead], &[]);
    assert!(may_edit(
        &dpl,
        &[PracticeRole::DataProtectionLead],
        Some(PersonId::new())
    ));
    let staff = crate::Access::new(me, &[PracticeRole::Staff], &[]);
    assert!(!may_edit(&staff, &[PracticeRole::Staff], Some(me)));
}

#[test]
fn access_is_a_role_or_a_person_at_a_level() {
    assert!(
        AccessInput {
            role: Some(PracticeRole::Staff),
            level: "read".into(),
            reason: "Reception".into(),
            ..Default::default()
        }
        .validate()
        .is_ok()
    );
    let e = AccessInput {
        level: "superuser".into(),
        ..Default::default()
    }
    .validate()
    .unwrap_err();
    assert_eq!(
        e.0.iter().map(|f| f.field.as_str()).collect::<Vec<_>>(),
        ["role", "level"]
    );
}

#[test]
fn the_required_fields_and_choices_declared_are_the_ones_checked() {
    let good = serde_json::to_value(asset()).unwrap();
    for field in AssetInput::REQUIRED {
        let mut v = good.clone();
        v.as_object_mut().unwrap().remove(*field);
        let a: AssetInput = serde_json::from_value(v).unwrap();
        let e = a.validate(today()).unwrap_err();
        assert!(e.0.iter().any(|f| f.field == *field), "{field}: {e}");
    }
    for (field, list, optional) in AssetInput::CHOICES {
        for (value, _) in list.iter() {
            let mut v = good.clone();
            v[*field] = (*value).into();
            if *value == "retired" {
                // A retired asset also says when (a rule across two fields).
                v["retired_on"] = "2026-01-01".into();
            }
            let a: AssetInput = serde_json::from_value(v).unwrap();
            assert!(a.validate(today()).is_ok(), "{field} = {value}");
        }
        let mut v = good.clone();
        v[*field] = "not one of them".into();
        let a: AssetInput = serde_json::from_value(v).unwrap();
        assert!(a.validate(today()).is_err(), "{field}");
        let mut v = good.clone();
        v[*field] = "".into();
        let a: AssetInput = serde_json::from_value(v).unwrap();
        assert_eq!(a.validate(today()).is_ok(), *optional, "{field} empty");
    }
}

#[test]
fn the_asset_statuses_are_the_choices_of_the_form() {
    let listed: Vec<&str> = STATUSES.iter().map(|(k, _)| *k).collect();
    let typed: Vec<&str> = AssetStatus::ALL.iter().map(|s| s.as_str()).collect();
    assert_eq!(listed, typed);
}
