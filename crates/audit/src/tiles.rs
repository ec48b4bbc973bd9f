//! Interior hashes kept as tiles (the C2SP tlog-tiles layout): a tile at level L holds up to
//! 256 consecutive hashes of tree level 8·L, so the tile (0, n) holds leaf hashes
//! 256·n … 256·n+255 and the tile (1, n) the heads of the 256-leaf subtrees above them.
//! A tile with fewer than 256 hashes is partial; it grows until it is full, then never changes.
//!
//! [`TreeBuilder`] appends leaves and keeps only the right edge (one partial tile per level),
//! which is all a new tree head needs; [`Tiles`] answers proofs from tiles read back.

use std::collections::HashMap;

use crate::merkle::{Hash, MerkleError, Subtrees, node_hash};

/// Hashes per full tile.
pub const TILE_WIDTH: usize = 256;
/// Tree levels per tile level.
pub const TILE_HEIGHT: u8 = 8;

/// One tile: `hashes` holds 1 to 256 hashes of tree level `8·level`, from index `256·index`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tile {
    pub level: u8,
    pub index: u64,
    pub hashes: Vec<Hash>,
}

impl Tile {
    /// The hashes as stored: concatenated, 32 bytes each.
    pub fn bytes(&self) -> Vec<u8> {
        self.hashes.concat()
    }

    /// A tile from its stored bytes; `None` if they are not whole hashes (1 to 256 of them).
    pub fn from_bytes(level: u8, index: u64, bytes: &[u8]) -> Option<Tile> {
        if bytes.is_empty() || !bytes.len().is_multiple_of(32) || bytes.len() > TILE_WIDTH * 32 {
            return None;
        }
        let hashes = bytes.chunks_exact(32).map(|c| <Hash>::try_from(c).unwrap_or_default()).collect();
        Some(Tile { level, index, hashes })
    }
}

/// Where the hash of subtree (`level`, `index`) lives: its tile's coordinates and the span of
/// that tile's hashes it covers.
pub fn locate(level: u8, index: u64) -> (u8, u64, std::ops::Range<usize>) {
    let tile_level = level / TILE_HEIGHT;
    let rise = level % TILE_HEIGHT;
    let first = index << rise;
    let start = (first % TILE_WIDTH as u64) as usize;
    (tile_level, first / TILE_WIDTH as u64, start..start + (1usize << rise))
}

/// The head of a power-of-two run of hashes.
fn fold(hashes: &[Hash]) -> Hash {
    if hashes.len() == 1 {
        return hashes[0];
    }
    let (left, right) = hashes.split_at(hashes.len() / 2);
    node_hash(&fold(left), &fold(right))
}

/// Tiles read back from storage, answering for the subtrees they cover.
#[derive(Debug, Clone, Default)]
pub struct Tiles(HashMap<(u8, u64), Vec<Hash>>);

impl Tiles {
    pub fn insert(&mut self, tile: Tile) {
        self.0.insert((tile.level, tile.index), tile.hashes);
    }
}

impl Subtrees for Tiles {
    fn subtree(&self, level: u8, index: u64) -> Result<Hash, MerkleError> {
        let (tile_level, tile_index, span) = locate(level, index);
        let hashes = self.0.get(&(tile_level, tile_index)).ok_or(MerkleError::Missing { level, index })?;
        hashes.get(span).map(fold).ok_or(MerkleError::Missing { level, index })
    }
}

/// Records which subtrees a computation asks for, so their tiles can be read in one go and the
/// computation run again on them.
#[derive(Debug, Default)]
pub struct TileNeeds(std::cell::RefCell<Vec<(u8, u64)>>);

impl TileNeeds {
    /// The tiles asked for, each once.
    pub fn tiles(self) -> Vec<(u8, u64)> {
        let mut tiles = self.0.into_inner();
        tiles.sort_unstable();
        tiles.dedup();
        tiles
    }
}

impl Subtrees for TileNeeds {
    fn subtree(&self, level: u8, index: u64) -> Result<Hash, MerkleError> {
        let (tile_level, tile_index, _) = locate(level, index);
        self.0.borrow_mut().push((tile_level, tile_index));
        Ok([0; 32])
    }
}

/// A growing tree that keeps its right edge: the partial tile of every level.
#[derive(Debug, Clone, Default)]
pub struct TreeBuilder {
    size: u64,
    /// `edge[L]`: the hashes of the partial tile at level L (never 256: a full one moves up).
    edge: Vec<Vec<Hash>>,
    /// Tiles that became full since the last [`TreeBuilder::take_changed`].
    completed: Vec<Tile>,
    /// Whether leaves came since then, so the partial tiles need writing again.
    touched: bool,
}

