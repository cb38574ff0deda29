//! The Merkle tree of RFC 9162 (RFC 6962): leaf = SHA-256(0x00 || data), node =
//! SHA-256(0x01 || left || right), with the left subtree holding the largest power of two
//! smaller than the tree's size. Inclusion and consistency proofs and their verification.

use sha2::{Digest, Sha256};

#[cfg(test)]
mod tests;

pub type Hash = [u8; 32];

pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(data);
    h.finalize().into()
}

pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The root of the empty tree: SHA-256 of nothing.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// The largest power of two strictly smaller than `n` (n > 1).
fn split(n: u64) -> u64 {
    debug_assert!(n > 1);
    1 << (63 - (n - 1).leading_zeros())
}

/// A complete Merkle tree over a power-of-two number of leaf hashes, built on its own (on
/// another thread, say) and then added to a [`Frontier`] with [`Frontier::push_prefix`]: level
/// k holds the hashes of its blocks of 2^k leaves.
#[derive(Clone, Debug)]
pub struct Subtree {
    levels: Vec<Vec<Hash>>,
}

impl Subtree {
    /// The subtree over `leaves`; hands them back when their number is not a power of two.
    pub fn new(leaves: Vec<Hash>) -> Result<Self, Vec<Hash>> {
        if !leaves.len().is_power_of_two() {
            return Err(leaves);
        }
        let mut levels = vec![leaves];
        while levels[levels.len() - 1].len() > 1 {
            let next = levels[levels.len() - 1]
                .chunks_exact(2)
                .map(|pair| node_hash(&pair[0], &pair[1]))
                .collect();
            levels.push(next);
        }
        Ok(Subtree { levels })
    }

    pub fn size(&self) -> u64 {
        self.levels[0].len() as u64
    }

    /// Its leaf hashes, for pushing one by one where it cannot be added whole.
    pub fn into_leaves(mut self) -> Vec<Hash> {
        self.levels.swap_remove(0)
    }
}

/// A Merkle tree over leaf hashes, keeping the hash of every complete, aligned subtree (level
/// k holds the roots of blocks of 2^k leaves), so any root or proof costs O(log² n).
#[derive(Clone, Debug, Default)]
pub struct Tree {
    levels: Vec<Vec<Hash>>,
}

impl Tree {
    pub fn new() -> Self {
        Tree {
            levels: vec![Vec::new()],
        }
    }

    pub fn from_leaves(leaves: impl IntoIterator<Item = Hash>) -> Self {
        let mut t = Tree::new();
        for l in leaves {
            t.push(l);
        }
        t
    }

    pub fn size(&self) -> u64 {
        self.levels.first().map_or(0, |l| l.len() as u64)
    }

    pub fn leaf(&self, index: u64) -> Option<Hash> {
        self.levels.first()?.get(index as usize).copied()
    }

    /// Appends a leaf hash, completing any subtrees it closes.
    pub fn push(&mut self, leaf: Hash) {
        if self.levels.is_empty() {
            self.levels.push(Vec::new());
        }
        self.levels[0].push(leaf);
        let mut level = 0;
        while self.levels[level].len().is_multiple_of(2) {
            let n = self.levels[level].len();
            let parent = node_hash(&self.levels[level][n - 2], &self.levels[level][n - 1]);
            if self.levels.len() == level + 1 {
                self.levels.push(Vec::new());
            }
            self.levels[level + 1].push(parent);
            level += 1;
        }
    }

    /// The hash of leaves [start, end), for a range the tree holds.
    fn range_hash(&self, start: u64, end: u64) -> Hash {
        let n = end - start;
        if n == 1 {
            return self.levels[0][start as usize];
        }
        // A complete aligned block is stored.
        if n.is_power_of_two() && start.is_multiple_of(n) {
            let level = n.trailing_zeros() as usize;
            if let Some(h) = self
                .levels
                .get(level)
                .and_then(|l| l.get((start / n) as usize))
            {
                return *h;
            }
        }
        let k = split(n);
        node_hash(
            &self.range_hash(start, start + k),
            &self.range_hash(start + k, end),
        )
    }

