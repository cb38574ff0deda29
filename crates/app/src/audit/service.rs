//! The audit log service: turns stored events into Merkle leaves (integration), signs
//! checkpoints, serves proofs, builds exports, and verifies the whole log from the store.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use custodian_audit::merkle::BLOCK;
use custodian_audit::{
    Blocks, CheckpointSigner, Export, ExportedEvent, Frontier, Hash, LogTree, PublicKey, Record,
    Subtree, Tree,
};
use custodian_domain::PracticeId;
use custodian_store::{SharedStore, StoreError, StoredCheckpoint, StoredEvent};
use tokio::sync::Mutex;

use crate::AppError;

/// How far back integration looks for events committed late (a transaction that inserted its
/// event before others but committed after them). PostgreSQL hands out sequence numbers before
/// commit, so this can happen there; SQLite has one writer at a time, so its events commit in
/// sequence order and integration need not look back.
fn late_commit_window(backend: custodian_store::Backend) -> i64 {
    match backend {
        custodian_store::Backend::Postgres => 10_000,
        custodian_store::Backend::Sqlite => 0,
    }
}

pub struct AuditService {
    pub origin: String,
    signer: CheckpointSigner,
    /// The log's tree for checkpoints and proofs: a hash per block of 256 leaves in memory,
    /// the blocks a proof needs read back from the store (see [`LogTree`]).
    tree: Mutex<LogTree>,
    floor: AtomicI64,
}

/// The stored leaf hashes in `[from, to)`, as hashes.
async fn leaf_hashes(store: &SharedStore, from: i64, to: i64) -> Result<Vec<Hash>, StoreError> {
    store
        .leaf_hashes(from, to)
        .await?
        .iter()
        .map(|h| {
            custodian_store::stored_hash(h)
                .ok_or_else(|| StoreError::Corrupt(format!("leaf hash {h}")))
        })
        .collect()
}

/// The record (canonical form) of a stored event.
pub fn record_of(e: &StoredEvent) -> Record {
    custodian_store::audit_record(e.id, e.occurred_at, &e.event, &e.details_text)
}

/// An event with its proof of inclusion in a signed checkpoint.
pub struct ProvenEvent {
    pub event: StoredEvent,
    pub record: Record,
    pub leaf_index: i64,
    pub tree_size: i64,
    pub proof: Vec<String>,
    pub checkpoint: String,
}

impl AuditService {
    pub fn new(origin: &str, seed: [u8; 32]) -> Self {
        AuditService {
            origin: origin.to_string(),
            signer: CheckpointSigner::from_seed(origin, seed),
            tree: Mutex::new(LogTree::new()),
            floor: AtomicI64::new(0),
        }
    }

    /// The note verifier key auditors use.
    pub fn public_key(&self) -> String {
        self.signer.public_key()
    }

    /// Brings the in-memory tree up to the stored log (another server may have added leaves).
    async fn refresh(&self, store: &SharedStore, tree: &mut LogTree) -> Result<(), StoreError> {
        let have = tree.size() as i64;
        for h in leaf_hashes(store, have, i64::MAX).await? {
            tree.push(h);
        }
        Ok(())
    }

    /// `ask` of the tree, with the complete blocks it names read from the store into `loaded`
    /// (kept by the caller across several questions, as an export asks one per event).
    async fn with_blocks<T>(
        store: &SharedStore,
        tree: &LogTree,
        loaded: &mut Blocks,
        ask: impl Fn(&LogTree, &Blocks) -> Result<Option<T>, Vec<u64>>,
    ) -> Result<Option<T>, StoreError> {
        // A question names every block it needs at once, so one reading is enough.
        if let Err(missing) = ask(tree, loaded) {
            for b in missing {
                let (from, to) = ((b * BLOCK) as i64, ((b + 1) * BLOCK) as i64);
                let hashes = leaf_hashes(store, from, to).await?;
                if hashes.len() as u64 != BLOCK {
                    return Err(StoreError::Corrupt(format!(
                        "the log's leaves {from}..{to} are {} hashes, not {BLOCK}",
                        hashes.len()
                    )));
                }
                loaded.insert(b, Tree::from_leaves(hashes));
            }
        }
        ask(tree, loaded).map_err(|missing| {
            StoreError::Corrupt(format!("the log's blocks {missing:?} could not be read"))
        })
    }

