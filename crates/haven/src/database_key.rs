//! The key of the SQLite file when the build encrypts it whole (feature `sqlcipher`): a random
//! 256-bit key, wrapped by the master key and kept beside the database as `haven.db.key` —
//! never inside it, since it opens it. Master-key rotation re-wraps it. Losing this file loses
//! the database, exactly like losing the master key: back both up.
//!
//! Format, one line: `haven-database-key/1 <master key id> <wrapped key, hex>`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use crypto::kek::KeyEncryptionKey;
use crypto::{DataKey, hex};

const FORMAT: &str = "haven-database-key/1";
/// Bound into the wrapping, so this wrapped key cannot be passed off as a practice's data key.
const CONTEXT: &[u8] = b"haven/sqlcipher/haven.db";

pub fn path(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(".key");
    PathBuf::from(name)
}

struct Stored {
    master_key_id: String,
    wrapped: Vec<u8>,
}

fn read(path: &Path) -> Result<Option<Stored>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("cannot read the database key {}", path.display())),
    };
    let malformed = || anyhow::anyhow!("the database key file {} is malformed", path.display());
    let mut fields = text.split_ascii_whitespace();
    let (Some(FORMAT), Some(id), Some(wrapped), None) = (fields.next(), fields.next(), fields.next(), fields.next())
    else {
        return Err(malformed());
    };
    let wrapped = hex::decode(wrapped).ok_or_else(malformed)?;
    Ok(Some(Stored { master_key_id: id.to_owned(), wrapped }))
}

fn write(path: &Path, kek: &dyn KeyEncryptionKey, key: &DataKey) -> Result<()> {
    let line = format!("{FORMAT} {} {}\n", kek.id(), hex::encode(&kek.wrap(key, CONTEXT)?));
    crate::data_dir::write_private(path, line.as_bytes()).context("cannot write the database key")
}

/// The master key that wraps the database key, if there is one: what must be loaded to open it.
pub fn master_key_id(database: &Path) -> Result<Option<String>> {
    Ok(read(&path(database))?.map(|s| s.master_key_id))
}

fn unwrap(stored: &Stored, keks: &[Arc<dyn KeyEncryptionKey>]) -> Result<DataKey> {
    let Some(kek) = keks.iter().find(|k| k.id() == stored.master_key_id) else {
        bail!(
            "the database key is wrapped by master key {}, which is not the configured master key; \
             point master_key_file at that key",
            stored.master_key_id
        );
    };
    kek.unwrap(&stored.wrapped, CONTEXT).context("the database key file does not open with its master key")
}

/// The key of the database at `database`, unwrapped with one of `keks`, if it has a key file.
pub fn load(database: &Path, keks: &[Arc<dyn KeyEncryptionKey>]) -> Result<Option<DataKey>> {
    read(&path(database))?.map(|stored| unwrap(&stored, keks)).transpose()
}

/// Makes a new database key, wrapped by the current master key (the first of `keks`).
pub fn create(database: &Path, keks: &[Arc<dyn KeyEncryptionKey>]) -> Result<DataKey> {
    let current = keks.first().context("no master key is loaded")?;
    let key = DataKey::generate()?;
    write(&path(database), current.as_ref(), &key)?;
    Ok(key)
}

/// The key of the database at `database`: its own, or a new one for a new database. An existing
/// database without its key file is never given a new key.
#[cfg_attr(not(feature = "sqlcipher"), allow(dead_code))]
pub fn load_or_create(database: &Path, keks: &[Arc<dyn KeyEncryptionKey>]) -> Result<DataKey> {
    let exists = std::fs::metadata(database).is_ok_and(|m| m.len() > 0);
    let plain = exists && store_sqlite::is_plain_database(database)?;
    match load(database, keks)? {
        Some(_) if plain => bail!(
            "{} is not encrypted yet, although its key file is there: an encryption was interrupted; \
             run `haven database encrypt` again",
            database.display()
        ),
        Some(key) => Ok(key),
        None if plain => bail!(
            "{} is not encrypted, but this build of Haven encrypts the database file (feature `sqlcipher`); \
             encrypt it with `haven database encrypt`, or run a build without that feature",
            database.display()
        ),
        None if exists => bail!(
            "{} is encrypted but its key file {} is missing; restore it from your backup",
            database.display(),
            path(database).display()
        ),
        None => create(database, keks),
    }
}

/// Re-wraps the database key with `new` (master-key rotation). Returns whether there was one.
pub fn rewrap(database: &Path, keks: &[Arc<dyn KeyEncryptionKey>], new: &dyn KeyEncryptionKey) -> Result<bool> {
    let key_file = path(database);
    let Some(stored) = read(&key_file)? else {
        return Ok(false);
    };
    if stored.master_key_id != new.id() {
        let key = unwrap(&stored, keks)?;
        write(&key_file, new, &key)?;
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use crypto::kek::LocalKek;

    use super::*;

    fn kek() -> Result<Arc<dyn KeyEncryptionKey>> {
        Ok(Arc::new(LocalKek::from_hex(&LocalKek::generate_hex()?)?))
    }

    #[test]
    fn created_once_rewrapped_and_never_replaced() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let db = dir.path().join("haven.db");
        let (old, new) = (kek()?, kek()?);
        let key = load_or_create(&db, std::slice::from_ref(&old))?;
        assert_eq!(master_key_id(&db)?.as_deref(), Some(old.id()));
        // Loaded again: the same key, with the old master key current or not.
        assert_eq!(load_or_create(&db, &[Arc::clone(&new), Arc::clone(&old)])?.expose(), key.expose());

        assert!(rewrap(&db, &[Arc::clone(&new), Arc::clone(&old)], new.as_ref())?);
        assert_eq!(master_key_id(&db)?.as_deref(), Some(new.id()));
        assert_eq!(load_or_create(&db, std::slice::from_ref(&new))?.expose(), key.expose());
        let refused = load_or_create(&db, &[old]).err().map(|e| format!("{e:#}")).unwrap_or_default();
        assert!(refused.contains(new.id()), "{refused}");

        // A database without its key file never gets a new key, encrypted or plain.
        std::fs::write(&db, [0xa7; 4096])?;
        std::fs::remove_file(path(&db))?;
        let refused = load_or_create(&db, std::slice::from_ref(&new)).err().map(|e| format!("{e:#}"));
        assert!(refused.unwrap_or_default().contains("missing"));
        std::fs::write(&db, [b"SQLite format 3\0".as_slice(), &[0; 4080]].concat())?;
        let refused = load_or_create(&db, &[new]).err().map(|e| format!("{e:#}"));
        assert!(refused.unwrap_or_default().contains("is not encrypted"));
        assert!(!path(&db).exists());

        std::fs::write(path(&db), "haven-database-key/1 local:x zz")?;
        assert!(master_key_id(&db).is_err());
        Ok(())
    }
}
