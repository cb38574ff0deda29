//! Every register's due and overdue items reach the right people's homes, checked on the demo
//! data through the one interface every capability's items go through
//! (`custodian_app::CAPABILITIES`' attention functions), so a register added later is checked by
//! this same test once the demo gives it something due.

use std::collections::HashSet;

use custodian_app::home::{Attention, needs_attention};
use custodian_app::{Actor, App, CAPABILITIES};
use custodian_domain::{Access, AccountStatus, PracticeRole};
use custodian_store::AuditMeta;

/// What one capability raises for someone holding every role, and so every permission.
async fn raised_for_everyone(
    app: &App,
    practice: &custodian_domain::Practice,
    f: custodian_app::home::AttentionFn,
) -> Vec<Attention> {
    let meta = AuditMeta::system("test");
    let everyone = custodian_domain::PersonId::new();
    let roles = PracticeRole::ALL.to_vec();
    let access = Access::new(everyone, &roles, &[]);
    let actor = Actor {
        practice,
        roles: &roles,
        access: &access,
        meta: &meta,
    };
    f(app, &actor).await.expect("the capability's items")
}

#[tokio::test(flavor = "multi_thread")]
async fn every_registers_items_reach_the_right_homes() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("demo.db").display());
    let store = custodian_store::open(&url).await.unwrap();
    super::seed(&store).await.unwrap();
    let app = App::new(store.clone());
    let practices = custodian_app::practices::all_practices(&app).await.unwrap();
    let meta = AuditMeta::system("test");

    for (i, capability) in CAPABILITIES.iter().enumerate() {
        let Some(f) = capability.attention else {
            continue;
        };
        let mut raised_anywhere = false;
        for practice in &practices {
            let items = raised_for_everyone(&app, practice, f).await;
            raised_anywhere |= !items.is_empty();
            let staff: Vec<_> = store
                .access_overview(practice.id)
                .await
                .unwrap()
                .into_iter()
                .filter(|m| m.status == AccountStatus::Active)
                .collect();
            let mut homes = Vec::new();
            for m in &staff {
                let access = Access::new(m.person_id, &m.roles, &[]);
                let actor = Actor {
                    practice,
                    roles: &m.roles,
                    access: &access,
                    meta: &meta,
                };
                let home: HashSet<(String, bool)> = needs_attention(&app, &actor)
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|a| (a.path, a.task))
                    .collect();
                homes.push((m, home));
            }
            for item in &items {
                let on =
                    |home: &HashSet<(String, bool)>| home.contains(&(item.path.clone(), item.task));
                match item.person {
                    // A person's own task is on their home, whatever their roles, and as a task.
                    Some(p) => {
                        let (m, home) = homes
                            .iter()
                            .find(|(m, _)| m.person_id == p)
                            .unwrap_or_else(|| {
                                panic!(
                                    "capability {i}: {:?} is for someone not on {}'s staff",
                                    item.text, practice.name
                                )
                            });
                        assert!(
                            item.task,
                            "capability {i}: a person's own item is their task: {:?}",
                            item.text
                        );
                        assert!(
                            on(home),
                            "capability {i}: {} ({:?}) does not see their own {:?} at {}",
                            m.full_name,
                            m.roles,
                            item.text,
                            practice.name
                        );
                    }
                    // The practice's problems reach somebody responsible, and never a member
                    // of staff with no role beyond staff.
                    None => {
                        assert!(
                            homes.iter().any(|(_, home)| on(home)),
                            "capability {i}: nobody at {} is responsible for {:?}",
                            practice.name,
                            item.text
                        );
                        for (m, home) in &homes {
                            if m.roles.iter().all(|r| *r == PracticeRole::Staff) {
                                assert!(
                                    !on(home),
                                    "capability {i}: {} (staff only) sees the practice's {:?}",
                                    m.full_name,
                                    item.text
                                );
                            }
                        }
                    }
                }
            }
        }
        assert!(
            raised_anywhere,
            "capability {i} raises items but the demo gives it nothing due: add demo data that is due, so that its items are checked here"
        );
    }
}
