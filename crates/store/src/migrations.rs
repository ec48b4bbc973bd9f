//! Forward-only migrations: each backend lists its own scripts, numbered from 1.

use crate::{Result, StoreError};

/// A backend's migration scripts, in order: (version, SQL).
pub type Migrations = &'static [(i64, &'static str)];

/// The schema version the scripts produce.
pub fn latest(migrations: Migrations) -> i64 {
    migrations.last().map_or(0, |m| m.0)
}

/// The scripts still to apply over `current`. A database newer than this build is refused
/// rather than guessed at (a downgrade would run old code on a new schema).
pub fn pending(migrations: Migrations, current: i64) -> Result<impl Iterator<Item = &'static (i64, &'static str)>> {
    let expected = latest(migrations);
    if current > expected {
        return Err(StoreError::SchemaMismatch { found: current, expected });
    }
    Ok(migrations.iter().filter(move |m| m.0 > current))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCRIPTS: Migrations = &[(1, "a"), (2, "b"), (3, "c")];

    #[test]
    fn only_newer_scripts_are_pending() {
        assert_eq!(latest(SCRIPTS), 3);
        let versions = |current| pending(SCRIPTS, current).map(|p| p.map(|m| m.0).collect::<Vec<_>>()).ok();
        assert_eq!(versions(0), Some(vec![1, 2, 3]));
        assert_eq!(versions(2), Some(vec![3]));
        assert_eq!(versions(3), Some(vec![]));
        assert!(matches!(pending(SCRIPTS, 4).err(), Some(StoreError::SchemaMismatch { found: 4, expected: 3 })));
    }
}
