//! WAL archiving on PostgreSQL, for point-in-time recovery between backups. PostgreSQL's
//! `archive_command` runs `haven backup archive-wal %p %f`: each finished WAL file is written
//! encrypted to `backup_recipients` as `backup_dir/wal/NAME.age`, beside `NAME.sha256`, the
//! hash of its plain content. A restore with `--until` replays them, decrypted one at a time by
//! `haven backup restore-wal`, which the private server runs as its `restore_command`.

use std::io::Write;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use crypto::age::{Decryptor, Encryptor, Identity};
use sha2::{Digest, Sha256};

use super::BackupConfig;

/// Where archived WAL goes, inside the backup directory.
pub fn dir(backup_dir: &Path) -> PathBuf {
    backup_dir.join("wal")
}

/// The names PostgreSQL archives: segments (24 hex digits), timeline histories and backup
/// history files. Anything else is refused before it becomes a path.
fn check_name(name: &str) -> Result<()> {
    let plain = name.len() <= 64 && !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '.');
    if !plain || name.starts_with('.') {
        bail!("{name:?} is not the name of a WAL file");
    }
    Ok(())
}

/// Archives the WAL file at `from` under `name`. PostgreSQL may archive a file again after a
/// crash: the same content is accepted as done, different content is refused, never overwritten.
pub fn archive(config: &BackupConfig, from: &Path, name: &str) -> Result<()> {
    check_name(name)?;
    if config.recipients.is_empty() {
        bail!("no backup_recipients are configured: WAL is only ever archived encrypted");
    }
    let dir = dir(&config.dir);
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&dir)
        .with_context(|| format!("cannot create {}", dir.display()))?;
    let plain =
        zeroize::Zeroizing::new(std::fs::read(from).with_context(|| format!("cannot read {}", from.display()))?);
    let hash = crypto::hex::encode(&Sha256::digest(plain.as_slice()));
    let (target, sum) = (dir.join(format!("{name}.age")), dir.join(format!("{name}.sha256")));
    if target.exists() {
        let recorded = std::fs::read_to_string(&sum).unwrap_or_default();
        if recorded.trim() == hash {
            return Ok(());
        }
        bail!("{name} is archived already with other content; it is not overwritten");
    }
    let mut sealed = Encryptor::new(Vec::with_capacity(plain.len() + 4096), &config.recipients)?;
    sealed.write_all(&plain)?;
    let sealed = sealed.finish()?;
    // The hash first: a crash between the two leaves no archived file, and the next try writes both.
    crate::data_dir::write_private(&sum, hash.as_bytes())?;
    crate::data_dir::write_private(&target, &sealed)?;
    std::fs::File::open(&dir).and_then(|d| d.sync_all()).ok();
    Ok(())
}

/// Writes the archived WAL file `name` from `from` (a `wal` directory) to `to`, decrypted and
/// checked against its hash. `false` when it was never archived: PostgreSQL then knows recovery
/// has reached the end of the archive.
pub fn fetch(from: &Path, identities: &[Identity], name: &str, to: &Path) -> Result<bool> {
    check_name(name)?;
    let source = from.join(format!("{name}.age"));
    let file = match std::fs::File::open(&source) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", source.display())),
    };
    let mut plain = Vec::new();
    std::io::Read::read_to_end(&mut Decryptor::new(std::io::BufReader::new(file), identities)?, &mut plain)
        .with_context(|| format!("{} cannot be decrypted", source.display()))?;
    let recorded = std::fs::read_to_string(from.join(format!("{name}.sha256"))).unwrap_or_default();
    if recorded.trim() != crypto::hex::encode(&Sha256::digest(&plain)) {
        bail!("{name} does not match the hash recorded when it was archived");
    }
    std::fs::write(to, &plain).with_context(|| format!("cannot write {}", to.display()))?;
    Ok(true)
}

/// The WAL segment a copy starts from, from its `backup_label` ("… (file 0000000100…)").
pub fn start_segment(copy: &Path) -> Option<String> {
    let label = std::fs::read_to_string(copy.join("backup_label")).ok()?;
    let line = label.lines().find(|l| l.starts_with("START WAL LOCATION:"))?;
    let name = line.split("(file ").nth(1)?.trim_end_matches(')');
    (name.len() == 24 && name.chars().all(|c| c.is_ascii_hexdigit())).then(|| name.to_owned())
}

/// Deletes archived segments older than `oldest` (the start segment of the oldest backup kept):
/// no kept backup can replay them. History files stay. Returns how many were deleted.
pub fn prune(backup_dir: &Path, oldest: &str) -> Result<usize> {
    let entries = match std::fs::read_dir(dir(backup_dir)) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e.into()),
    };
    let mut deleted = 0;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(segment) = name.strip_suffix(".age") else { continue };
        // Same timeline and a lower position: the names of one timeline sort as they were written.
        let older = segment.len() == 24 && segment[..8] == oldest[..8] && *segment < *oldest;
        if older {
            std::fs::remove_file(entry.path())?;
            let _ = std::fs::remove_file(entry.path().with_extension("sha256"));
            deleted += 1;
        }
    }
    Ok(deleted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_archived_segment_comes_back_and_is_never_overwritten() {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let identity = Identity::generate();
        let config = BackupConfig {
            dir: tmp.path().join("backups"),
            recipients: vec![identity.recipient()],
            database_url: None,
            every: None,
            keep: 2,
        };
        let segment = tmp.path().join("000000010000000000000003");
        std::fs::write(&segment, b"a WAL segment's bytes").unwrap_or_else(|e| panic!("{e}"));
        let name = "000000010000000000000003";
        archive(&config, &segment, name).unwrap_or_else(|e| panic!("{e}"));
        archive(&config, &segment, name).unwrap_or_else(|e| panic!("the same content again: {e}"));
        std::fs::write(&segment, b"other bytes").unwrap_or_else(|e| panic!("{e}"));
        let refused = archive(&config, &segment, name).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(refused.contains("not overwritten"), "{refused}");

        let opens = || vec![Identity::parse(&identity.to_secret_string()).unwrap_or_else(|e| panic!("{e}"))];
        let out = tmp.path().join("restored");
        assert!(fetch(&dir(&config.dir), &opens(), name, &out).unwrap_or_else(|e| panic!("{e}")));
        assert_eq!(std::fs::read(&out).ok().as_deref(), Some(&b"a WAL segment's bytes"[..]));
        let missing = fetch(&dir(&config.dir), &opens(), "000000010000000000000004", &out);
        assert!(!missing.unwrap_or_else(|e| panic!("{e}")), "a segment never archived");
        assert!(fetch(&dir(&config.dir), &[Identity::generate()], name, &out).is_err(), "a stranger's key");
        for bad in ["../etc/passwd", "", ".hidden", "a/b"] {
            assert!(archive(&config, &segment, bad).is_err(), "{bad:?}");
        }

        assert_eq!(prune(&config.dir, "000000010000000000000004").ok(), Some(1));
        assert!(!dir(&config.dir).join(format!("{name}.age")).exists());
    }
}
