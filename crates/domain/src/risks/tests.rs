use super::*;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
}

fn risk() -> RiskInput {
    RiskInput {
        title: "Phishing".into(),
        threat: "Password harvested".into(),
        vulnerability: "No MFA".into(),
        category: "people".into(),
        confidentiality: true,
        confidentiality_reason: "Records read".into(),
        inherent_likelihood: Some(4),
        inherent_impact: Some(4),
        residual_likelihood: Some(3),
        residual_impact: Some(4),
        treatment: "reduce".into(),
        target_likelihood: Some(2),
        target_impact: Some(3),
        ..Default::default()
    }
}

#[test]
fn scores_and_bands_on_both_matrices() {
    let m = &MATRIX_5X5;
    assert_eq!(m.score(4, 5), 20);
    let bands: Vec<Band> = [1, 3, 4, 6, 8, 12, 15, 25]
        .iter()
        .map(|s| m.band(*s))
        .collect();
    use Band::*;
    assert_eq!(
        bands,
        [Low, Low, Medium, Medium, High, High, Extreme, Extreme]
    );
    assert_eq!(m.band_range(Extreme), "13–25");
    let m = &MATRIX_4X4;
    let bands: Vec<Band> = [1, 2, 3, 4, 6, 8, 9, 16]
        .iter()
        .map(|s| m.band(*s))
        .collect();
    assert_eq!(
        bands,
        [Low, Low, Medium, Medium, High, High, Extreme, Extreme]
    );
    assert_eq!(m.likelihood_label(4), "Almost certain");
    assert_eq!(m.likelihood_label(5), "");
    assert_eq!(matrix("4x4").size(), 4);
    assert_eq!(matrix("nonsense").key, "5x5");
}

#[test]
fn a_risk_is_scored_not_typed_and_bad_levels_are_named() {
    let v = risk().validate(&MATRIX_5X5, today(), None).unwrap();
    assert_eq!(
        (v.inherent_score, v.residual_score, v.target_score),
        (16, 12, Some(6))
    );
    assert_eq!(v.raised_on, today());
    assert_eq!(v.review_interval_months, 3);

    let mut r = risk();
    r.inherent_likelihood = Some(0);
    r.residual_impact = Some(5);
    let e = r.validate(&MATRIX_4X4, today(), None).unwrap_err();
    let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
    assert!(fields.contains(&"inherent_likelihood"), "{e}");
    assert!(
        e.to_string()
            .contains("from 1 (Unlikely) to 4 (Almost certain)"),
        "{e}"
    );
    assert!(
        fields.contains(&"residual_impact"),
        "5 is off a 4 × 4 matrix: {e}"
    );

    let mut r = risk();
    r.residual_likelihood = Some(5);
    r.residual_impact = Some(5);
    let e = r.validate(&MATRIX_5X5, today(), None).unwrap_err();
    assert!(
        e.to_string()
            .contains("cannot be higher than the inherent score (16)"),
        "{e}"
    );

    let mut r = risk();
    r.confidentiality = false;
    r.raised_on = "2027-01-01".into();
    r.target_likelihood = None;
    r.status = "accepted".into();
    let e = r.validate(&MATRIX_5X5, today(), None).unwrap_err();
    let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "confidentiality",
            "target_likelihood",
            "status",
            "raised_on"
        ],
        "{e}"
    );
    // An accepted risk keeps its status when edited.
    let mut r = risk();
    r.status = "accepted".into();
    assert!(
        r.validate(&MATRIX_5X5, today(), Some(RiskStatus::Accepted))
            .is_ok()
    );
}

#[test]
fn actions_cannot_be_due_before_the_risk_was_raised() {
    let raised = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap();
    let a = ActionInput {
        description: "Turn on MFA".into(),
        owner_id: Some(PersonId::new()),
        due_on: "2026-09-30".into(),
        ..Default::default()
    };
    let e = a.validate(raised).unwrap_err();
    assert_eq!(e.0[0].field, "due_on");
    assert!(e.0[0].message.contains("1 October 2026"));
    let ok = ActionInput {
        due_on: "2026-10-01".into(),
        ..a
    }
    .validate(raised)
    .unwrap();
    assert_eq!(ok.input.status, "open");
    assert!(action_overdue(ActionStatus::Open, ok.due_on, today()));
    assert!(!action_overdue(ActionStatus::Done, ok.due_on, today()));
}

#[test]
fn above_the_appetite_only_the_siro_accepts_and_never_for_more_than_a_year() {
    let good = AcceptanceInput {
        reason: "Cost of the control outweighs the risk".into(),
        expires_on: "2027-05-31".into(),
    };
    let e = good
        .validate(Band::High, Band::Medium, false, today())
        .unwrap_err();
    assert!(e.to_string().contains("only the SIRO can accept it"), "{e}");
    let v = good
        .validate(Band::High, Band::Medium, true, today())
        .unwrap();
    assert!(v.above_appetite);
    let v = good
        .validate(Band::Medium, Band::Medium, false, today())
        .unwrap();
    assert!(!v.above_appetite);
    let late = AcceptanceInput {
        expires_on: "2028-01-01".into(),
        ..good.clone()
    };
    assert!(
        late.validate(Band::Low, Band::Medium, false, today())
            .unwrap_err()
            .to_string()
            .contains("at most a year")
    );
    let past = AcceptanceInput {
        expires_on: "2026-11-26".into(),
        reason: String::new(),
    };
    let e = past
        .validate(Band::Low, Band::Medium, false, today())
        .unwrap_err();
    assert_eq!(e.0.len(), 2, "{e}");
}

