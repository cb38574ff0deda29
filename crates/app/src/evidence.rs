//! Evidence files, for every register that keeps them: attach a file to a record, list a
//! record's files, download one (an audited read), remove one with a reason, and (the DPO) bring
//! a removed one back until the deployment's retention deletes it for good.
//!
//! Who may do what with a record's files is its register's rule ([`Holder`] names the record;
//! [`may`] asks its register), so a register that gains evidence adds one arm there.

/// Removed files deleted for good once their retention has passed.
pub const CAPABILITY: crate::Capability = crate::Capability {
    jobs: &[PURGE],
    attention: None,
};

use custodian_domain::validation::counted;
use custodian_domain::evidence::{self as rules, EvidenceUse as Use, Holder};
use custodian_domain::{EvidenceId, Invalid, Permission};
use custodian_store::{AuditMeta, EvidenceFile, NewEvidence};

use crate::{Actor, App, AppError, parse_id};

/// Whether the actor may `use_` the evidence of `holder`: its register's rule. A record the
/// actor may not read is not found.
async fn may(app: &App, actor: &Actor<'_>, holder: Holder, use_: Use) -> Result<(), AppError> {
    match holder {
        Holder::Incident(id) => crate::incidents::evidence_use(app, actor, id, use_).await,
        Holder::Risk(id) => crate::risks::evidence_use(app, actor, id, use_).await,
        Holder::PersonalDevice(id) => {
            crate::devices::personal::evidence_use(app, actor, id, use_).await
        }
    }
}

/// Keeps `bytes` as evidence for `holder`, named `filename`: within the deployment's size
/// limit, and only if its content is a kind Custodian keeps and agrees with its name.
pub async fn attach(
    app: &App,
    actor: &Actor<'_>,
    holder: Holder,
    filename: &str,
    bytes: &[u8],
) -> Result<EvidenceFile, AppError> {
    may(app, actor, holder, Use::Attach).await?;
    check_size(app, bytes.len())?;
    let name = rules::filename(filename)?;
    let kind = rules::kind_of(&name, bytes)?;
    let sha256 = rules::address(bytes);
    let file = NewEvidence {
        filename: &name,
        kind,
        sha256: &sha256,
        bytes,
    };
    Ok(app
        .store
        .attach_evidence(actor.practice_id(), holder, &file, app.clock.now(), actor.meta)
        .await?)
}

/// Refuses a file over the deployment's limit, naming the limit.
pub fn check_size(app: &App, size: usize) -> Result<(), AppError> {
    let max = app.evidence.max_file_bytes;
    if size > max {
        return Err(Invalid::one("file", too_big(max)).into());
    }
    Ok(())
}

/// The refusal of a file over `max` bytes.
pub fn too_big(max: usize) -> String {
    format!(
        "The file is larger than {} MB, the largest Custodian keeps. Send a smaller copy (a PDF rather than a scan, say)",
        max.div_ceil(1024 * 1024)
    )
}

/// The files of `holder` the actor may see: every file for those who may recover removed ones,
/// the files still kept for others.
pub async fn files_of(
    app: &App,
    actor: &Actor<'_>,
    holder: Holder,
) -> Result<Vec<EvidenceFile>, AppError> {
    may(app, actor, holder, Use::Read).await?;
    let all = app.store.evidence_for(actor.practice_id(), holder).await?;
    let recover = actor.access.can(Permission::EvidenceRecover);
    Ok(all
        .into_iter()
        .filter(|f| recover || f.removed_at.is_none())
        .collect())
}

/// One file the actor may read (a removed one only for those who may recover it).
async fn readable(app: &App, actor: &Actor<'_>, id: &str) -> Result<EvidenceFile, AppError> {
    let id: EvidenceId = parse_id(id)?;
    let file = app
        .store
        .evidence_file(actor.practice_id(), id)
        .await?
        .filter(|f| f.removed_at.is_none() || actor.access.can(Permission::EvidenceRecover))
        .ok_or(AppError::NotFound)?;
    may(app, actor, file.holder, Use::Read).await?;
    Ok(file)
}

/// The record a file belongs to, for those who may read it (to go back to it).
pub async fn holder_of(app: &App, actor: &Actor<'_>, id: &str) -> Result<Holder, AppError> {
    Ok(readable(app, actor, id).await?.holder)
}

/// A file's description, for those who may read its record; the read is recorded.
pub async fn file(app: &App, actor: &Actor<'_>, id: &str) -> Result<EvidenceFile, AppError> {
    let file = readable(app, actor, id).await?;
    app.record_read(actor.event("evidence.view", "evidence", Some(file.id.to_string())))
        .await?;
    Ok(file)
}

