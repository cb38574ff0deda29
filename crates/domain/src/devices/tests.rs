use chrono::NaiveDate;

use super::*;

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn laptop() -> DeviceInput {
    DeviceInput {
        asset_tag: " RMC-LT-014 ".into(),
        kind: "laptop".into(),
        make_model: "Dell Latitude 5440".into(),
        serial: "7GH2KQ3".into(),
        ..Default::default()
    }
}

#[test]
fn a_device_needs_its_tag_and_kind_and_every_problem_is_named_at_once() {
    let ok = laptop().validate().unwrap();
    assert_eq!(ok.asset_tag, "RMC-LT-014");
    assert_eq!(ok.kind, DeviceKind::Laptop);

    let bad = DeviceInput {
        asset_tag: "".into(),
        kind: "toaster".into(),
        serial: "x".repeat(201),
        location: "front\u{0}desk".into(),
        ..Default::default()
    }
    .validate()
    .unwrap_err();
    let fields: Vec<_> = bad.0.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["asset_tag", "kind", "serial", "location"]);
}

#[test]
fn every_kind_and_status_has_a_label_and_reads_back_from_its_word() {
    for k in DeviceKind::ALL {
        assert_eq!(DeviceKind::parse(k.as_str()), Some(*k));
        assert!(!k.label().is_empty());
    }
    for s in DeviceStatus::ALL {
        assert_eq!(DeviceStatus::parse(s.as_str()), Some(*s));
        assert!(!s.label().is_empty());
    }
}

#[test]
fn custody_steps_follow_the_device_from_stock_to_disposal() {
    use DeviceStatus::*;
    let on = day("2026-12-01");
    let issue = Custody::Issue {
        to: PersonId::new(),
        on,
        signed: true,
    };
    let dispose = Custody::Dispose {
        on,
        how: "Shredded by a certified contractor".into(),
    };
    assert!(issue.allowed_from(InStock).is_ok());
    assert_eq!(issue.status_after(), Issued);
    let twice = issue.allowed_from(Issued).unwrap_err();
    assert_eq!(twice.0[0].field, "step");
    assert!(twice.0[0].message.contains("record its return first"));
    assert!(Custody::Return { on }.allowed_from(Issued).is_ok());
    assert!(Custody::Return { on }.allowed_from(InStock).is_err());
    assert!(Custody::Lose { on }.allowed_from(Issued).is_ok());
    assert!(Custody::Restock { on }.allowed_from(LostOrStolen).is_ok());
    assert!(dispose.allowed_from(Issued).is_err(), "returned first");
    assert!(dispose.allowed_from(LostOrStolen).is_ok(), "written off");
    for step in [issue, Custody::Return { on }, Custody::Lose { on }, dispose] {
        let refused = step.allowed_from(Disposed).unwrap_err();
        assert!(refused.0[0].message.contains("disposed of"), "{refused:?}");
    }
}

#[test]
fn a_custody_step_needs_its_person_its_day_and_for_a_disposal_how_the_data_went() {
    let today = day("2026-12-07");
    let issue = CustodyInput {
        step: "issue".into(),
        ..Default::default()
    };
    assert_eq!(issue.validate(today).unwrap_err().0[0].field, "to");
    let who = PersonId::new();
    let given = CustodyInput {
        to: Some(who),
        on: "".into(),
        ..issue.clone()
    };
    assert_eq!(
        given.validate(today).unwrap(),
        Custody::Issue {
            to: who,
            on: today,
            signed: false
        }
    );
    let future = CustodyInput {
        on: "2026-12-08".into(),
        ..given.clone()
    };
    assert_eq!(future.validate(today).unwrap_err().0[0].field, "on");
    let nonsense = CustodyInput {
        on: "2026-02-31".into(),
        ..given
    };
    assert_eq!(nonsense.validate(today).unwrap_err().0[0].field, "on");

    let dispose = CustodyInput {
        step: "dispose".into(),
        ..Default::default()
    };
    assert_eq!(dispose.validate(today).unwrap_err().0[0].field, "how");
    let unknown = CustodyInput {
        step: "borrow".into(),
        ..Default::default()
    };
    assert_eq!(unknown.validate(today).unwrap_err().0[0].field, "step");
}