    /// Adds every committed event not yet in the log as a leaf. Returns the log's size.
    pub async fn integrate(&self, store: &SharedStore) -> Result<u64, StoreError> {
        let mut tree = self.tree.lock().await;
        self.refresh(store, &mut tree).await?;
        // Each call looks back once (for late commits) from where the last one ended, then walks
        // the sequence numbers up to the last one given, 5,000 at a time.
        let mut floor = self.floor.load(Ordering::Relaxed);
        let last = store.last_event_seq().await?;
        loop {
            if floor >= last {
                self.floor.store(
                    (last - late_commit_window(store.backend())).max(0),
                    Ordering::Relaxed,
                );
                return Ok(tree.size());
            }
            let up_to = (floor + 5_000).min(last);
            let batch = store.unintegrated_leaves(floor, up_to).await?;
            if batch.is_empty() {
                floor = up_to;
                continue;
            }
            let mut leaves = Vec::with_capacity(batch.len());
            let mut hashes = Vec::with_capacity(batch.len());
            for (seq, stored) in &batch {
                // The hash computed when the event was appended; for an event from before
                // hashes were stored, computed now from the event.
                let h = match stored.as_deref().and_then(custodian_store::stored_hash) {
                    Some(h) => h,
                    None => {
                        let e = store.event(*seq).await?.ok_or_else(|| {
                            StoreError::Corrupt(format!(
                                "event #{seq} vanished before it was logged"
                            ))
                        })?;
                        record_of(&e)
                            .leaf_hash()
                            .map_err(|err| StoreError::Corrupt(err.to_string()))?
                    }
                };
                leaves.push((*seq, hex::encode(h)));
                hashes.push(h);
            }
            match store.append_leaves(tree.size() as i64, &leaves).await {
                Ok(()) => {
                    for h in hashes {
                        tree.push(h);
                    }
                    floor = up_to;
                }
                // Another server integrated first: catch up and look again.
                Err(StoreError::Conflict { .. }) => self.refresh(store, &mut tree).await?,
                Err(e) => return Err(e),
            }
        }
    }

    /// Retention: removes the events that occurred before `before`, as a prefix of the log.
    /// Everything is signed into a checkpoint first, so each removed event stays covered by a
    /// signed root; the leaves and their hashes stay, and the prune is itself an event, signed
    /// into the next checkpoint. Returns how many events were removed (0 when none were due).
    pub async fn prune(
        &self,
        store: &SharedStore,
        before: chrono::DateTime<chrono::Utc>,
    ) -> Result<u64, StoreError> {
        let Some(signed) = self.checkpoint(store).await? else {
            return Ok(0);
        };
        let first_kept = store
            .first_leaf_since(before)
            .await?
            .unwrap_or(signed.tree_size)
            .min(signed.tree_size);
        let through = first_kept - 1;
        let done = furthest_prune(&store.prunes().await?).map_or(-1, |(_, through)| through);
        if through <= done {
            return Ok(0);
        }
        let event = custodian_store::AuditMeta::system("scheduler")
            .event(None, "audit.prune", "audit", None)
            .details(serde_json::json!({
                "through_leaf": through,
                "occurred_before": before.to_rfc3339(),
            }));
        let removed = store.prune_events(through, &event).await?;
        self.checkpoint(store).await?;
        Ok(removed)
    }

    /// Integrates, then signs a checkpoint if the log has grown since the last one.
    pub async fn checkpoint(
        &self,
        store: &SharedStore,
    ) -> Result<Option<StoredCheckpoint>, StoreError> {
        let size = self.integrate(store).await?;
        let latest = store.latest_checkpoint().await?;
        if latest.as_ref().is_some_and(|c| c.tree_size as u64 >= size) {
            return Ok(latest);
        }
        let tree = self.tree.lock().await;
        let root = Self::with_blocks(store, &tree, &mut Blocks::new(), |t, b| t.root(size, b))
            .await?
            .expect("size is the tree's");
        drop(tree);
        let note = self.signer.sign(&self.origin, size, &root);
        store
            .add_checkpoint(size as i64, &hex::encode(root), &note)
            .await?;
        store.latest_checkpoint().await
    }

