//! The risk register's use cases: adding and changing risks (register managers, or a risk's
//! own owner), their actions, reviews and acceptance; and whether the practice's risks fit a
//! risk matrix (before a practice or the provider changes it).

/// Risk reviews and actions overdue, acceptances ending, for those who keep the register.
pub const CAPABILITY: crate::Capability = crate::Capability {
    jobs: &[],
    attention: Some(attention),
};

/// How long before an acceptance ends it is said to be ending.
const ACCEPTANCE_NOTICE_DAYS: i64 = 30;

/// Overdue reviews and actions, and acceptances ending within 30 days (register managers).
pub fn attention<'a>(app: &'a App, actor: &'a Actor<'a>) -> crate::home::AttentionFuture<'a> {
    Box::pin(async move {
        let today = app.today();
        // Each owner's own reviews due within a week: their task, whatever their roles.
        let soon_task = today + chrono::Duration::days(crate::assets::TASK_NOTICE_DAYS);
        let mut own: std::collections::BTreeMap<PersonId, (usize, chrono::NaiveDate)> =
            Default::default();
        for (owner, due) in app.store.risk_reviews_due(actor.practice_id(), soon_task).await? {
            own.entry(owner).or_insert((0, due)).0 += 1;
        }
        let own = own.into_iter().map(|(owner, (n, due))| {
            crate::home::Attention::task(
                NoticeKind::RiskReview,
                "/risks?mine=1",
                format!("Review {} you own", counted(n, "risk", "risks")),
            )
            .task_of(owner)
            .due(Some(due))
        });
        if !actor.access.can(Permission::RisksManage) {
            return Ok(own.collect());
        }
        let soon = today + chrono::Duration::days(ACCEPTANCE_NOTICE_DAYS);
        let due = app.store.risks_due(actor.practice_id(), today, soon).await?;
        // One notice per kind: the topic is the path, so the kinds are told apart by fragment.
        let items = [
            (
                NoticeKind::RiskReview,
                due.reviews_overdue,
                ("risk review", "risk reviews", "overdue"),
                "#overdue-reviews",
            ),
            (
                NoticeKind::RiskAction,
                due.actions_overdue,
                ("risk action", "risk actions", "overdue"),
                "#overdue-actions",
            ),
            (
                NoticeKind::RiskAcceptance,
                due.acceptances_ending,
                ("risk acceptance", "risk acceptances", "ending within 30 days"),
                "#acceptances-ending",
            ),
        ]
        .into_iter()
        .filter(|(_, n, _, _)| *n > 0)
        .map(|(kind, n, text, anchor)| {
            crate::home::Attention::problem(
                kind,
                format!("/risks{anchor}"),
                format!("{} {}", counted(n, text.0, text.1), text.2),
            )
        })
        .chain(own)
        .collect();
        Ok(items)
    })
}

use custodian_domain::validation::counted;
use custodian_domain::risks::{
    self, AcceptanceInput, Band, Matrix, ReviewInput, RiskInput,
};
use custodian_domain::notifications::NoticeKind;
use custodian_domain::{Invalid, Permission, PersonId};
use custodian_store::{Risk, RiskAcceptance, RiskFilter, RiskReview};

use crate::{Actor, App, AppError, parse_id};

/// How many of the practice's risks use a likelihood or impact beyond matrix `m` (they would
/// fall off its heat map): a practice cannot move to a smaller matrix until they are rescored.
pub async fn risks_off_matrix(
    app: &App,
    practice: custodian_domain::PracticeId,
    m: &Matrix,
) -> Result<usize, AppError> {
    let list = app
        .store
        .risks(
            practice,
            &RiskFilter {
                limit: 50_000,
                ..Default::default()
            },
        )
        .await?;
    Ok(list
        .iter()
        .filter(|r| {
            let f = &r.fields;
            [
                f.inherent_likelihood,
                f.inherent_impact,
                f.residual_likelihood,
                f.residual_impact,
                f.target_likelihood,
                f.target_impact,
            ]
            .iter()
            .any(|v| v.is_some_and(|v| v > m.size()))
        })
        .count())
}

