use super::*;
use chrono::TimeZone;

fn at(s: &str) -> DateTime<Utc> {
    crate::time::parse_moment(s).unwrap()
}

fn report() -> IncidentReport {
    IncidentReport {
        what_happened: "A discharge letter went to the wrong address".into(),
        kind: "wrong_recipient".into(),
        occurred_at: "2026-12-04T10:15".into(),
        discovered_at: "2026-12-04T16:40".into(),
        location: "Reception".into(),
        patient_data: true,
        ..Default::default()
    }
}

#[test]
fn a_report_needs_what_happened_a_kind_and_two_moments_in_order() {
    let now = at("2026-12-06T09:00");
    let ok = report().validate(now).unwrap();
    assert_eq!(ok.kind, IncidentKind::WrongRecipient);
    assert_eq!(ok.discovered_at, at("2026-12-04T16:40"));
    assert_eq!(ok.on_behalf_of, None);

    let fields = |r: IncidentReport| -> Vec<String> {
        r.validate(now)
            .unwrap_err()
            .0
            .into_iter()
            .map(|e| e.field)
            .collect()
    };
    assert_eq!(
        fields(IncidentReport {
            discovered_at: "2026-12-04T09:00".into(),
            ..report()
        }),
        ["discovered_at"],
        "found out before it happened"
    );
    assert_eq!(
        fields(IncidentReport {
            occurred_at: "2026-12-07T09:00".into(),
            discovered_at: "2026-12-07T10:00".into(),
            ..report()
        }),
        ["occurred_at", "discovered_at"],
        "in the future"
    );
    assert_eq!(
        fields(IncidentReport {
            what_happened: "x".repeat(DESCRIPTION_MAX + 1),
            kind: "oops".into(),
            occurred_at: "yesterday".into(),
            location: "a\u{0}b".into(),
            ..report()
        }),
        ["what_happened", "kind", "occurred_at", "location"]
    );
    assert_eq!(
        fields(IncidentReport {
            what_happened: "   ".into(),
            ..report()
        }),
        ["what_happened"]
    );
}

#[test]
fn references_are_said_on_the_phone() {
    assert_eq!(reference(2026, 42), "INC-2026-0042");
    assert_eq!(reference(2027, 12345), "INC-2027-12345");
    // 31 December 23:30 in London is still that year, also in summer time's neighbours.
    let late = Utc.with_ymd_and_hms(2026, 12, 31, 23, 30, 0).unwrap();
    assert_eq!(reference_year(late), 2026);
}

#[test]
fn every_cell_of_the_grid() {
    let rule = GradingRule::default();
    for likelihood in 1..=5u8 {
        for severity in 1..=5u8 {
            for vulnerable in [false, true] {
                let g = Grading {
                    likelihood,
                    severity,
                    vulnerable,
                };
                assert!(g.check().is_ok());
                let a = g.assess(rule);
                let (l, s) = if vulnerable {
                    (likelihood.max(2), severity.max(2))
                } else {
                    (likelihood, severity)
                };
                assert_eq!((a.likelihood, a.severity), (l, s));
                assert_eq!(
                    a.reportable_to_ico,
                    l >= 3 && s >= 2,
                    "{likelihood}x{severity} vulnerable={vulnerable}"
                );
                assert_eq!(a.notify_dhsc, l >= 3 && s >= 4);
            }
        }
    }
    // The cells that decide: likely and minor is reportable; not likely is not, whatever the
    // severity; vulnerable groups lift "no adverse effect" to minor.
    let a = |l, s, v| {
        Grading {
            likelihood: l,
            severity: s,
            vulnerable: v,
        }
        .assess(rule)
    };
    assert!(a(3, 2, false).reportable_to_ico);
    assert!(!a(2, 5, false).reportable_to_ico);
    assert!(!a(3, 1, false).reportable_to_ico);
    assert!(a(3, 1, true).reportable_to_ico);
    assert!(!a(3, 3, false).notify_dhsc && a(3, 4, false).notify_dhsc);
    // A practice's own rule.
    let strict = GradingRule {
        dhsc_severity: 3,
        ..rule
    };
    let three = Grading {
        likelihood: 3,
        severity: 3,
        vulnerable: false,
    };
    assert!(!three.assess(rule).notify_dhsc && three.assess(strict).notify_dhsc);
}

#[test]
fn a_grade_outside_one_to_five_is_named() {
    let e = Grading {
        likelihood: 0,
        severity: 6,
        vulnerable: false,
    }
    .check()
    .unwrap_err();
    let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, ["likelihood", "severity"]);
}