/// The files of `holder` as a list of their own (the API); the read is recorded. (A record's
/// page shows them with the record, whose read is recorded.)
pub async fn list(
    app: &App,
    actor: &Actor<'_>,
    holder: Holder,
) -> Result<Vec<EvidenceFile>, AppError> {
    let files = files_of(app, actor, holder).await?;
    app.record_read(
        actor
            .event("evidence.list", holder.register(), Some(holder.id().to_string()))
            .details(serde_json::json!({ "count": files.len() })),
    )
    .await?;
    Ok(files)
}

/// A file's bytes on their way out: read by one statement, part by part, a few parts ahead of
/// the sending, so the reading and the sending overlap.
pub struct Download {
    pub file: EvidenceFile,
    first: Option<Vec<u8>>,
    rest: tokio::sync::mpsc::Receiver<custodian_store::Result<Vec<u8>>>,
}

/// How many parts are read ahead of the sending (each `rules::PART_BYTES`): what a download
/// holds in memory at most besides the part being sent.
const READ_AHEAD: usize = 4;

impl Download {
    /// The next part, in order; none once the last has been given.
    pub async fn next(&mut self) -> Option<Result<Vec<u8>, AppError>> {
        match self.first.take() {
            Some(first) => Some(Ok(first)),
            None => self.rest.recv().await.map(|r| r.map_err(AppError::from)),
        }
    }

}

/// A file and its bytes, for those who may read its record. Every download is a recorded read:
/// the reading starts while the read is recorded, and nothing goes out before it is recorded
/// and the first part is in hand; the later parts follow as they are read.
pub async fn download(app: &App, actor: &Actor<'_>, id: &str) -> Result<Download, AppError> {
    let file = readable(app, actor, id).await?;
    let (tx, mut rest) = tokio::sync::mpsc::channel(READ_AHEAD);
    let (store, practice, evidence) = (app.store.clone(), actor.practice_id(), file.id);
    tokio::spawn(async move {
        if let Err(e) = store.send_evidence(practice, evidence, &tx).await {
            let _ = tx.send(Err(e)).await;
        }
    });
    app.record_read(
        actor
            .event("evidence.download", "evidence", Some(file.id.to_string()))
            .details(serde_json::json!({
                "holder": file.holder.register(),
                "holder_id": file.holder.id().to_string(),
                "sha256": file.sha256,
            })),
    )
    .await?;
    let first = rest.recv().await.ok_or(AppError::NotFound)??;
    Ok(Download {
        file,
        first: Some(first),
        rest,
    })
}

/// Removes a file from its record, saying why; it stays recoverable until the retention passes.
pub async fn remove(
    app: &App,
    actor: &Actor<'_>,
    id: &str,
    reason: &str,
) -> Result<EvidenceFile, AppError> {
    let file = readable(app, actor, id).await?;
    may(app, actor, file.holder, Use::Remove).await?;
    let reason = rules::removal_reason(reason)?;
    Ok(app
        .store
        .remove_evidence(actor.practice_id(), file.id, &reason, app.clock.now(), actor.meta)
        .await?)
}

/// Brings a removed file back (the DPO).
pub async fn restore(app: &App, actor: &Actor<'_>, id: &str) -> Result<EvidenceFile, AppError> {
    app.require(actor, Permission::EvidenceRecover, "evidence.restore")
        .await?;
    let file = readable(app, actor, id).await?;
    Ok(app
        .store
        .restore_evidence(actor.practice_id(), file.id, actor.meta)
        .await?)
}

/// Deletes for good the files removed longer ago than the retention allows.
pub async fn purge_removed(app: &App) -> Result<u64, AppError> {
    let days = i64::from(app.evidence.removed_kept_days);
    let before = app.clock.now() - chrono::Duration::days(days);
    Ok(app
        .store
        .purge_removed_evidence(before, &AuditMeta::system("scheduler"))
        .await?)
}

/// The scheduler's job: removed files past their retention deleted for good.
pub const PURGE: crate::scheduler::Job = crate::scheduler::Job {
    name: "evidence retention",
    cadence: crate::scheduler::Cadence::LongCycle,
    run: |app| {
        Box::pin(async move {
            let n = purge_removed(app).await?;
            Ok((n > 0).then(|| format!("{} deleted for good", counted(n, "removed evidence file", "removed evidence files"))))
        })
    },
};
