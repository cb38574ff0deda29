//! The evidence panel a record's page shows (its files, the upload form, removal, the DPO's
//! restore): built here for every register whose records keep evidence, which include
//! `evidence/panel.html` with an [`EvidencePanel`] named `evidence`. The routes it posts to are
//! the evidence capability's (`crate::evidence`).

use custodian_app::evidence as uc;
use custodian_domain::Permission;
use custodian_domain::evidence::Holder;

use crate::kit::session::PracticeScope;
use crate::{AppState, HttpError};

/// A file as a record's page lists it.
pub struct FileRow {
    pub id: String,
    pub name: String,
    pub kind: &'static str,
    pub size: String,
    pub added: String,
    /// Who removed it, when and why, if it was.
    pub removed: Option<String>,
    pub download: String,
    pub restore: String,
}

/// The evidence panel on a record's page (`evidence/panel.html`).
pub struct EvidencePanel {
    pub files: Vec<FileRow>,
    /// Where the upload form posts.
    pub upload: String,
    pub removals: String,
    pub can_remove: bool,
    pub can_restore: bool,
    pub max_megabytes: usize,
}

impl EvidencePanel {
    /// Whether any file is still kept (one can be removed).
    pub fn kept(&self) -> Vec<&FileRow> {
        self.files.iter().filter(|f| f.removed.is_none()).collect()
    }
}

/// A size as people read it.
fn size(bytes: i64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} bytes"),
        b if b < 1024 * 1024 => format!("{:.0} KB", b as f64 / 1024.0),
        b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
    }
}

/// The panel for `holder`'s page; `can_remove` is the holder's own rule for its handlers.
pub async fn panel(
    state: &AppState,
    scope: &PracticeScope,
    holder: Holder,
    can_remove: bool,
) -> Result<EvidencePanel, HttpError> {
    let files = uc::files_of(state, &scope.actor(), holder).await?;
    let show = custodian_domain::time::show_datetime;
    Ok(EvidencePanel {
        files: files
            .into_iter()
            .map(|f| FileRow {
                download: scope.path(&format!("/evidence/{}/download", f.id)),
                restore: scope.path(&format!("/evidence/{}/restore", f.id)),
                id: f.id.to_string(),
                kind: f.kind.label(),
                size: size(f.size),
                added: format!("{} by {}", show(f.added_at), f.added_by_name),
                removed: f.removed_at.map(|at| {
                    format!(
                        "Removed {} by {}: {}",
                        show(at),
                        f.removed_by_name.clone().unwrap_or_default(),
                        f.removed_reason.clone().unwrap_or_default()
                    )
                }),
                name: f.filename,
            })
            .collect(),
        upload: scope.path(&format!("{}/evidence", holder.path())),
        removals: scope.path("/evidence-removals"),
        can_remove,
        can_restore: scope.access.can(Permission::EvidenceRecover),
        max_megabytes: state.evidence.max_file_bytes.div_ceil(1024 * 1024),
    })
}