    /// The root of the tree's first `size` leaves.
    pub fn root(&self, size: u64) -> Option<Hash> {
        (size <= self.size()).then(|| root_of(size, &mut |s, e| self.range_hash(s, e)))
    }

    /// The inclusion proof of leaf `index` in the tree of the first `size` leaves (RFC 9162
    /// section 2.1.3.1).
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Option<Vec<Hash>> {
        (index < size && size <= self.size())
            .then(|| inclusion_path(index, size, &mut |s, e| self.range_hash(s, e)))
    }

    /// The consistency proof between the trees of the first `old` and `new` leaves (RFC 9162
    /// section 2.1.4.1).
    pub fn consistency_proof(&self, old: u64, new: u64) -> Option<Vec<Hash>> {
        (old <= new && new <= self.size())
            .then(|| consistency_path(old, new, &mut |s, e| self.range_hash(s, e)))
    }
}

/// The root of a tree of `size` leaves, given the hash of any range of them.
fn root_of(size: u64, range: &mut impl FnMut(u64, u64) -> Hash) -> Hash {
    if size == 0 {
        empty_root()
    } else {
        range(0, size)
    }
}

/// RFC 9162 section 2.1.3.1 (for `index < size`), given the hash of any range of leaves.
fn inclusion_path(index: u64, size: u64, range: &mut impl FnMut(u64, u64) -> Hash) -> Vec<Hash> {
    fn path(
        m: u64,
        start: u64,
        end: u64,
        range: &mut impl FnMut(u64, u64) -> Hash,
        out: &mut Vec<Hash>,
    ) {
        let n = end - start;
        if n <= 1 {
            return;
        }
        let k = split(n);
        if m < k {
            path(m, start, start + k, range, out);
            out.push(range(start + k, end));
        } else {
            path(m - k, start + k, end, range, out);
            out.push(range(start, start + k));
        }
    }
    let mut proof = Vec::new();
    path(index, 0, size, range, &mut proof);
    proof
}

/// RFC 9162 section 2.1.4.1 (for `old <= new`), given the hash of any range of leaves.
fn consistency_path(old: u64, new: u64, range: &mut impl FnMut(u64, u64) -> Hash) -> Vec<Hash> {
    fn subproof(
        m: u64,
        start: u64,
        end: u64,
        complete: bool,
        range: &mut impl FnMut(u64, u64) -> Hash,
        out: &mut Vec<Hash>,
    ) {
        let n = end - start;
        if m == n {
            if !complete {
                out.push(range(start, end));
            }
            return;
        }
        let k = split(n);
        if m <= k {
            subproof(m, start, start + k, complete, range, out);
            out.push(range(start + k, end));
        } else {
            subproof(m - k, start + k, end, false, range, out);
            out.push(range(start, start + k));
        }
    }
    let mut proof = Vec::new();
    if old > 0 && old < new {
        subproof(old, 0, new, true, range, &mut proof);
    }
    proof
}

/// Leaves in a block of a [`LogTree`].
pub const BLOCK: u64 = 256;

/// Complete blocks' leaf hashes read back from the store, by block number, as trees.
pub type Blocks = std::collections::HashMap<u64, Tree>;

/// The log's tree as a server keeps it for checkpoints and proofs: the roots of its complete
/// blocks of [`BLOCK`] leaves (a tree of their own, whose nodes are the log tree's from level
/// 8 up) and the leaves of the last, incomplete block. One hash for every 256 events, where a
/// whole [`Tree`] keeps two for every event. A root or proof that needs hashes inside complete
/// blocks names them (`Err`); the caller reads those blocks' leaf hashes from the store and
/// asks again with them (a proof needs at most the blocks of its leaf and of its sizes).
#[derive(Clone, Debug, Default)]
pub struct LogTree {
    blocks: Tree,
    tail: Tree,
}

impl LogTree {
    pub fn new() -> Self {
        LogTree {
            blocks: Tree::new(),
            tail: Tree::new(),
        }
    }

    pub fn size(&self) -> u64 {
        self.blocks.size() * BLOCK + self.tail.size()
    }

