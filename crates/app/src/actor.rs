//! Who is acting, and the one permission check.
//!
//! A person acts in a practice as an [`Actor`]: from a signed-in request, an API token or the
//! CLI. Every use case asks [`App::require`] before it does anything; a refusal is recorded in
//! the audit trail, so refused attempts are evidence too.

use custodian_domain::{
    Access, Permission, PersonId, Practice, PracticeId, PracticeMember, PracticeRole,
};
use custodian_store::{AuditEvent, AuditMeta, Outcome};

use crate::{App, AppError};

/// Someone acting in a practice: what they may do there, and who they are for the audit trail.
#[derive(Clone, Copy)]
pub struct Actor<'a> {
    pub practice: &'a Practice,
    /// Their roles in the practice (finer rules, such as an asset's own IAO, look at them).
    pub roles: &'a [PracticeRole],
    pub access: &'a Access,
    pub meta: &'a AuditMeta,
}

impl Actor<'_> {
    pub fn practice_id(&self) -> PracticeId {
        self.practice.id
    }

    /// An audit event in this practice, by this actor.
    pub fn event(&self, action: &str, object_type: &str, object_id: Option<String>) -> AuditEvent {
        self.meta
            .event(Some(self.practice.id), action, object_type, object_id)
    }
}

impl App {
    /// The one permission check in a practice. A refusal is recorded as `action`, denied.
    pub async fn require(
        &self,
        actor: &Actor<'_>,
        permission: Permission,
        action: &str,
    ) -> Result<(), AppError> {
        self.require_access(
            actor.access,
            actor.meta,
            Some(actor.practice.id),
            permission,
            action,
        )
        .await
    }

    /// The same check for work about every practice (the provider's views), or any scope:
    /// `access` is what the person may do there.
    pub async fn require_access(
        &self,
        access: &Access,
        meta: &AuditMeta,
        practice: Option<PracticeId>,
        permission: Permission,
        action: &str,
    ) -> Result<(), AppError> {
        if access.can(permission) {
            return Ok(());
        }
        let event = meta
            .event(
                practice,
                action,
                "permission",
                Some(permission.as_str().to_string()),
            )
            .outcome(Outcome::Denied);
        self.store.append_event(&event).await?;
        Err(AppError::Forbidden)
    }

    /// The current member of the actor's practice that an action is about, if the actor may act
    /// on them ([`custodian_domain::may_act_on`]: never someone whose reach is beyond theirs). Not a
    /// member here: not found; beyond their reach: refused, and the refusal recorded as `action`.
    pub async fn target_of(
        &self,
        actor: &Actor<'_>,
        person: PersonId,
        action: &str,
    ) -> Result<PracticeMember, AppError> {
        let member = self
            .store
            .member(actor.practice.id, person)
            .await?
            .filter(|m| m.left_at.is_none())
            .ok_or(AppError::NotFound)?;
        if custodian_domain::may_act_on(actor.access, &member.roles, &member.person.provider_roles)
        {
            return Ok(member);
        }
        Err(self
            .refuse(actor, action, "person", Some(person.to_string()))
            .await)
    }

    /// Records a refusal of `action` on the object named, and answers it as forbidden.
    pub async fn refuse(
        &self,
        actor: &Actor<'_>,
        action: &str,
        object_type: &str,
        object_id: Option<String>,
    ) -> AppError {
        let event = actor
            .event(action, object_type, object_id)
            .outcome(Outcome::Denied);
        match self.store.append_event(&event).await {
            Ok(_) => AppError::Forbidden,
            Err(e) => e.into(),
        }
    }

    /// Records a read of confidential data; returns once the event is durable, so nothing is
    /// shown that the trail does not hold.
    pub async fn record_read(&self, event: AuditEvent) -> Result<(), AppError> {
        if self.audit_reads {
            self.store.append_event(&event).await?;
        }
        Ok(())
    }
}
