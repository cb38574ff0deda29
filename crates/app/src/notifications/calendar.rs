//! Each person's calendar feed: their due dates in every practice, at a secret address their
//! calendar subscribes to (only its hash is kept; a new address ends the old one).

use custodian_domain::calendar::{self, DueDate};
use custodian_domain::risks::ActionStatus;
use custodian_domain::{Access, Permission, PersonId};
use custodian_store::{ActionsOf, AssetFilter, AuditMeta, RiskFilter};

use crate::{App, AppError};

/// The person opens a calendar feed: returns the secret of its address, shown only now. Any
/// feed they had stops working.
pub async fn open_feed(app: &App, person: PersonId, meta: &AuditMeta) -> Result<String, AppError> {
    let (secret, hash) = crate::secrets::new_token();
    let event = meta.event(None, "calendar_feed.open", "person", Some(person.to_string()));
    app.store.open_calendar_feed(person, &hash, &event).await?;
    Ok(secret)
}

/// The person ends their calendar feed (not found when they have none).
pub async fn close_feed(app: &App, person: PersonId, meta: &AuditMeta) -> Result<(), AppError> {
    let event = meta.event(None, "calendar_feed.close", "person", Some(person.to_string()));
    if app.store.close_calendar_feed(person, &event).await? {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// Whether the person has a calendar feed.
pub async fn has_feed(app: &App, person: PersonId) -> Result<bool, AppError> {
    Ok(app.store.has_calendar_feed(person).await?)
}

/// The feed a secret opens, as iCalendar text, with links under `base_url`; a secret that is
/// unknown or ended, or whose owner has left, is not found.
pub async fn feed(app: &App, secret: &str, base_url: &str) -> Result<String, AppError> {
    let hash = crate::secrets::token_hash(secret);
    let person = app
        .store
        .calendar_feed_owner(&hash)
        .await?
        .ok_or(AppError::NotFound)?;
    let dates = due_dates(app, person, base_url).await?;
    Ok(calendar::render("Custodian: due dates", &dates, app.clock.now()))
}

/// A person's due dates in every practice they work in: their actions (a risk's, an incident's) and risk reviews,
/// the reviews of the assets they own and of who has access to them, leavers' exit dates where they look after access, and
/// the DSPT deadline for those who keep a practice's settings. Soonest first.
pub async fn due_dates(
    app: &App,
    person: PersonId,
    base_url: &str,
) -> Result<Vec<DueDate>, AppError> {
    let today = app.today();
    let mut out = Vec::new();
    for m in app.store.memberships(person).await? {
        let p = &m.practice;
        let access = Access::new(person, &m.roles, &[]);
        let at = |path: &str| format!("{base_url}/practices/{}{path}", p.id);
        let due = |uid: String, on, summary: String, path: &str| DueDate {
            uid: format!("{uid}@custodian"),
            on,
            summary,
            practice: p.name.clone(),
            url: at(path),
        };
        // Actions given to them, whatever the register (a risk's, an incident's).
        for a in app.store.actions(p.id, ActionsOf::Practice).await? {
            if a.owner_id == person && a.status != ActionStatus::Done {
                let uid = format!("{}-action-{}", a.register, a.id);
                let what = format!("{} action due", a.holder.noun());
                out.push(due(uid, a.due_on, what, &a.holder.path()));
            }
        }
        if access.can(Permission::RisksView) {
            let mine = RiskFilter {
                owner: Some(person),
                limit: 50_000,
                ..Default::default()
            };
            for r in app.store.risks(p.id, &mine).await? {
                if r.fields.status() != custodian_domain::risks::RiskStatus::Closed {
                    let what = format!("Risk review due ({})", r.reference);
                    out.push(due(format!("risk-review-{}", r.id), r.next_review_on, what, &format!("/risks/{}", r.id)));
                }
            }

        }
        if access.can(Permission::AssetsView) {
            let mine = AssetFilter {
                iao: Some(person),
                limit: 50_000,
                ..Default::default()
            };
            for a in app.store.assets(p.id, &mine).await? {
                if a.fields.status() == custodian_domain::assets::AssetStatus::Retired {
                    continue;
                }
                let last = custodian_domain::identity::parse_date(&a.fields.last_reviewed_on);
                let created = custodian_domain::identity::london_today(a.created_at);
                let interval = a.fields.review_interval_months.unwrap_or(12);
                let on = custodian_domain::assets::review_due(last, created, interval);
                let path = format!("/assets/{}", a.id);
                out.push(due(format!("asset-review-{}", a.id), on, "Information asset review due".into(), &path));
            }
            for d in app.store.access_review_dates(p.id).await? {
                if d.iao_id == person {
                    let created = custodian_domain::identity::london_today(d.created_at);
                    let last = d.last_reviewed_at.map(custodian_domain::identity::london_today);
                    let on = custodian_domain::assets::access_review_due(last, created);
                    let path = format!("/assets/{}#access", d.asset_id);
                    let what = "Review of who has access to an information asset".to_string();
                    out.push(due(format!("access-review-{}", d.asset_id), on, what, &path));
                }
            }
        }
        if access.can(Permission::PeopleView) {
            for l in app.store.leavers(p.id).await? {
                if l.status == custodian_domain::identity::LeaverStatus::Scheduled {
                    let what = "A leaver's access ends".to_string();
                    out.push(due(format!("leaver-{}", l.id), l.exit_date, what, "/leavers"));
                }
            }
        }
        if access.can(Permission::PracticeSettingsManage) {
            let on = calendar::next_dspt_deadline(today);
            let what = "DSPT submission deadline".to_string();
            out.push(due(format!("dspt-{}-{}", p.id, on), on, what, ""));
        }
    }
    out.sort_by(|a, b| a.on.cmp(&b.on).then_with(|| a.uid.cmp(&b.uid)));
    Ok(out)
}
