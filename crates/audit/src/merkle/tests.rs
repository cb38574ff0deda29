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
                    verify_inclusion(index, size, &leaf, &proof[..proof.len() - 1], &root).is_err()
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