    pub fn push(&mut self, leaf: Hash) {
        self.tail.push(leaf);
        if self.tail.size() == BLOCK {
            self.blocks.push(self.tail.range_hash(0, BLOCK));
            self.tail = Tree::new();
        }
    }

    /// The hash of leaves [start, end), or a zero hash with the complete block it needs named
    /// in `missing` when that block is not in `loaded`.
    fn range_hash(&self, start: u64, end: u64, loaded: &Blocks, missing: &mut Vec<u64>) -> Hash {
        let complete = self.blocks.size() * BLOCK;
        if start.is_multiple_of(BLOCK) && end.is_multiple_of(BLOCK) && end <= complete {
            return self.blocks.range_hash(start / BLOCK, end / BLOCK);
        }
        let block = start / BLOCK;
        if (end - 1) / BLOCK == block {
            let offset = block * BLOCK;
            if start >= complete {
                return self.tail.range_hash(start - offset, end - offset);
            }
            return match loaded.get(&block) {
                Some(t) if t.size() == BLOCK => t.range_hash(start - offset, end - offset),
                _ => {
                    if !missing.contains(&block) {
                        missing.push(block);
                    }
                    [0; 32]
                }
            };
        }
        let k = split(end - start);
        node_hash(
            &self.range_hash(start, start + k, loaded, missing),
            &self.range_hash(start + k, end, loaded, missing),
        )
    }

    /// Runs a computation over ranges; `Err` with the blocks it needs that are not loaded.
    fn with_ranges<T>(
        &self,
        loaded: &Blocks,
        f: impl FnOnce(&mut dyn FnMut(u64, u64) -> Hash) -> T,
    ) -> Result<T, Vec<u64>> {
        let mut missing = Vec::new();
        let out = f(&mut |s, e| self.range_hash(s, e, loaded, &mut missing));
        if missing.is_empty() {
            Ok(out)
        } else {
            Err(missing)
        }
    }

    /// The root of the first `size` leaves (`None` beyond the tree).
    pub fn root(&self, size: u64, loaded: &Blocks) -> Result<Option<Hash>, Vec<u64>> {
        if size > self.size() {
            return Ok(None);
        }
        self.with_ranges(loaded, |range| Some(root_of(size, &mut |s, e| range(s, e))))
    }

    /// [`Tree::inclusion_proof`], with the blocks it needs.
    pub fn inclusion_proof(
        &self,
        index: u64,
        size: u64,
        loaded: &Blocks,
    ) -> Result<Option<Vec<Hash>>, Vec<u64>> {
        if index >= size || size > self.size() {
            return Ok(None);
        }
        self.with_ranges(loaded, |range| {
            Some(inclusion_path(index, size, &mut |s, e| range(s, e)))
        })
    }

    /// [`Tree::consistency_proof`], with the blocks it needs.
    pub fn consistency_proof(
        &self,
        old: u64,
        new: u64,
        loaded: &Blocks,
    ) -> Result<Option<Vec<Hash>>, Vec<u64>> {
        if old > new || new > self.size() {
            return Ok(None);
        }
        self.with_ranges(loaded, |range| {
            Some(consistency_path(old, new, &mut |s, e| range(s, e)))
        })
    }
}

/// The roots of the complete, aligned blocks that a log's size splits into (one for each bit
/// of the size, largest first): all that the root of a growing tree needs, in memory that grows
/// with the log's logarithm rather than with the log. Verification builds it as the log is
/// read and takes the root at every checkpoint's size.
#[derive(Clone, Debug, Default)]
pub struct Frontier {
    size: u64,
    /// `(level, hash)`: a block of 2^level leaves; levels fall from left to right.
    blocks: Vec<(u32, Hash)>,
}

