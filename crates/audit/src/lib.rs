//! Custodian's tamper-evident audit log, independent of any database: the canonical record
//! format, the RFC 9162 Merkle tree and its proofs, signed checkpoints, and exports that an
//! auditor verifies offline.

pub mod checkpoint;
pub mod export;
pub mod merkle;
pub mod record;

pub use checkpoint::{Checkpoint, CheckpointError, CheckpointSigner, PublicKey};
pub use export::{Export, ExportError, ExportedEvent, verify_export};
pub use merkle::{
    Blocks, Frontier, Hash, LogTree, ProofError, Subtree, Tree, verify_consistency,
    verify_inclusion,
};
pub use record::{Record, RecordRef};