#[test]
fn a_loss_needs_what_happened_and_reports_an_incident_of_its_kind() {
    let today = day("2026-12-07");
    let lose = CustodyInput {
        step: "lose".into(),
        on: "2026-12-05".into(),
        ..Default::default()
    };
    assert_eq!(
        lose.validate(today).unwrap_err().0[0].field,
        "what_happened"
    );
    let said = CustodyInput {
        what_happened: "Left in a taxi after a home visit".into(),
        patient_data: true,
        ..lose
    };
    let step = said.validate(today).unwrap();
    let now = chrono::DateTime::parse_from_rfc3339("2026-12-07T10:00:00Z")
        .unwrap()
        .to_utc();
    let report = loss_report("RMC-LT-01 (Dell Latitude 5440)", step.on(), &said, now);
    assert_eq!(report.kind, crate::incidents::IncidentKind::LostOrStolen);
    assert!(
        report
            .what_happened
            .starts_with("RMC-LT-01 (Dell Latitude 5440) lost or stolen. Left in a taxi")
    );
    assert!(report.patient_data && !report.near_miss);
    assert!(report.occurred_at < report.discovered_at);
}

#[test]
fn a_practices_figures_count_every_device_but_the_disposed_as_in_use() {
    let mut p = PracticeDevices::default();
    p.add(DeviceStatus::Issued, 3);
    p.add(DeviceStatus::LostOrStolen, 1);
    p.add(DeviceStatus::Disposed, 2);
    assert_eq!(
        (p.in_use, p.issued, p.lost_or_stolen, p.disposed),
        (4, 3, 1, 2)
    );
}

mod personal_devices {
    use super::super::personal::*;
    use super::day;

    #[test]
    fn a_declaration_needs_its_kind_model_and_purpose() {
        let ok = Declaration {
            kind: "mobile".into(),
            make_model: "iPhone 14".into(),
            purpose: "Two-factor codes for NHSmail".into(),
            ..Default::default()
        };
        assert_eq!(ok.validate().unwrap().kind, PersonalKind::Mobile);
        let bad = Declaration {
            kind: "watch".into(),
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        let fields: Vec<_> = bad.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["kind", "make_model", "purpose"]);
    }

    #[test]
    fn a_need_is_approved_only_with_no_practice_option_and_always_with_a_reason() {
        let approve = NeedDecision {
            approve: true,
            no_practice_option: false,
            reason: "Home visits need two-factor codes".into(),
        };
        assert_eq!(
            approve.validate().unwrap_err().0[0].field,
            "no_practice_option"
        );
        let approve = NeedDecision {
            no_practice_option: true,
            ..approve
        };
        assert!(approve.validate().unwrap().0);
        let refuse = NeedDecision::default();
        assert_eq!(refuse.validate().unwrap_err().0[0].field, "reason");
    }

    #[test]
    fn a_check_answers_every_item_and_a_failure_cannot_be_simply_approved() {
        let all = |a: &str| {
            PersonalKind::Laptop
                .checklist()
                .iter()
                .map(|(w, _)| (w.to_string(), a.to_string()))
                .collect()
        };
        let passed = CheckInput {
            answers: all("pass"),
            outcome: "approved".into(),
            ..Default::default()
        };
        assert_eq!(
            passed.validate(PersonalKind::Laptop).unwrap().outcome,
            PersonalStatus::Approved
        );
        // The mobile list is not the laptop's.
        let wrong = passed.validate(PersonalKind::Mobile).unwrap_err();
        assert!(wrong.0.iter().any(|e| e.field == "answers"), "{wrong:?}");

        let mut answers = all("pass");
        answers.insert("encryption".into(), "fail".into());
        let failed = CheckInput {
            answers,
            outcome: "approved".into(),
            ..Default::default()
        };
        let fields: Vec<_> = failed
            .validate(PersonalKind::Laptop)
            .unwrap_err()
            .0
            .iter()
            .map(|e| e.field.clone())
            .collect();
        assert_eq!(fields, ["outcome", "note"]);
        let with_risks = CheckInput {
            outcome: "approved_with_risks".into(),
            note: "BitLocker not available on Windows Home".into(),
            ..failed
        };
        let ok = with_risks.validate(PersonalKind::Laptop).unwrap();
        assert_eq!(ok.failed(PersonalKind::Laptop), ["The disk is encrypted"]);
        // No outcome, and an item left out.
        let mut partial = all("pass");
        partial.remove("anti_virus");
        let none = CheckInput {
            answers: partial,
            ..Default::default()
        };
        let fields: Vec<_> = none
            .validate(PersonalKind::Laptop)
            .unwrap_err()
            .0
            .iter()
            .map(|e| e.field.clone())
            .collect();
        assert_eq!(fields, ["anti_virus", "outcome"]);
    }

    #[test]
    fn an_approval_lasts_a_year_even_from_a_leap_day() {
        assert_eq!(approval_expires(day("2026-12-07"), 12), day("2027-12-07"));
        assert_eq!(approval_expires(day("2028-02-29"), 12), day("2029-02-28"));
    }
}