#[test]
fn a_review_says_why_scores_changed_and_sets_the_next_date() {
    let m = &MATRIX_5X5;
    let same = ReviewInput {
        residual_likelihood: Some(3),
        residual_impact: Some(4),
        notes: "Controls still in place".into(),
        ..Default::default()
    };
    let v = same.validate(m, (3, 4), 16, 3, today()).unwrap();
    assert!(!v.scores_changed);
    assert_eq!(
        v.next_review_on,
        NaiveDate::from_ymd_opt(2027, 2, 26).unwrap()
    );
    let changed = ReviewInput {
        residual_likelihood: Some(2),
        notes: String::new(),
        ..same.clone()
    };
    let e = changed.validate(m, (3, 4), 16, 3, today()).unwrap_err();
    assert_eq!(e.0[0].message, "Say why the scores changed");
    let past = ReviewInput {
        next_review_on: "2026-11-26".into(),
        ..same
    };
    assert_eq!(
        past.validate(m, (3, 4), 16, 3, today()).unwrap_err().0[0].field,
        "next_review_on"
    );
}

#[test]
fn a_provider_threat_is_checked_and_scaled_to_the_matrix() {
    let t = Threat {
        title: "USB sticks from conferences".into(),
        threat: "Malware on a free memory stick".into(),
        vulnerability: "Autorun not blocked".into(),
        category: "technology".into(),
        integrity: true,
        likelihood: 2,
        impact: 5,
        ..Default::default()
    };
    let v = t.validate().unwrap();
    assert!(v.from_provider);
    assert_eq!(v.to_input(&MATRIX_4X4).inherent_impact, Some(4));
    assert!(
        v.to_input(&MATRIX_5X5)
            .validate(&MATRIX_5X5, today(), None)
            .is_ok()
    );
    let bad = Threat {
        likelihood: 0,
        integrity: false,
        category: "x".into(),
        ..t
    };
    let fields: Vec<String> = bad
        .validate()
        .unwrap_err()
        .0
        .into_iter()
        .map(|f| f.field)
        .collect();
    assert_eq!(fields, ["category", "confidentiality", "likelihood"]);
}

#[test]
fn what_needs_attention_and_the_library() {
    let due = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
    assert_eq!(
        attention(RiskStatus::Open, due, None, today()),
        ["Review overdue since 1 Nov 2026"]
    );
    assert!(attention(RiskStatus::Closed, due, None, today()).is_empty());
    let later = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
    assert_eq!(
        attention(RiskStatus::Accepted, later, Some(due), today()),
        ["Acceptance has lapsed: review the risk"]
    );

    assert!(LIBRARY.len() >= 10);
    for e in LIBRARY {
        for m in MATRICES {
            let input = e.to_input(m);
            assert!(
                input.validate(m, today(), None).is_ok(),
                "{} on {}",
                e.key,
                m.key
            );
            assert!(input.inherent_likelihood.unwrap() <= m.size());
        }
    }
    assert_eq!(
        library_entry("ransomware")
            .unwrap()
            .to_input(&MATRIX_4X4)
            .inherent_impact,
        Some(4)
    );
}

#[test]
fn the_required_fields_and_choices_declared_are_the_ones_checked() {
    let m = &MATRIX_5X5;
    let good = serde_json::to_value(risk()).unwrap();
    for field in RiskInput::REQUIRED {
        let mut v = good.clone();
        v.as_object_mut().unwrap().remove(*field);
        let r: RiskInput = serde_json::from_value(v).unwrap();
        let e = r.validate(m, today(), None).unwrap_err();
        assert!(e.0.iter().any(|f| f.field == *field), "{field}: {e}");
    }
    for (field, list, optional) in RiskInput::CHOICES {
        for (value, _) in list.iter() {
            let mut v = good.clone();
            v[*field] = (*value).into();
            let r: RiskInput = serde_json::from_value(v).unwrap();
            // Only an acceptance makes a risk accepted: a risk already accepted may stay so.
            let current = (*value == "accepted").then_some(RiskStatus::Accepted);
            assert!(r.validate(m, today(), current).is_ok(), "{field} = {value}");
        }
        let mut v = good.clone();
        v[*field] = "not one of them".into();
        let r: RiskInput = serde_json::from_value(v).unwrap();
        assert!(r.validate(m, today(), None).is_err(), "{field}");
        let mut v = good.clone();
        v[*field] = "".into();
        let r: RiskInput = serde_json::from_value(v).unwrap();
        assert_eq!(
            r.validate(m, today(), None).is_ok(),
            *optional,
            "{field} empty"
        );
    }
}

#[test]
fn no_matrix_is_larger_than_the_level_max() {
    assert!(MATRICES.iter().all(|m| m.size() <= LEVEL_MAX));
    assert!(MATRICES.iter().any(|m| m.size() == LEVEL_MAX));
}

#[test]
fn the_action_statuses_are_the_choices_of_the_form() {
    let listed: Vec<&str> = ACTION_STATUSES.iter().map(|(k, _)| *k).collect();
    let typed: Vec<&str> = ActionStatus::ALL.iter().map(|s| s.as_str()).collect();
    assert_eq!(listed, typed);
    assert!(ActionStatus::ALL.iter().all(|s| !s.label().is_empty()));
}

#[test]
fn the_risk_statuses_are_the_choices_of_the_form() {
    let listed: Vec<&str> = STATUSES.iter().map(|(k, _)| *k).collect();
    let typed: Vec<&str> = RiskStatus::ALL.iter().map(|s| s.as_str()).collect();
    assert_eq!(listed, typed);
    assert_eq!(RiskStatus::Treating.label(), "Being treated");
}
