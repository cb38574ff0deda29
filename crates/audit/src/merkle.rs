//! The Merkle tree of RFC 9162 (RFC 6962): leaf = SHA-256(0x00 || data), node =
//! SHA-256(0x01 || left || right), with the left subtree holding the largest power of two
//! smaller than the tree's size. Inclusion and consistency proofs and their verification.

use sha2::{Digest, Sha256};

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

#[cfg(test)]
mod tests {
    use super::*;

    fn h(s: &str) -> Hash {
        hex::decode(s).unwrap().try_into().unwrap()
    }

    /// The RFC 6962 test vectors published by transparency-dev (merkle/testonly).
    fn leaves() -> Vec<Vec<u8>> {
        [
            "",
            "00",
            "10",
            "2021",
            "3031",
            "40414243",
            "5051525354555657",
            "606162636465666768696a6b6c6d6e6f",
        ]
        .iter()
        .map(|x| hex::decode(x).unwrap())
        .collect()
    }

    const ROOTS: [&str; 8] = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    fn tree() -> Tree {
        Tree::from_leaves(leaves().iter().map(|l| leaf_hash(l)))
    }

    /// A [`LogTree`]'s answer, reading the blocks it names from `leaves` as a server reads them
    /// from the store; each request needs at most three blocks, named in one round.
    fn with_blocks<T>(
        leaves: &[Hash],
        ask: impl Fn(&Blocks) -> Result<Option<T>, Vec<u64>>,
    ) -> Option<T> {
        let mut loaded = Blocks::new();
        match ask(&loaded) {
            Ok(answer) => answer,
            Err(missing) => {
                assert!(missing.len() <= 3, "{missing:?}");
                for b in missing {
                    let block = &leaves[(b * BLOCK) as usize..((b + 1) * BLOCK) as usize];
                    loaded.insert(b, Tree::from_leaves(block.iter().copied()));
                }
                ask(&loaded).expect("every block it named was given")
            }
        }
    }

    #[test]
    fn a_log_tree_gives_the_same_roots_and_proofs_as_the_whole_tree() {
        let leaves: Vec<Hash> = (0..1100u32).map(|i| leaf_hash(&i.to_be_bytes())).collect();
        let tree = Tree::from_leaves(leaves.iter().copied());
        let mut log = LogTree::new();
        leaves.iter().for_each(|l| log.push(*l));
        assert_eq!(log.size(), 1100);
        let sizes = [
            0u64, 1, 2, 255, 256, 257, 511, 512, 513, 700, 767, 768, 1024, 1099, 1100,
        ];
        for &size in &sizes {
            assert_eq!(
                with_blocks(&leaves, |b| log.root(size, b)),
                tree.root(size),
                "root {size}"
            );
            for index in [0, 1, 100, 255, 256, 300, 511, 512, 800, 1023, 1099] {
                assert_eq!(
                    with_blocks(&leaves, |b| log.inclusion_proof(index, size, b)),
                    tree.inclusion_proof(index, size),
                    "inclusion of {index} in {size}"
                );
            }
            for &old in &sizes {
                assert_eq!(
                    with_blocks(&leaves, |b| log.consistency_proof(old, size, b)),
                    tree.consistency_proof(old, size),
                    "consistency {old} to {size}"
                );
            }
        }
        assert_eq!(with_blocks(&leaves, |b| log.root(1101, b)), None);
        // Only the tail is in memory: the latest root needs no block read.
        assert!(log.root(1100, &Blocks::new()).is_ok());
        assert_eq!(log.root(300, &Blocks::new()), Err(vec![1]));
    }

    #[test]
    fn a_frontier_gives_the_trees_root_at_every_size() {
        let leaves: Vec<Hash> = (0..300u32).map(|i| leaf_hash(&i.to_be_bytes())).collect();
        let tree = Tree::from_leaves(leaves.iter().copied());
        let mut frontier = Frontier::new();
        assert_eq!(frontier.root(), empty_root());
        for (i, leaf) in leaves.iter().enumerate() {
            frontier.push(*leaf);
            assert_eq!(frontier.size(), i as u64 + 1);
            assert_eq!(
                Some(frontier.root()),
                tree.root(i as u64 + 1),
                "size {}",
                i + 1
            );
        }
        // By blocks of a subtree: every prefix of the next 64 leaves, after 128 one by one.
        let mut base = Frontier::new();
        leaves[..128].iter().for_each(|l| base.push(*l));
        let sub = Subtree::new(leaves[128..192].to_vec()).unwrap();
        for len in 0..=64 {
            let mut f = base.clone();
            assert!(f.push_prefix(&sub, len));
            assert_eq!(Some(f.root()), tree.root(128 + len), "prefix {len}");
        }
        // Not where the subtree's blocks are aligned, or longer than it: refused, unchanged.
        let mut f = base.clone();
        f.push(leaves[128]);
        assert!(!f.push_prefix(&sub, 64));
        assert!(!base.clone().push_prefix(&sub, 65));
        assert_eq!(f.size(), 129);
    }

