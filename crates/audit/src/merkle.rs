//! The RFC 6962 / RFC 9162 Merkle tree: leaf and node hashes with domain separation, tree
//! heads, inclusion and consistency proofs and their verification.
//!
//! Hashes of complete subtrees come from a [`Subtrees`] source (the stored tiles, or the right
//! edge a [`crate::tiles::TreeBuilder`] keeps), so nothing here needs every leaf in memory.

use sha2::{Digest, Sha256};

pub type Hash = [u8; 32];

/// The hash of the empty tree: SHA-256 of nothing.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// `SHA-256(0x00 ‖ body)`.
pub fn leaf_hash(body: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(body);
    h.finalize().into()
}

/// `SHA-256(0x01 ‖ left ‖ right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MerkleError {
    #[error("the hash of subtree {index} at level {level} is not available")]
    Missing { level: u8, index: u64 },
    #[error("leaf {index} is not in a tree of {size}")]
    OutOfRange { index: u64, size: u64 },
    #[error("the proof does not lead to the tree head")]
    BadProof,
}

/// Hashes of complete subtrees: `level` l and `index` k cover leaves `[k·2^l, (k+1)·2^l)`.
pub trait Subtrees {
    fn subtree(&self, level: u8, index: u64) -> Result<Hash, MerkleError>;
}

/// The largest power of two below `n` (n ≥ 2).
fn split(n: u64) -> u64 {
    1 << (63 - (n - 1).leading_zeros())
}

/// The tree head of leaves `[start, end)`, `end > start`.
pub fn range_hash(source: &impl Subtrees, start: u64, end: u64) -> Result<Hash, MerkleError> {
    let n = end - start;
    if n.is_power_of_two() && start.is_multiple_of(n) {
        return source.subtree(n.trailing_zeros() as u8, start / n);
    }
    let k = split(n);
    Ok(node_hash(&range_hash(source, start, start + k)?, &range_hash(source, start + k, end)?))
}

/// The root of a tree of `size` leaves.
pub fn root(source: &impl Subtrees, size: u64) -> Result<Hash, MerkleError> {
    if size == 0 { Ok(empty_root()) } else { range_hash(source, 0, size) }
}

/// The inclusion proof of leaf `index` in the tree of `size` (RFC 9162 §2.1.3.1), leaf side first.
pub fn inclusion_proof(source: &impl Subtrees, index: u64, size: u64) -> Result<Vec<Hash>, MerkleError> {
    if index >= size {
        return Err(MerkleError::OutOfRange { index, size });
    }
    let mut proof = Vec::new();
    let (mut start, mut end) = (0, size);
    let mut path = Vec::new();
    while end - start > 1 {
        let k = split(end - start);
        if index < start + k {
            path.push((start + k, end));
            end = start + k;
        } else {
            path.push((start, start + k));
            start += k;
        }
    }
    for (a, b) in path.into_iter().rev() {
        proof.push(range_hash(source, a, b)?);
    }
    Ok(proof)
}

/// The consistency proof from the tree of `old` leaves to the tree of `new` (RFC 9162 §2.1.4.1).
pub fn consistency_proof(source: &impl Subtrees, old: u64, new: u64) -> Result<Vec<Hash>, MerkleError> {
    if old > new {
        return Err(MerkleError::OutOfRange { index: old, size: new });
    }
    if old == 0 || old == new {
        return Ok(Vec::new());
    }
    let mut parts = Vec::new();
    let (mut start, mut end, mut m, mut whole) = (0, new, old, true);
    loop {
        if m == end - start {
            if !whole {
                parts.push((start, end));
            }
            break;
        }
        let k = split(end - start);
        if m <= k {
            parts.push((start + k, end));
            end = start + k;
        } else {
            parts.push((start, start + k));
            start += k;
            m -= k;
            whole = false;
        }
    }
    parts.into_iter().rev().map(|(a, b)| range_hash(source, a, b)).collect()
}

/// Checks an inclusion proof (RFC 9162 §2.1.3.2).
pub fn verify_inclusion(index: u64, size: u64, leaf: &Hash, proof: &[Hash], root: &Hash) -> Result<(), MerkleError> {
    if index >= size {
        return Err(MerkleError::OutOfRange { index, size });
    }
    let (mut f, mut s) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if s == 0 {
            return Err(MerkleError::BadProof);
        }
        if f & 1 == 1 || f == s {
            r = node_hash(p, &r);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        f >>= 1;
        s >>= 1;
    }
    if s == 0 && r == *root { Ok(()) } else { Err(MerkleError::BadProof) }
}

/// Checks a consistency proof between two tree heads (RFC 9162 §2.1.4.2). A proof from the
/// empty tree proves nothing and is refused.
pub fn verify_consistency(
    old: u64,
    new: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> Result<(), MerkleError> {
    if old == 0 || old > new {
        return Err(MerkleError::OutOfRange { index: old, size: new });
    }
    if old == new {
        return if proof.is_empty() && old_root == new_root { Ok(()) } else { Err(MerkleError::BadProof) };
    }
    let mut path: Vec<Hash> = Vec::with_capacity(proof.len() + 1);
    if old.is_power_of_two() {
        path.push(*old_root);
    }
    path.extend_from_slice(proof);
    let Some((first, rest)) = path.split_first() else { return Err(MerkleError::BadProof) };
    let (mut f, mut s) = (old - 1, new - 1);
    while f & 1 == 1 {
        f >>= 1;
        s >>= 1;
    }
    let (mut fr, mut sr) = (*first, *first);
    for c in rest {
        if s == 0 {
            return Err(MerkleError::BadProof);
        }
        if f & 1 == 1 || f == s {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        f >>= 1;
        s >>= 1;
    }
    if fr == *old_root && sr == *new_root && s == 0 { Ok(()) } else { Err(MerkleError::BadProof) }
}

/// Every leaf hash in memory: the plain reading of the definitions, for tests and small logs.
#[derive(Debug, Clone, Default)]
pub struct Leaves(pub Vec<Hash>);

impl Subtrees for Leaves {
    fn subtree(&self, level: u8, index: u64) -> Result<Hash, MerkleError> {
        let width = 1u64 << level;
        let start = index * width;
        let end = start + width;
        if end > self.0.len() as u64 {
            return Err(MerkleError::Missing { level, index });
        }
        if level == 0 {
            return Ok(self.0[start as usize]);
        }
        let half = width / 2;
        Ok(node_hash(&range_hash(self, start, start + half)?, &range_hash(self, start + half, end)?))
    }
}