/// Refuses a settings change to a matrix the practice's risks do not fit.
pub async fn check_matrix_change(
    app: &App,
    practice: custodian_domain::PracticeId,
    settings: &custodian_domain::settings::PracticeSettings,
) -> Result<(), AppError> {
    let m = risks::matrix(&settings.risk_matrix);
    let n = risks_off_matrix(app, practice, m).await?;
    if n > 0 {
        return Err(Invalid::one(
            "risk_matrix",
            format!(
                "{n} of the practice's risks use levels beyond the {} matrix and would fall off it: rescore them first",
                m.name
            ),
        )
        .into());
    }
    Ok(())
}

/// The practice's matrix and appetite.
pub async fn matrix_of(app: &App, actor: &Actor<'_>) -> Result<(&'static Matrix, Band), AppError> {
    let s = app.store.settings(actor.practice_id()).await?;
    Ok((risks::matrix(&s.risk_matrix), s.risk_appetite))
}

pub async fn load(app: &App, actor: &Actor<'_>, id: &str) -> Result<Risk, AppError> {
    app.require(actor, Permission::RisksView, "risk.view")
        .await?;
    app.store
        .risk(actor.practice_id(), parse_id(id)?)
        .await?
        .ok_or(AppError::NotFound)
}

/// A risk, read by someone who may see the register; the read is recorded.
pub async fn view(app: &App, actor: &Actor<'_>, id: &str) -> Result<Risk, AppError> {
    let found = load(app, actor, id).await?;
    app.record_read(actor.event("risk.view", "risk", Some(found.id.to_string())))
        .await?;
    Ok(found)
}

/// A risk opened for editing, by someone who may change it; the read is recorded.
pub async fn open_for_edit(app: &App, actor: &Actor<'_>, id: &str) -> Result<Risk, AppError> {
    let found = load(app, actor, id).await?;
    require_edit(app, actor, found.fields.owner_id, "risk.update").await?;
    app.record_read(actor.event("risk.view", "risk", Some(found.id.to_string())))
        .await?;
    Ok(found)
}

/// The one check for changing a risk: register managers, or the risk's own owner.
pub async fn require_edit(
    app: &App,
    actor: &Actor<'_>,
    owner: Option<PersonId>,
    action: &str,
) -> Result<(), AppError> {
    if risks::may_edit(actor.access, owner) {
        return Ok(());
    }
    app.require(actor, Permission::RisksManage, action).await
}

/// The owner a new risk gets when none is chosen: the IAO of its first asset, or whoever adds it.
pub async fn default_owner(
    app: &App,
    actor: &Actor<'_>,
    input: &RiskInput,
) -> Result<PersonId, AppError> {
    if let Some(first) = input.asset_ids.first()
        && let Some(a) = app.store.asset(actor.practice_id(), *first).await?
        && let Some(iao) = a.fields.iao_id
    {
        return Ok(iao);
    }
    Ok(actor.access.person)
}

pub async fn create_risk(
    app: &App,
    actor: &Actor<'_>,
    input: &RiskInput,
) -> Result<Risk, AppError> {
    let mut input = input.clone();
    if input.owner_id.is_none() {
        input.owner_id = Some(default_owner(app, actor, &input).await?);
    }
    require_edit(app, actor, input.owner_id, "risk.create").await?;
    let (m, _) = matrix_of(app, actor).await?;
    let valid = input.validate(m, app.today(), None)?;
    Ok(app
        .store
        .create_risk(actor.practice_id(), &valid, actor.meta)
        .await?)
}