impl TreeBuilder {
    /// A tree of `size` leaves given its stored partial tiles (one per level, lowest first;
    /// a level with no partial tile has an empty one). `None` if they do not fit `size`.
    pub fn resume(size: u64, edge: Vec<Vec<Hash>>) -> Option<Self> {
        let mut count = size;
        for level in &edge {
            if level.len() as u64 != count % TILE_WIDTH as u64 {
                return None;
            }
            count /= TILE_WIDTH as u64;
        }
        if count != 0 {
            return None;
        }
        Some(TreeBuilder { size, edge, completed: Vec::new(), touched: false })
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    pub fn push(&mut self, leaf: Hash) {
        self.size += 1;
        self.touched = true;
        let mut hash = leaf;
        let mut level = 0;
        loop {
            if self.edge.len() == level {
                self.edge.push(Vec::new());
            }
            self.edge[level].push(hash);
            if self.edge[level].len() < TILE_WIDTH {
                return;
            }
            let full = std::mem::take(&mut self.edge[level]);
            hash = fold(&full);
            let index = (self.size >> (TILE_HEIGHT as u32 * (level as u32 + 1))) - 1;
            self.completed.push(Tile { level: level as u8, index, hashes: full });
            level += 1;
        }
    }

    /// The tree head now.
    pub fn root(&self) -> Hash {
        crate::merkle::root(self, self.size).unwrap_or_else(|e| unreachable!("the right edge covers the root: {e}"))
    }

    /// The tiles to write since the last call: those that filled up, then the partial ones.
    pub fn take_changed(&mut self) -> Vec<Tile> {
        let mut tiles = std::mem::take(&mut self.completed);
        if std::mem::take(&mut self.touched) {
            tiles.extend(self.partial_tiles());
        }
        tiles
    }

    /// The tiles that filled up since the last call (the partial ones stay to be written).
    pub fn take_completed(&mut self) -> Vec<Tile> {
        std::mem::take(&mut self.completed)
    }

    /// The heads of the perfect subtrees that make up the tree, largest (leftmost) first: all
    /// another verifier needs to go on from here without the leaves (a compact range).
    pub fn compact_range(&self) -> Vec<Hash> {
        let mut heads = Vec::new();
        let mut start = 0u64;
        for level in (0..64u8).rev() {
            if self.size >> level & 1 == 1 {
                let head = self.subtree(level, start >> level);
                heads.push(head.unwrap_or_else(|e| unreachable!("the right edge holds every head: {e}")));
                start += 1 << level;
            }
        }
        heads
    }

    /// The non-empty partial tiles, lowest level first.
    pub fn partial_tiles(&self) -> Vec<Tile> {
        self.edge
            .iter()
            .enumerate()
            .filter(|(_, hashes)| !hashes.is_empty())
            .map(|(level, hashes)| Tile {
                level: level as u8,
                index: self.size >> (TILE_HEIGHT as u32 * (level as u32 + 1)),
                hashes: hashes.clone(),
            })
            .collect()
    }
}

impl Subtrees for TreeBuilder {
    fn subtree(&self, level: u8, index: u64) -> Result<Hash, MerkleError> {
        let (tile_level, tile_index, span) = locate(level, index);
        let missing = MerkleError::Missing { level, index };
        let edge = self.edge.get(tile_level as usize).ok_or(missing.clone())?;
        let edge_index = self.size >> (TILE_HEIGHT as u32 * (tile_level as u32 + 1));
        if tile_index != edge_index {
            return Err(missing);
        }
        edge.get(span).map(fold).ok_or(missing)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::{Leaves, leaf_hash, root};

    fn leaves(n: u64) -> Vec<Hash> {
        (0..n).map(|i| leaf_hash(&i.to_be_bytes())).collect()
    }

    #[test]
    fn builder_root_matches_the_definition_at_every_size() {
        let all = leaves(70_000);
        let mut builder = TreeBuilder::default();
        for (i, leaf) in all.iter().enumerate() {
            builder.push(*leaf);
            let n = i as u64 + 1;
            if n < 300 || n.is_multiple_of(8191) || n == 65_536 || n == 65_537 {
                let expected = root(&Leaves(all[..n as usize].to_vec()), n);
                assert_eq!(Ok(builder.root()), expected, "size {n}");
            }
        }
    }

    #[test]
    fn written_tiles_answer_proofs_and_resume_the_builder() {
        let all = leaves(66_000);
        let mut builder = TreeBuilder::default();
        let mut stored: HashMap<(u8, u64), Tile> = HashMap::new();
        for chunk in all.chunks(777) {
            chunk.iter().for_each(|l| builder.push(*l));
            for tile in builder.take_changed() {
                stored.insert((tile.level, tile.index), tile);
            }
        }
        let mut tiles = Tiles::default();
        stored.values().cloned().for_each(|t| tiles.insert(t));
        let size = all.len() as u64;
        assert_eq!(root(&tiles, size), Ok(builder.root()));
        assert_eq!(root(&tiles, 1000), root(&Leaves(all[..1000].to_vec()), 1000), "older heads too");

        let edge: Vec<Vec<Hash>> = (0..3)
            .map(|level| {
                let index = size >> (8 * (level + 1));
                stored.get(&(level as u8, index)).map(|t| t.hashes.clone()).unwrap_or_default()
            })
            .collect();
        let resumed = TreeBuilder::resume(size, edge).expect("the stored edge fits");
        assert_eq!(resumed.root(), builder.root());
        assert!(TreeBuilder::resume(size + 1, builder.edge.clone()).is_none());
    }

    #[test]
    fn the_compact_range_folds_to_the_root() {
        let all = leaves(70_000);
        let mut builder = TreeBuilder::default();
        for (i, leaf) in all.iter().enumerate() {
            builder.push(*leaf);
            let n = i as u64 + 1;
            if n < 600 || n.is_multiple_of(4099) || n == 65_536 || n == 65_537 {
                let heads = builder.compact_range();
                assert_eq!(heads.len() as u32, n.count_ones(), "size {n}");
                let folded = heads.iter().rev().copied().reduce(|right, left| node_hash(&left, &right));
                assert_eq!(folded, Some(builder.root()), "size {n}");
            }
        }
    }

    #[test]
    fn needs_name_the_tiles_a_proof_reads() {
        let needs = TileNeeds::default();
        let _ = crate::merkle::inclusion_proof(&needs, 300, 70_000);
        let tiles = needs.tiles();
        assert!(tiles.contains(&(0, 1)), "leaf 300's own tile: {tiles:?}");
        assert!(tiles.iter().all(|(level, _)| *level <= 1), "{tiles:?}");
    }
}
