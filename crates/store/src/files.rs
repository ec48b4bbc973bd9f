//! Where large sealed values (documents' content) are kept: beside the database, not in it, so
//! that the database stays small and fast to back up and key rotation never rewrites them (each
//! is sealed under a key of its own, which the database holds sealed).
//!
//! A value is named by its practice and its id; both are ids Haven made, never user input.

use std::io::Write;
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use domain::PracticeId;

use crate::{Result, StoreError};

#[async_trait]
pub trait FileStore: Send + Sync + std::fmt::Debug {
    /// Stores `bytes` as `id` durably before returning: an acknowledged upload survives a
    /// crash. `Conflict` if `id` exists (a value is written once).
    async fn put(&self, practice: PracticeId, id: &str, bytes: Vec<u8>) -> Result<()>;
    /// The value stored as `id`, if there is one.
    async fn get(&self, practice: PracticeId, id: &str) -> Result<Option<Vec<u8>>>;
    /// Removes `id` if it exists (an upload whose row could not be written).
    async fn remove(&self, practice: PracticeId, id: &str) -> Result<()>;
}

/// Files in a directory: `<root>/<practice>/<id>`, private to the server's user.
#[derive(Debug, Clone)]
pub struct DirectoryFiles {
    root: PathBuf,
}

impl DirectoryFiles {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        DirectoryFiles { root: root.into() }
    }

    fn path(&self, practice: PracticeId, id: &str) -> Result<PathBuf> {
        let plain = !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if !plain {
            return Err(StoreError::Corrupt(format!("{id:?} is not a file id")));
        }
        Ok(self.root.join(practice.to_string()).join(id))
    }
}

fn io(what: &str, e: std::io::Error) -> StoreError {
    StoreError::Backend(format!("{what}: {e}"))
}

async fn blocking<T: Send + 'static>(work: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(work).await.map_err(|e| StoreError::Backend(format!("file task failed: {e}")))?
}

/// Writes `bytes` to a temporary file, flushes it to disk, then renames it into place and
/// flushes the directory: the file is whole or absent, never partial.
fn write_durably(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().ok_or_else(|| StoreError::Corrupt("a file path without a directory".into()))?;
    create_private_dir(dir)?;
    if path.exists() {
        return Err(StoreError::Conflict("file id"));
    }
    let temporary = path.with_extension("partial");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&temporary).map_err(|e| io("cannot create a document file", e))?;
    file.write_all(bytes).and_then(|()| file.sync_all()).map_err(|e| io("cannot write a document file", e))?;
    std::fs::rename(&temporary, path).map_err(|e| io("cannot place a document file", e))?;
    std::fs::File::open(dir).and_then(|d| d.sync_all()).map_err(|e| io("cannot flush the documents directory", e))
}

fn create_private_dir(dir: &Path) -> Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(|e| io("cannot create the documents directory", e))
}

#[async_trait]
impl FileStore for DirectoryFiles {
    async fn put(&self, practice: PracticeId, id: &str, bytes: Vec<u8>) -> Result<()> {
        let path = self.path(practice, id)?;
        blocking(move || write_durably(&path, &bytes)).await
    }

    async fn get(&self, practice: PracticeId, id: &str) -> Result<Option<Vec<u8>>> {
        let path = self.path(practice, id)?;
        blocking(move || match std::fs::read(&path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io("cannot read a document file", e)),
        })
        .await
    }

    async fn remove(&self, practice: PracticeId, id: &str) -> Result<()> {
        let path = self.path(practice, id)?;
        blocking(move || match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io("cannot remove a document file", e)),
            _ => Ok(()),
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread().build().expect("a runtime")
    }

    #[test]
    fn files_are_written_once_read_back_and_kept_private() -> Result<()> {
        let root = std::env::temp_dir().join(format!("haven-files-{}", PracticeId::random()));
        let files = DirectoryFiles::new(&root);
        let (a, b) = (PracticeId::random(), PracticeId::random());
        runtime().block_on(async {
            files.put(a, "doc-1", b"sealed bytes".to_vec()).await?;
            assert_eq!(files.get(a, "doc-1").await?.as_deref(), Some(&b"sealed bytes"[..]));
            assert_eq!(files.get(b, "doc-1").await?, None, "another practice's directory");
            assert!(matches!(files.put(a, "doc-1", b"other".to_vec()).await, Err(StoreError::Conflict(_))));
            assert_eq!(files.get(a, "doc-1").await?.as_deref(), Some(&b"sealed bytes"[..]), "not overwritten");
            for id in ["../doc-1", "", "a/b", "doc.1"] {
                assert!(matches!(files.get(a, id).await, Err(StoreError::Corrupt(_))), "{id:?}");
            }
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = |p: PathBuf| std::fs::metadata(p).map(|m| m.permissions().mode() & 0o777).ok();
                assert_eq!(mode(root.join(a.to_string()).join("doc-1")), Some(0o600));
                assert_eq!(mode(root.join(a.to_string())), Some(0o700));
            }
            assert!(!root.join(a.to_string()).join("doc-1.partial").exists());
            files.remove(a, "doc-1").await?;
            files.remove(a, "doc-1").await?;
            assert_eq!(files.get(a, "doc-1").await?, None);
            Ok::<_, StoreError>(())
        })?;
        std::fs::remove_dir_all(root).ok();
        Ok(())
    }
}