    /// An event with its inclusion proof against the checkpoint of `tree_size` (default: the
    /// latest, made now if needed).
    pub async fn prove(
        &self,
        store: &SharedStore,
        seq: i64,
        tree_size: Option<i64>,
    ) -> Result<ProvenEvent, AppError> {
        let event = store.event(seq).await?.ok_or(AppError::NotFound)?;
        let mut leaf_index = store.leaf_of_event(seq).await?;
        if leaf_index.is_none() {
            self.checkpoint(store).await?;
            leaf_index = store.leaf_of_event(seq).await?;
        }
        let leaf_index = leaf_index.ok_or(AppError::NotFound)?;
        let checkpoints = store.checkpoints().await?;
        let cp = match tree_size {
            Some(size) => checkpoints.iter().find(|c| c.tree_size == size).cloned().ok_or_else(|| {
                AppError::Conflict {
                    field: "tree_size".into(),
                    message: format!("There is no checkpoint of size {size}. Ask for the latest, or one of the sizes listed by the checkpoints endpoint."),
                }
            })?,
            None => match checkpoints.last().filter(|c| c.tree_size > leaf_index) {
                Some(c) => c.clone(),
                None => self.checkpoint(store).await?.ok_or(AppError::NotFound)?,
            },
        };
        if leaf_index >= cp.tree_size {
            return Err(AppError::Conflict {
                field: "tree_size".into(),
                message: format!(
                    "Event {seq} is leaf {leaf_index}, which came after the checkpoint of size {}: ask for a later checkpoint",
                    cp.tree_size
                ),
            });
        }
        let mut tree = self.tree.lock().await;
        self.refresh(store, &mut tree).await?;
        let (index, size) = (leaf_index as u64, cp.tree_size as u64);
        let proof = Self::with_blocks(store, &tree, &mut Blocks::new(), |t, b| {
            t.inclusion_proof(index, size, b)
        })
        .await?
        .ok_or(AppError::NotFound)?;
        Ok(ProvenEvent {
            record: record_of(&event),
            event,
            leaf_index,
            tree_size: cp.tree_size,
            proof: proof.iter().map(hex::encode).collect(),
            checkpoint: cp.note,
        })
    }

    /// The consistency proof between two checkpointed sizes.
    pub async fn consistency(
        &self,
        store: &SharedStore,
        old: i64,
        new: i64,
    ) -> Result<Vec<String>, AppError> {
        if old < 0 || new < 0 {
            return Err(custodian_domain::Invalid::one("from", "Sizes cannot be negative").into());
        }
        if old > new {
            return Err(custodian_domain::Invalid::one(
                "from",
                format!("The first size ({old}) is larger than the second ({new})"),
            )
            .into());
        }
        let mut tree = self.tree.lock().await;
        self.refresh(store, &mut tree).await?;
        if new as u64 > tree.size() {
            // The log is not that long (yet): a conflict with its state, not a malformed request.
            return Err(AppError::Conflict {
                field: "to".into(),
                message: format!("The log has only {} entries", tree.size()),
            });
        }
        let (old, new) = (old as u64, new as u64);
        Ok(Self::with_blocks(store, &tree, &mut Blocks::new(), |t, b| {
            t.consistency_proof(old, new, b)
        })
        .await?
        .unwrap_or_default()
        .iter()
        .map(hex::encode)
        .collect())
    }

    /// An export of one practice's events in a period, each with its proof against the latest
    /// checkpoint (signed now, so it covers every event exported).
    pub async fn export(
        &self,
        store: &SharedStore,
        practice: PracticeId,
        from: chrono::DateTime<chrono::Utc>,
        to: chrono::DateTime<chrono::Utc>,
    ) -> Result<Export, AppError> {
        let cp = self.checkpoint(store).await?.ok_or(AppError::NotFound)?;
        // The practice's events, and its staff's own events of no practice (sign-ins, password
        // and MFA changes), as on its audit page.
        let staff: Vec<custodian_domain::PersonId> = store
            .access_overview(practice)
            .await?
            .into_iter()
            .map(|o| o.person_id)
            .collect();
        let events = store.practice_log(practice, from, to, &staff).await?;
        let mut tree = self.tree.lock().await;
        self.refresh(store, &mut tree).await?;
        let (mut out, mut loaded, size) = (Vec::new(), Blocks::new(), cp.tree_size as u64);
        for (leaf, e) in events.into_iter().filter(|(l, _)| *l < cp.tree_size) {
            let index = leaf as u64;
            let proof = Self::with_blocks(store, &tree, &mut loaded, |t, b| {
                t.inclusion_proof(index, size, b)
            })
            .await?
            .ok_or(AppError::NotFound)?;
            out.push(ExportedEvent {
                leaf_index: leaf as u64,
                record: record_of(&e),
                proof: proof.iter().map(hex::encode).collect(),
            });
        }
        Ok(Export {
            format: custodian_audit::export::EXPORT_FORMAT.into(),
            practice_id: practice.to_string(),
            from: from.to_rfc3339(),
            to: to.to_rfc3339(),
            checkpoint: cp.note,
            count: out.len(),
            events: out,
        })
    }
}

