//! Actions' storage, for every register: an action with an owner and a due date belongs to a
//! record (a risk's treatment plan, an incident's follow-up), named by its [`Holder`].

mod records;
pub use records::*;

use async_trait::async_trait;
use custodian_domain::actions::ValidAction;
use custodian_domain::holder::Holder;
use custodian_domain::{ActionId, PracticeId};

use crate::{AuditMeta, Result};

#[async_trait]
pub trait ActionStore: Send + Sync {
    /// Adds an action to `holder` (which must be the practice's; its owner on its staff), with
    /// its event (`<register>_action.create`, on the record).
    async fn add_action(
        &self,
        practice: PracticeId,
        holder: Holder,
        action: &ValidAction,
        by: &AuditMeta,
    ) -> Result<Action>;
    /// Changes an action, with its event (`<register>_action.update`, what changed).
    async fn update_action(
        &self,
        practice: PracticeId,
        id: ActionId,
        action: &ValidAction,
        by: &AuditMeta,
    ) -> Result<Action>;
    async fn action(&self, practice: PracticeId, id: ActionId) -> Result<Option<Action>>;
    /// The practice's actions as `of` narrows them, by due date.
    async fn actions(&self, practice: PracticeId, of: ActionsOf) -> Result<Vec<Action>>;
}