#[test]
fn the_clocks_run_through_weekends_turn_amber_then_red_and_stop_on_a_decision() {
    // Aware on Friday at 16:00: the ICO's 72 hours end on Monday at 16:00.
    let aware = at("2026-12-04T16:00");
    let ico = |now| clock(ClockKind::Ico, aware, false, at(now));
    assert_eq!(ico("2026-12-05T10:00").due_at, at("2026-12-07T16:00"));
    assert_eq!(ico("2026-12-05T10:00").state, ClockState::Running);
    // A third (24 hours) or less left: amber.
    assert_eq!(ico("2026-12-06T15:59").state, ClockState::Running);
    assert_eq!(ico("2026-12-06T16:00").state, ClockState::Amber);
    assert_eq!(ico("2026-12-07T15:59").minutes_left, Some(1));
    assert_eq!(ico("2026-12-07T16:00").state, ClockState::Red);
    assert_eq!(ico("2026-12-07T17:30").minutes_left, Some(-90));
    // Senior management: 12 hours, amber in the last 4.
    let ndg = |now| clock(ClockKind::SeniorManagement, aware, false, at(now));
    assert_eq!(ndg("2026-12-04T23:59").state, ClockState::Running);
    assert_eq!(ndg("2026-12-05T00:00").state, ClockState::Amber);
    assert_eq!(ndg("2026-12-05T04:00").state, ClockState::Red);
    // A decision stops it, however late.
    let stopped = clock(ClockKind::Ico, aware, true, at("2026-12-09T09:00"));
    assert_eq!(
        (stopped.state, stopped.minutes_left),
        (ClockState::Stopped, None)
    );
    assert_eq!(time_left(125), "2 h 5 min left");
    assert_eq!(time_left(3 * 24 * 60 + 4 * 60), "3 days 4 h left");
    assert_eq!(time_left(-40), "overdue by 40 min");
}

#[test]
fn a_decision_not_to_report_keeps_its_reason_and_a_report_its_reference() {
    let now = at("2026-12-06T09:00");
    let none = IcoDecision {
        reported: false,
        ..Default::default()
    };
    let e = none.validate(now).unwrap_err();
    assert_eq!(e.0[0].field, "reason");
    let why = IcoDecision {
        reason: "Letter returned unopened; no one else saw it".into(),
        ..none
    };
    assert!(matches!(
        why.validate(now).unwrap(),
        ValidIcoDecision::NotReportable { .. }
    ));
    let reported = IcoDecision {
        reported: true,
        ..Default::default()
    };
    let fields: Vec<String> = reported
        .validate(now)
        .unwrap_err()
        .0
        .into_iter()
        .map(|f| f.field)
        .collect();
    assert_eq!(fields, ["reference", "reported_at"]);
    let ok = IcoDecision {
        reported: true,
        reference: "DSPT-19-4411".into(),
        reported_at: "2026-12-05T11:00".into(),
        reason: String::new(),
    };
    assert_eq!(
        ok.validate(now).unwrap(),
        ValidIcoDecision::Reported {
            reference: "DSPT-19-4411".into(),
            at: at("2026-12-05T11:00")
        }
    );
}

#[test]
fn the_providers_line_counts_a_practices_open_incidents() {
    let now = at("2026-12-06T12:00");
    let facts = |aware: &str, near_miss, senior_told, ico_decided| ClockFacts {
        aware: at(aware),
        near_miss,
        closed: false,
        senior_told,
        ico_decided,
        subjects_decided: ico_decided,
    };
    let open = [
        // Found out an hour ago: running.
        OpenIncident {
            status: IncidentStatus::Reported,
            reportable: None,
            clocks: facts("2026-12-06T11:00", false, false, false),
        },
        // Ten hours ago: the 12 hours amber.
        OpenIncident {
            status: IncidentStatus::Triage,
            reportable: Some(true),
            clocks: facts("2026-12-06T02:00", false, false, false),
        },
        // Four days ago, senior management told, no ICO decision: overdue.
        OpenIncident {
            status: IncidentStatus::Investigating,
            reportable: Some(true),
            clocks: facts("2026-12-02T09:00", false, true, false),
        },
        // A near miss four days ago, senior management told: nothing running.
        OpenIncident {
            status: IncidentStatus::Contained,
            reportable: Some(false),
            clocks: facts("2026-12-02T09:00", true, true, false),
        },
    ];
    let t = PracticeIncidents::tally(
        crate::PracticeId(uuid::Uuid::nil()),
        "Riverside".into(),
        "Z00001".into(),
        &open,
        now,
    );
    assert_eq!(
        (
            t.open,
            t.awaiting_triage,
            t.reportable,
            t.clocks_running_out,
            t.clocks_overdue
        ),
        (4, 1, 2, 1, 1)
    );
}