/// The recorded prune that reaches furthest: its own leaf and the last leaf it removed events
/// through (the earliest such prune, if several reach as far). A prune can only name leaves
/// before its own.
pub fn furthest_prune(prunes: &[(i64, StoredEvent)]) -> Option<(i64, i64)> {
    prunes
        .iter()
        .filter_map(|(leaf, e)| {
            let through = e.event.details.get("through_leaf")?.as_i64()?;
            (through < *leaf).then_some((*leaf, through))
        })
        .min_by_key(|(leaf, through)| (std::cmp::Reverse(*through), *leaf))
}

/// The outcome of verifying the whole log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    pub ok: bool,
    pub leaves: u64,
    /// Leaves whose events were removed by a recorded prune (retention); their hashes count.
    pub pruned: u64,
    pub checkpoints: usize,
    /// The first problem found, naming the sequence number where one is known.
    pub problem: Option<String>,
}

impl VerifyReport {
    pub fn summary(&self) -> String {
        let (events, checkpoints) = (
            counted(self.leaves, "event", "events"),
            counted(
                self.checkpoints as u64,
                "signed checkpoint",
                "signed checkpoints",
            ),
        );
        match &self.problem {
            None if self.pruned > 0 => format!(
                "audit log intact: {events} ({} removed under the retention setting, their hashes kept), {checkpoints} verified",
                self.pruned
            ),
            None => format!("audit log intact: {events}, {checkpoints} verified"),
            Some(p) => format!("audit log FAILED verification: {p}"),
        }
    }
}

