//! The demo's incident registers: in each practice a letter sent to the wrong address hours ago
//! (its 12-hour clock running), a phishing near miss under investigation, a lost laptop bag
//! reported to the ICO (the ICO's acknowledgement attached) and closed, and a record looked at
//! without reason, graded not reportable and closed.

use super::*;
use chrono::{Duration, Utc};
use custodian_domain::incidents::{
    BreachType, GradingRule, Grading, IncidentReport, IncidentStatus, Step, ValidIcoDecision,
};

pub(super) async fn seed(demo: &mut Demo<'_>) -> Result<(), StoreError> {
    let store = demo.store;
    let now = Utc::now();
    let managers = ["r.ahmed", "k.mills", "f.begum"];
    for (i, practice) in demo.practices.iter().enumerate() {
        // A receptionist or other member of staff with no other role reports them.
        let reporter = STAFF
            .iter()
            .find(|s| s.3 == i && s.4 == [PracticeRole::Staff])
            .map_or(managers[i], |s| s.0);
        let as_ = |who: &str| AuditMeta {
            actor_id: Some(demo.staff[who]),
            actor: who.to_string(),
            ..AuditMeta::system("demo")
        };
        let (by, handler) = (as_(reporter), as_(managers[i]));
        let moment = |ago: Duration| custodian_domain::time::moment_field(now - ago);
        let cases: [(&str, &str, Duration, bool, bool); 4] = [
            (
                "wrong_recipient",
                "A discharge letter was posted to the patient's previous address; the new occupant phoned to say so.",
                Duration::hours(5),
                true,
                false,
            ),
            (
                "malware_or_phishing",
                "An email that looked like NHSmail asked three of us to re-enter our passwords. Nobody did; reported to the spam team.",
                Duration::days(3),
                false,
                true,
            ),
            (
                "lost_or_stolen",
                "A bag with a practice laptop and the day's home-visit list was left on the train.",
                Duration::days(20),
                true,
                false,
            ),
            (
                "inappropriate_access",
                "A member of staff opened a neighbour's record without a reason to; the audit report showed it.",
                Duration::days(40),
                true,
                false,
            ),
        ];
        let mut ids = Vec::new();
        for (kind, what, ago, patients, near_miss) in cases {
            // The record looked at without reason was in EMIS Web.
            let asset_id = (kind == "inappropriate_access").then(|| demo.emis_assets[i]);
            let report = IncidentReport {
                what_happened: what.into(),
                kind: kind.into(),
                occurred_at: moment(ago + Duration::hours(2)),
                discovered_at: moment(ago),
                location: "Reception".into(),
                patient_data: patients,
                near_miss,
                asset_id,
                ..Default::default()
            }
            .validate(now)
            .expect("the demo's reports are valid");
            let at = now - ago + Duration::minutes(20);
            ids.push((
                store
                    .report_incident(*practice, &report, demo.staff[reporter], at, &by)
                    .await?
                    .id,
                now - ago,
            ));
        }
        let aware: Vec<_> = ids.iter().map(|(_, at)| *at).collect();
        let steps = handling(&aware);
        for (n, after, step) in steps {
            let (id, aware) = ids[n];
            store
                .handle_incident(*practice, id, &step, aware + after, &handler)
                .await?;
        }
        // The ICO's acknowledgement, saved from the practice manager's mailbox, on the lost
        // laptop's incident.
        let (laptop, aware) = ids[2];
        let email = ico_acknowledgement(PRACTICES[i].0);
        let sha = custodian_domain::evidence::address(email.as_bytes());
        let name = "ICO acknowledgement.eml";
        let file = custodian_store::NewEvidence {
            filename: name,
            kind: custodian_domain::evidence::kind_of(name, email.as_bytes())
                .expect("the demo's email passes the evidence rules"),
            sha256: &sha,
            bytes: email.as_bytes(),
        };
        let holder = custodian_domain::evidence::Holder::Incident(laptop);
        store
            .attach_evidence(*practice, holder, &file, aware + Duration::hours(31), &handler)
            .await?;
    }
    Ok(())
}

/// The email the ICO sends when a breach is reported through the DSPT tool.
fn ico_acknowledgement(practice: &str) -> String {
    format!(
        "From: DSPT Incident Reporting <incidents@dsptoolkit.example>\r\n\
         To: Practice Manager <manager@practice.example.nhs.uk>\r\n\
         Subject: Incident DSPT-INC-104233 received\r\n\
         \r\n\
         Thank you. {practice}'s report DSPT-INC-104233 has been received and passed to the ICO.\r\n"
    )
}

/// What the practice manager did with each of the demo's incidents, and how long after it was
/// found out: (which incident, after, the step).
fn handling(aware: &[chrono::DateTime<Utc>]) -> Vec<(usize, Duration, Step)> {
    let grade = |l, s| {
        let grading = Grading {
            likelihood: l,
            severity: s,
            vulnerable: false,
        };
        Step::Grade {
            grading,
            assessment: grading.assess(GradingRule::default()),
            breach_types: vec![BreachType::Confidentiality],
            people_affected: Some(1),
            records_affected: Some(1),
        }
    };
    vec![
        (1, Duration::hours(1), Step::Status(IncidentStatus::Triage)),
        (1, Duration::hours(2), Step::SeniorTold { at: aware[1] + Duration::hours(2) }),
        (1, Duration::hours(6), Step::Status(IncidentStatus::Investigating)),
        (2, Duration::hours(2), grade(4, 3)),
        (2, Duration::hours(3), Step::SeniorTold { at: aware[2] + Duration::hours(3) }),
        (
            2,
            Duration::hours(30),
            Step::Ico(ValidIcoDecision::Reported {
                reference: "DSPT-INC-104233".into(),
                at: aware[2] + Duration::hours(30),
            }),
        ),
        (
            2,
            Duration::days(12),
            Step::Close {
                lessons: "Laptops stay in the practice unless the visit needs one; visit lists go on the encrypted tablet.".into(),
                risk: None,
            },
        ),
        (3, Duration::hours(4), grade(2, 2)),
        (3, Duration::hours(5), Step::SeniorTold { at: aware[3] + Duration::hours(5) }),
        (
            3,
            Duration::hours(20),
            Step::Ico(ValidIcoDecision::NotReportable {
                reason: "Viewed on screen only, not shared; the member of staff was interviewed and the access removed.".into(),
            }),
        ),
        (
            3,
            Duration::days(9),
            Step::Close {
                lessons: "Monthly review of the audit report's unusual-access list at the practice meeting.".into(),
                risk: None,
            },
        ),
    ]
}