    #[test]
    fn roots_match_the_rfc_vectors() {
        let t = tree();
        assert_eq!(
            t.root(0).unwrap(),
            h("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        );
        for (i, r) in ROOTS.iter().enumerate() {
            assert_eq!(t.root(i as u64 + 1).unwrap(), h(r), "size {}", i + 1);
        }
        assert!(t.root(9).is_none());
    }

    #[test]
    fn inclusion_proofs_match_the_rfc_vectors() {
        let t = tree();
        // (leaf index, tree size, proof)
        let vectors: [(u64, u64, &[&str]); 5] = [
            (
                0,
                8,
                &[
                    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
                ],
            ),
            (
                5,
                8,
                &[
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                ],
            ),
            (
                2,
                3,
                &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
            ),
            (
                1,
                5,
                &[
                    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                ],
            ),
            (0, 1, &[]),
        ];
        for (index, size, want) in vectors {
            let want: Vec<Hash> = want.iter().map(|x| h(x)).collect();
            assert_eq!(
                t.inclusion_proof(index, size).unwrap(),
                want,
                "leaf {index} in {size}"
            );
            let root = t.root(size).unwrap();
            verify_inclusion(index, size, &t.leaf(index).unwrap(), &want, &root).unwrap();
        }
    }

    #[test]
    fn consistency_proofs_match_the_rfc_vectors() {
        let t = tree();
        let vectors: [(u64, u64, &[&str]); 5] = [
            (1, 1, &[]),
            (
                1,
                8,
                &[
                    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
                ],
            ),
            (
                6,
                8,
                &[
                    "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                ],
            ),
            (
                2,
                5,
                &[
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                ],
            ),
            (
                6,
                7,
                &[
                    "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                    "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                ],
            ),
        ];
        for (old, new, want) in vectors {
            let want: Vec<Hash> = want.iter().map(|x| h(x)).collect();
            assert_eq!(
                t.consistency_proof(old, new).unwrap(),
                want,
                "{old} -> {new}"
            );
            verify_consistency(
                old,
                new,
                &t.root(old).unwrap(),
                &t.root(new).unwrap(),
                &want,
            )
            .unwrap();
        }
    }

    /// A small deterministic generator, so the property tests need no extra crate.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }

    #[test]
    fn every_proof_of_random_trees_verifies_and_any_corruption_fails() {
        let mut rng = Rng(0x9e3779b97f4a7c15);
        for _ in 0..40 {
            let n = 1 + rng.next() % 300;
            let t = Tree::from_leaves(
                (0..n).map(|i| leaf_hash(&(i * 7919 + rng.next() % 3).to_be_bytes())),
            );
            // A reference root computed naively agrees.
            let naive = naive_root(&(0..n).map(|i| t.leaf(i).unwrap()).collect::<Vec<_>>());
            assert_eq!(t.root(n).unwrap(), naive);
            for _ in 0..20 {
                let size = 1 + rng.next() % n;
                let index = rng.next() % size;
                let proof = t.inclusion_proof(index, size).unwrap();
                let root = t.root(size).unwrap();
                let leaf = t.leaf(index).unwrap();
                verify_inclusion(index, size, &leaf, &proof, &root).unwrap();
                if !proof.is_empty() {
                    let mut bad = proof.clone();
                    let i = (rng.next() as usize) % bad.len();
                    bad[i][0] ^= 1;
                    assert!(verify_inclusion(index, size, &leaf, &bad, &root).is_err());
                    assert!(
                        verify_inclusion(index, size, &leaf, &proof[..proof.len() - 1], &root)
                            .is_err()
                    );
                }
                if size > 1 {
                    assert!(
                        verify_inclusion((index + 1) % size, size, &leaf, &proof, &root).is_err()
                            || t.leaf((index + 1) % size) == Some(leaf)
                    );
                }
                let old = rng.next() % (size + 1);
                let c = t.consistency_proof(old, size).unwrap();
                let old_root = t.root(old).unwrap();
                verify_consistency(old, size, &old_root, &root, &c).unwrap();
                if !c.is_empty() {
                    let mut bad = c.clone();
                    bad[0][31] ^= 0x80;
                    assert!(verify_consistency(old, size, &old_root, &root, &bad).is_err());
                    assert!(
                        verify_consistency(old, size, &root, &old_root, &c).is_err()
                            || old_root == root
                    );
                }
            }
        }
    }

    fn naive_root(leaves: &[Hash]) -> Hash {
        match leaves.len() {
            0 => empty_root(),
            1 => leaves[0],
            n => {
                let k = split(n as u64) as usize;
                node_hash(&naive_root(&leaves[..k]), &naive_root(&leaves[k..]))
            }
        }
    }

    #[test]
    fn impossible_requests_are_refused_not_panics() {
        let t = tree();
        assert!(t.inclusion_proof(8, 8).is_none());
        assert!(t.inclusion_proof(0, 9).is_none());
        assert!(t.consistency_proof(5, 3).is_none());
        assert!(t.consistency_proof(1, 9).is_none());
        assert_eq!(
            verify_inclusion(3, 2, &[0; 32], &[], &[0; 32]),
            Err(ProofError::IndexOutOfRange { index: 3, size: 2 })
        );
        assert_eq!(
            verify_consistency(4, 2, &[0; 32], &[0; 32], &[]),
            Err(ProofError::SizesReversed { old: 4, new: 2 })
        );
    }

    #[test]
    fn a_subtree_is_built_only_over_a_power_of_two_leaves() {
        let leaf = |i: u64| leaf_hash(&i.to_be_bytes());
        let sub = Subtree::new((0..8).map(leaf).collect()).unwrap();
        assert_eq!(sub.size(), 8);
        assert_eq!(
            sub.levels[3][0],
            Tree::from_leaves((0..8).map(leaf)).root(8).unwrap()
        );
        assert!(Subtree::new((0..3).map(leaf).collect()).is_err());
        assert!(Subtree::new(Vec::new()).is_err());
    }
}