/// "1 event", "2 events".
fn counted(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A leaf as verification checks it: its place, the hash the log recorded for it, and its
/// event's record hashed afresh (`Ok(None)`: the event row is gone; `Err`: what is wrong with
/// the row).
struct CheckedLeaf {
    leaf_index: i64,
    event_seq: i64,
    stored: Option<Hash>,
    event: Result<Option<Hash>, String>,
}

/// Pages of the log being hashed at once during verification.
const PAGES_HASHING: usize = 3;

/// Leaves hashed apart from the log's tree: each as checked, and the subtree over their hashes
/// (added whole where it is aligned), or the hashes when their number is not a power of two.
struct HashedLeaves {
    leaves: Vec<CheckedLeaf>,
    subtree: Result<Subtree, Vec<Hash>>,
}

fn hash_records(page: custodian_store::LogPage) -> HashedLeaves {
    let leaves: Vec<CheckedLeaf> = page
        .leaves
        .iter()
        .map(|l| CheckedLeaf {
            leaf_index: l.leaf_index,
            event_seq: l.event_seq,
            stored: l.leaf_hash,
            event: match page.record(l) {
                None => Ok(None),
                Some(Ok(bytes)) => Ok(Some(custodian_audit::merkle::leaf_hash(bytes))),
                Some(Err(what)) => Err(what.to_string()),
            },
        })
        .collect();
    // The hash each leaf stands for in the tree: the one recorded for it (a leaf whose event
    // does not match it fails its check before the tree is used).
    let hashes = leaves
        .iter()
        .map(|l| l.stored.unwrap_or_default())
        .collect();
    HashedLeaves {
        leaves,
        subtree: Subtree::new(hashes),
    }
}

/// Recomputes every leaf from the stored events and the whole tree, checks every checkpoint's
/// signature and root, and that each checkpoint is consistent with the next.
///
/// The log is read in pages, each in a snapshot of its own, so retention that removes events
/// while this runs (another server's, or a server's while the CLI verifies) could make events
/// look deleted that the prunes read at the start do not name: a run that fails while the
/// recorded prunes changed under it is run again (twice at most).
pub async fn verify_log(store: &SharedStore, public_key: &str) -> Result<VerifyReport, AppError> {
    let key = PublicKey::parse(public_key).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let mut runs = 0;
    loop {
        let prune = furthest_prune(&store.prunes().await?);
        let report = verify_with(store, &key, prune).await?;
        runs += 1;
        if report.ok || runs == 3 || furthest_prune(&store.prunes().await?) == prune {
            return Ok(report);
        }
    }
}

/// [`verify_log`] with the furthest recorded prune as read at the start.
async fn verify_with(
    store: &SharedStore,
    key: &PublicKey,
    prune: Option<(i64, i64)>,
) -> Result<VerifyReport, AppError> {
    // The checkpoints first: every one of them is within the log as read below. The tree is
    // kept as its frontier, with its root taken at each checkpoint's size as the leaves pass:
    // memory for the log's logarithm, not for every hash in it.
    let checkpoints = store.checkpoints().await?;
    let sizes: std::collections::BTreeSet<u64> = checkpoints
        .iter()
        .filter_map(|c| u64::try_from(c.tree_size).ok())
        .collect();
    let mut roots = std::collections::HashMap::new();
    let mut tree = Frontier::new();
    if sizes.contains(&0) {
        roots.insert(0, tree.root());
    }
    let fail = |leaves: u64, cps: usize, p: String| VerifyReport {
        ok: false,
        leaves,
        pruned: 0,
        checkpoints: cps,
        problem: Some(p),
    };
    // Events removed under the retention setting: the recorded prunes name the leaves (the
    // prune events are leaves too, checked below like any other).
    let pruned_through = prune.map_or(-1, |(_, through)| through);
    let mut pruned = 0u64;
    // Pages of leaves with their events' records, read beside this loop; each page is hashed
    // (its leaves and its subtree) on a blocking thread while the next pages are read and
    // hashed, so reading and hashing use the whole machine. The checks and the tree's top run
    // here, page by page in order.
    let mut pages = store.log_leaves(0);
    let mut hashing = std::collections::VecDeque::new();
    loop {
        match pages.recv().await {
            Some(page) => {
                let page = page?;
                hashing.push_back(tokio::task::spawn_blocking(move || hash_records(page)));
                if hashing.len() < PAGES_HASHING {
                    continue;
                }
            }
            None if hashing.is_empty() => break,
            None => {}
        }
        let Some(next) = hashing.pop_front() else {
            break;
        };
        let page = next
            .await
            .map_err(|e| AppError::Internal(format!("hashing the audit log: {e}")))?;
        for (i, leaf) in page.leaves.iter().enumerate() {
            let at = tree.size() + i as u64;
            match check_leaf(leaf, at, pruned_through) {
                Ok(true) => pruned += 1,
                Ok(false) => {}
                Err(problem) => return Ok(fail(at, 0, problem)),
            }
        }
        // Every leaf checked: its hash is the one recorded. The page joins the tree whole
        // (by its subtree's blocks) where it can, taking the roots of the checkpoints inside it.
        add_page(&mut tree, &mut roots, &sizes, page.subtree);
    }
    let previous = match check_checkpoints(key, &checkpoints, &roots, tree.size()) {
        Ok(last) => last,
        Err((i, problem)) => return Ok(fail(tree.size(), i, problem)),
    };
    // A prune counts only once a signed checkpoint covers its event: otherwise anyone able to
    // write to the database could delete events and add a "prune" to excuse it.
    if pruned > 0 {
        let signed = previous.map(|(s, _)| s as i64).unwrap_or(0);
        if prune.is_none_or(|(leaf, _)| leaf >= signed) {
            return Ok(fail(
                tree.size(),
                checkpoints.len(),
                format!(
                    "events at leaves 0..{pruned_through} were removed by a prune that no signed checkpoint covers"
                ),
            ));
        }
    }
    Ok(VerifyReport {
        ok: true,
        leaves: tree.size(),
        pruned,
        checkpoints: checkpoints.len(),
        problem: None,
    })
}

/// Checks one leaf against its event: its place, its recorded hash, and the event's record
/// hashed again. `Ok(true)` for an event removed under retention (by a recorded prune), the
/// problem in words otherwise.
fn check_leaf(leaf: &CheckedLeaf, at: u64, pruned_through: i64) -> Result<bool, String> {
    if leaf.leaf_index != at as i64 {
        return Err(format!(
            "leaf {at} is missing: the log jumps to leaf {}",
            leaf.leaf_index
        ));
    }
    let Some(stored) = leaf.stored else {
        return Err(format!(
            "leaf {} (event #{}) has an unreadable hash",
            leaf.leaf_index, leaf.event_seq
        ));
    };
    match &leaf.event {
        Ok(Some(recomputed)) if *recomputed == stored => Ok(false),
        Ok(Some(_)) => Err(format!(
            "event #{} (leaf {}) was changed: its contents no longer match the hash recorded when it was logged",
            leaf.event_seq, leaf.leaf_index
        )),
        Ok(None) if leaf.leaf_index <= pruned_through => Ok(true),
        Ok(None) => Err(format!(
            "event #{} (leaf {}) has been deleted",
            leaf.event_seq, leaf.leaf_index
        )),
        Err(what) => Err(format!(
            "event #{} (leaf {}) was changed: {what}",
            leaf.event_seq, leaf.leaf_index
        )),
    }
}

/// A checked page joins the tree whole (by its subtree's blocks) where it can, taking the
/// roots of the checkpoints inside it.
fn add_page(
    tree: &mut Frontier,
    roots: &mut std::collections::HashMap<u64, Hash>,
    sizes: &std::collections::BTreeSet<u64>,
    subtree: Result<Subtree, Vec<Hash>>,
) {
    let start = tree.size();
    let hashes = match subtree {
        Ok(sub) if start.is_multiple_of(sub.size()) => {
            for &size in sizes.range(start + 1..=start + sub.size()) {
                let mut at = tree.clone();
                at.push_prefix(&sub, size - start);
                roots.insert(size, at.root());
            }
            tree.push_prefix(&sub, sub.size());
            Vec::new()
        }
        Ok(sub) => sub.into_leaves(),
        Err(hashes) => hashes,
    };
    for h in hashes {
        tree.push(h);
        if sizes.contains(&tree.size()) {
            roots.insert(tree.size(), tree.root());
        }
    }
}

/// Checks every signed checkpoint against the roots taken as the leaves passed: its signature,
/// its size, its root. Returns the last one's (size, root), or the index of the first that
/// fails and why.
fn check_checkpoints(
    key: &PublicKey,
    checkpoints: &[StoredCheckpoint],
    roots: &std::collections::HashMap<u64, Hash>,
    log_size: u64,
) -> Result<Option<(u64, Hash)>, (usize, String)> {
    let mut previous: Option<(u64, Hash)> = None;
    for (i, c) in checkpoints.iter().enumerate() {
        let cp = match key.verify(&c.note) {
            Ok(cp) => cp,
            Err(e) => {
                return Err((i, format!("the checkpoint of size {}: {e}", c.tree_size)));
            }
        };
        if cp.size as i64 != c.tree_size {
            return Err((
                i,
                format!(
                    "the checkpoint stored as size {} is signed for size {}",
                    c.tree_size, cp.size
                ),
            ));
        }
        let Some(&root) = roots.get(&cp.size) else {
            return Err((
                i,
                format!(
                    "the checkpoint of size {} covers more events than the log holds ({}): events were deleted",
                    cp.size, log_size
                ),
            ));
        };
        if root != cp.root {
            let after = previous.map(|(s, _)| s).unwrap_or(0);
            return Err((
                i,
                format!(
                    "the log no longer matches the checkpoint of size {} signed on {}: an event among leaves {}..{} was changed, removed or reordered",
                    cp.size,
                    custodian_domain::time::show_datetime(c.created_at),
                    after,
                    cp.size - 1
                ),
            ));
        }
        // Consistent with the one before: both roots are of the one sequence of leaves read.
        previous = Some((cp.size, cp.root));
    }
    Ok(previous)
}

pub type SharedAudit = Arc<AuditService>;

#[cfg(test)]
mod tests {
    use super::VerifyReport;

    #[test]
    fn the_summary_counts_in_words_a_reader_expects() {
        let report = |leaves, checkpoints| VerifyReport {
            ok: true,
            leaves,
            pruned: 0,
            checkpoints,
            problem: None,
        };
        assert_eq!(
            report(1, 1).summary(),
            "audit log intact: 1 event, 1 signed checkpoint verified"
        );
        assert_eq!(
            report(171, 2).summary(),
            "audit log intact: 171 events, 2 signed checkpoints verified"
        );
    }
}