impl Frontier {
    pub fn new() -> Self {
        Frontier::default()
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    /// Adds one leaf.
    pub fn push(&mut self, leaf: Hash) {
        self.push_block(0, leaf);
    }

    /// Adds a complete block of 2^level leaves whose hash is `hash`, where the size is a
    /// multiple of the block's (the callers' blocks always are).
    fn push_block(&mut self, level: u32, hash: Hash) {
        debug_assert!(self.size.is_multiple_of(1 << level));
        self.size += 1 << level;
        self.blocks.push((level, hash));
        while let [.., (a, left), (b, right)] = self.blocks[..] {
            if a != b {
                break;
            }
            self.blocks.truncate(self.blocks.len() - 2);
            self.blocks.push((a + 1, node_hash(&left, &right)));
        }
    }

    /// Adds the first `len` leaves of `sub`, by its stored blocks, where the size is a multiple
    /// of the subtree's. Hands back `false`, changing nothing, when it is not, or when `len` is
    /// more than the subtree holds.
    pub fn push_prefix(&mut self, sub: &Subtree, len: u64) -> bool {
        if len > sub.size() || !self.size.is_multiple_of(sub.size()) {
            return false;
        }
        let mut offset = 0;
        for level in (0..sub.levels.len() as u32).rev() {
            if len & (1 << level) != 0 {
                self.push_block(
                    level,
                    sub.levels[level as usize][(offset >> level) as usize],
                );
                offset += 1 << level;
            }
        }
        true
    }

    /// The root of the tree of the leaves added so far (RFC 9162: each block is the left
    /// sibling of the hash of all smaller blocks after it).
    pub fn root(&self) -> Hash {
        let mut blocks = self.blocks.iter().rev();
        let Some(&(_, mut root)) = blocks.next() else {
            return empty_root();
        };
        for (_, left) in blocks {
            root = node_hash(left, &root);
        }
        root
    }
}

/// Why a proof did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    #[error("leaf index {index} is not in a tree of size {size}")]
    IndexOutOfRange { index: u64, size: u64 },
    #[error("the proof has the wrong number of hashes for these sizes")]
    WrongLength,
    #[error("the old size {old} is larger than the new size {new}")]
    SizesReversed { old: u64, new: u64 },
    #[error("the proof does not lead to the expected root")]
    RootMismatch,
}

/// Verifies an inclusion proof (RFC 9162 section 2.1.3.2).
pub fn verify_inclusion(
    index: u64,
    size: u64,
    leaf: &Hash,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), ProofError> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    let (mut f_n, mut s_n) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if s_n == 0 {
            return Err(ProofError::WrongLength);
        }
        if f_n % 2 == 1 || f_n == s_n {
            r = node_hash(p, &r);
            while f_n % 2 == 0 && f_n != 0 {
                f_n >>= 1;
                s_n >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        f_n >>= 1;
        s_n >>= 1;
    }
    if s_n != 0 {
        return Err(ProofError::WrongLength);
    }
    if &r != root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

/// Verifies a consistency proof (RFC 9162 section 2.1.4.2).
pub fn verify_consistency(
    old: u64,
    new: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> Result<(), ProofError> {
    if old > new {
        return Err(ProofError::SizesReversed { old, new });
    }
    if old == new {
        return if proof.is_empty() && old_root == new_root {
            Ok(())
        } else if !proof.is_empty() {
            Err(ProofError::WrongLength)
        } else {
            Err(ProofError::RootMismatch)
        };
    }
    if old == 0 {
        return if proof.is_empty() {
            Ok(())
        } else {
            Err(ProofError::WrongLength)
        };
    }
    if proof.is_empty() {
        return Err(ProofError::WrongLength);
    }
    let mut path: Vec<Hash> = proof.to_vec();
    if old.is_power_of_two() {
        path.insert(0, *old_root);
    }
    let (mut f_n, mut s_n) = (old - 1, new - 1);
    while f_n % 2 == 1 {
        f_n >>= 1;
        s_n >>= 1;
    }
    let (mut fr, mut sr) = (path[0], path[0]);
    for c in &path[1..] {
        if s_n == 0 {
            return Err(ProofError::WrongLength);
        }
        if f_n % 2 == 1 || f_n == s_n {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while f_n % 2 == 0 && f_n != 0 {
                f_n >>= 1;
                s_n >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        f_n >>= 1;
        s_n >>= 1;
    }
    if s_n != 0 {
        return Err(ProofError::WrongLength);
    }
    if &fr != old_root || &sr != new_root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}