pub async fn update_risk(
    app: &App,
    actor: &Actor<'_>,
    id: &str,
    input: &RiskInput,
) -> Result<Risk, AppError> {
    let old = load(app, actor, id).await?;
    require_edit(app, actor, old.fields.owner_id, "risk.update").await?;
    let mut input = input.clone();
    if input.owner_id.is_none() {
        input.owner_id = old.fields.owner_id;
    }
    if input.owner_id != old.fields.owner_id && !actor.access.can(Permission::RisksManage) {
        return Err(Invalid::one(
            "owner_id",
            "Only the data protection lead, practice manager or SIRO can give a risk to another owner",
        )
        .into());
    }
    let (m, _) = matrix_of(app, actor).await?;
    let valid = input.validate(m, app.today(), Some(old.fields.status()))?;
    Ok(app
        .store
        .update_risk(actor.practice_id(), old.id, &valid, actor.meta)
        .await?)
}

/// Who may use a risk's evidence (a register that keeps some later): those who read the
/// register read it; those who may edit the risk attach and remove files.
pub async fn evidence_use(
    app: &App,
    actor: &Actor<'_>,
    id: custodian_domain::RiskId,
    use_: custodian_domain::evidence::EvidenceUse,
) -> Result<(), AppError> {
    let risk = load(app, actor, &id.to_string()).await?;
    if use_ != custodian_domain::evidence::EvidenceUse::Read {
        require_edit(app, actor, risk.fields.owner_id, "risk.evidence").await?;
    }
    Ok(())
}

/// The risk register's rule for a risk's actions: those who read the register read them, those
/// who may edit the risk add and change them, and whoever an action is given to updates it.
/// Actions cannot be due before the risk was raised: that date.
pub async fn action_rule(
    app: &App,
    actor: &Actor<'_>,
    id: custodian_domain::RiskId,
    action: &str,
    use_: custodian_domain::actions::ActionUse,
) -> Result<(chrono::NaiveDate, &'static str), AppError> {
    let risk = load(app, actor, &id.to_string()).await?;
    if use_ == custodian_domain::actions::ActionUse::Change {
        require_edit(app, actor, risk.fields.owner_id, action).await?;
    }
    let raised =
        custodian_domain::identity::parse_date(&risk.fields.raised_on).unwrap_or(app.today());
    Ok((raised, "the risk was raised"))
}

pub async fn review(
    app: &App,
    actor: &Actor<'_>,
    id: &str,
    input: &ReviewInput,
) -> Result<RiskReview, AppError> {
    let risk = load(app, actor, id).await?;
    require_edit(app, actor, risk.fields.owner_id, "risk.review").await?;
    let (m, _) = matrix_of(app, actor).await?;
    let current = (
        risk.fields.residual_likelihood.unwrap_or(0),
        risk.fields.residual_impact.unwrap_or(0),
    );
    let valid = input.validate(
        m,
        current,
        risk.inherent_score as u8,
        risk.fields.review_interval_months.unwrap_or(3),
        app.today(),
    )?;
    Ok(app
        .store
        .review_risk(actor.practice_id(), risk.id, &valid, actor.meta)
        .await?)
}

pub async fn accept(
    app: &App,
    actor: &Actor<'_>,
    id: &str,
    input: &AcceptanceInput,
) -> Result<RiskAcceptance, AppError> {
    let risk = load(app, actor, id).await?;
    let is_siro = actor.access.can(Permission::RiskAcceptAboveAppetite);
    if !is_siro {
        app.require(actor, Permission::RisksManage, "risk.accept")
            .await?;
    }
    if risk.fields.status() == risks::RiskStatus::Closed {
        return Err(Invalid::one(
            "reason",
            "This risk is closed: reopen it before accepting it",
        )
        .into());
    }
    let (m, appetite) = matrix_of(app, actor).await?;
    let band = m.band(risk.residual_score as u8);
    let valid = input.validate(band, appetite, is_siro, app.today())?;
    Ok(app
        .store
        .accept_risk(actor.practice_id(), risk.id, &valid, band, actor.meta)
        .await?)
}
