//! The demo's risk registers: risks, actions, reviews and acceptances.

use super::*;
use custodian_domain::risks::ActionInput;

/// Each practice's risk register: threats from the library linked to EMIS Web, one with an
/// overdue action, one reviewed, and one accepted by the SIRO above the appetite.
pub(super) async fn seed(demo: &mut Demo<'_>) -> Result<(), StoreError> {
    let (store, today) = (demo.store, demo.today);
    let Demo { practices, staff, emis_assets: emis, .. } = &*demo;
    use custodian_domain::risks::{self, AcceptanceInput, Band, MATRIX_5X5, ReviewInput};
    let owners = ["m.kowalski", "l.chen", "d.murphy"];
    let managers = ["r.ahmed", "k.mills", "f.begum"];
    let siros = ["dr.hughes", "dr.evans", "dr.okoro"];
    for (i, practice) in practices.iter().enumerate() {
        let iao = staff[owners[i]];
        let as_ = |who: &str| AuditMeta {
            actor_id: Some(staff[who]),
            actor: who.to_string(),
            ..AuditMeta::system("demo")
        };
        let mut ids = Vec::new();
        for (key, residual, controls) in [
            (
                "phishing",
                (3, 4),
                "NHSmail filtering; annual training; two-factor for administrators",
            ),
            (
                "ransomware",
                (2, 5),
                "Anti-malware everywhere; NHS-managed firewall; supplier-hosted clinical system",
            ),
            (
                "lost_device",
                (2, 3),
                "Practice laptops encrypted; device register",
            ),
            (
                "misdirected_email",
                (3, 3),
                "NHSmail encryption; check-before-send habit",
            ),
            (
                "password_sharing",
                (2, 3),
                "Screen lock after 15 minutes; smartcards",
            ),
        ] {
            let entry = risks::library_entry(key).expect("in the library");
            let mut input = entry.to_input(&MATRIX_5X5);
            input.asset_ids = emis.get(i).copied().into_iter().collect();
            input.owner_id = Some(iao);
            input.residual_likelihood = Some(residual.0);
            input.residual_impact = Some(residual.1);
            input.controls = controls.into();
            // Raised at different times: the one raised 120 days ago is overdue for its
            // quarterly review.
            let days = match key {
                "misdirected_email" => 120,
                "lost_device" => 100,
                "password_sharing" => 30,
                _ => 60,
            };
            input.raised_on = (today - chrono::Duration::days(days)).to_string();
            if key == "phishing" {
                input.target_likelihood = Some(2);
                input.target_impact = Some(3);
                input.status = "treating".into();
            }
            let r = store
                .create_risk(
                    *practice,
                    &input.validate(&MATRIX_5X5, today, None)?,
                    &as_(managers[i]),
                )
                .await?;
            ids.push(r.id);
        }
        seed_phishing_actions(store, *practice, ids[0], iao, &as_(owners[i]), today).await?;
        // Lost device: reviewed last month.
        let review = ReviewInput {
            residual_likelihood: Some(2),
            residual_impact: Some(3),
            notes: "Device register checked: every laptop encrypted".into(),
            next_review_on: (today + chrono::Duration::days(60)).to_string(),
        }
        .validate(&MATRIX_5X5, (2, 3), 12, 3, today)?;
        store
            .review_risk(*practice, ids[2], &review, &as_(owners[i]))
            .await?;
        // Ransomware (2 × 5 = 10, high): accepted by the SIRO above the appetite.
        let acceptance = AcceptanceInput {
            reason: "Clinical system hosted by the supplier; a second site costs more than the residual risk".into(),
            expires_on: (today + chrono::Duration::days(180)).to_string(),
        }
        .validate(Band::High, Band::Medium, true, today)?;
        store
            .accept_risk(*practice, ids[1], &acceptance, Band::High, &as_(siros[i]))
            .await?;
    }
    // Last quarter's report, drafted as the scheduler drafts it, waiting for each SIRO.
    let app = custodian_app::App::new(store.clone());
    custodian_app::risk_reports::draft_quarterly_reports(&app)
        .await
        .map_err(|e| StoreError::Corrupt(format!("demo quarterly reports: {e}")))?;
    Ok(())
}

/// Phishing: an action done and one overdue.
async fn seed_phishing_actions(
    store: &SharedStore,
    practice: PracticeId,
    risk: custodian_domain::RiskId,
    iao: custodian_domain::PersonId,
    by: &AuditMeta,
    today: chrono::NaiveDate,
) -> Result<(), StoreError> {
    for (what, due, status) in [
        (
            "Turn on two-factor authentication for NHSmail",
            today - chrono::Duration::days(14),
            "open",
        ),
        (
            "Run a phishing awareness session at the practice meeting",
            today - chrono::Duration::days(40),
            "done",
        ),
    ] {
        let action = ActionInput {
            description: what.into(),
            owner_id: Some(iao),
            due_on: due.to_string(),
            status: status.into(),
        }
        .validate(today - chrono::Duration::days(60))?;
        store
            .add_action(practice, custodian_domain::holder::Holder::Risk(risk), &action, by)
            .await?;
    }
    Ok(())
}
