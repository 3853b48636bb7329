//! The on-disk cache of compiled policies.
//!
//! Entries live under `<cache dir>/<engine key>/<module sha256>.cwasm`, where the engine key
//! hashes relgate's version and wasmtime's compatibility hash (wasmtime version, target and
//! every setting that affects code generation, limits included). Each entry carries the
//! sha256 of its payload; a truncated or corrupt entry fails that check and a stale one fails
//! wasmtime's own header check, and both are recompiled and rewritten, never loaded.
//! The cache directory is created private to the user (mode 0700): anyone who can write to
//! it could otherwise plant native code.

use std::fs;
use std::hash::{Hash, Hasher};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use wasmtime::Module;

const MAGIC: &[u8] = b"relgate-module-cache-v1\n";
const CHECKSUM_LEN: usize = 32;

/// Where a loaded policy's compiled code came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CacheStatus {
    /// Compiled; the cache is disabled.
    Disabled,
    /// Loaded from the cache.
    Hit,
    /// Compiled and stored: there was no entry.
    Miss,
    /// Compiled and stored again: the entry was truncated or corrupt.
    Corrupt,
    /// Compiled and stored again: the entry came from an incompatible build.
    Stale,
}

pub(crate) struct Cache {
    dir: PathBuf,
}

impl Cache {
    /// Opens (creating it if needed) the part of `root` for this engine.
    pub(crate) fn open(root: &Path, engine: &wasmtime::Engine) -> io::Result<Cache> {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        env!("CARGO_PKG_VERSION").hash(&mut hasher);
        engine.precompile_compatibility_hash().hash(&mut hasher);
        let dir = root.join(format!("{:016x}", hasher.finish()));
        create_private_dir(&dir)?;
        Ok(Cache { dir })
    }

    fn entry(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{key}.cwasm"))
    }

    /// The module cached under `key`, or why there is none.
    pub(crate) fn load(&self, engine: &wasmtime::Engine, key: &str) -> Result<Module, CacheStatus> {
        let path = self.entry(key);
        let bytes = match fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(CacheStatus::Miss),
            Err(e) => {
                tracing::warn!(path = %path.display(), "cannot read cache entry: {e}");
                return Err(CacheStatus::Corrupt);
            }
        };
        let Some(payload) = verified_payload(&bytes) else {
            tracing::warn!(path = %path.display(), "cache entry is corrupt; recompiling");
            return Err(CacheStatus::Corrupt);
        };
        // SAFETY: `payload` is byte for byte what `Module::serialize` wrote into this
        // engine-specific, user-private directory (its sha256 matches the one stored with
        // it), and wasmtime checks its header against this engine before using it.
        match unsafe { Module::deserialize(engine, payload) } {
            Ok(module) => Ok(module),
            Err(e) => {
                tracing::info!(path = %path.display(), "cache entry is stale ({e}); recompiling");
                Err(CacheStatus::Stale)
            }
        }
    }

    /// Stores `module` under `key`, atomically. Failure only costs a recompile next time,
    /// so it is logged, not returned.
    pub(crate) fn store(&self, key: &str, module: &Module) {
        let path = self.entry(key);
        let result = module.serialize().map_err(io::Error::other).and_then(|payload| {
            let mut file = tempfile::NamedTempFile::new_in(&self.dir)?;
            file.write_all(MAGIC)?;
            file.write_all(&Sha256::digest(&payload))?;
            file.write_all(&payload)?;
            file.persist(&path).map_err(|e| e.error)?;
            Ok(())
        });
        if let Err(e) = result {
            tracing::warn!(path = %path.display(), "cannot write cache entry: {e}");
        }
    }
}

fn verified_payload(bytes: &[u8]) -> Option<&[u8]> {
    let rest = bytes.strip_prefix(MAGIC)?;
    let (checksum, payload) = rest.split_at_checked(CHECKSUM_LEN)?;
    (Sha256::digest(payload).as_slice() == checksum).then_some(payload)
}

fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_checksum_is_verified() {
        let payload = b"compiled code";
        let mut entry = MAGIC.to_vec();
        entry.extend_from_slice(&Sha256::digest(payload));
        entry.extend_from_slice(payload);
        assert_eq!(verified_payload(&entry), Some(&payload[..]));

        let mut flipped = entry.clone();
        *flipped.last_mut().unwrap() ^= 1;
        assert_eq!(verified_payload(&flipped), None);
        assert_eq!(verified_payload(&entry[..MAGIC.len() + 10]), None);
        assert_eq!(verified_payload(b"garbage"), None);
    }
}
