//! The on-disk cache of compiled policies, and why relgate may trust it.
//!
//! Entries live under `<cache dir>/<engine key>/<source sha256>.cwasm`, where the engine key
//! hashes relgate's version, wasmtime's compatibility hash (wasmtime version, target and
//! every setting that affects code generation, limits included) and the compile limits. An entry is native code,
//! so relgate trusts one only when all of this holds (the trust model is in `docs/abi.md`):
//!
//! - the cache directory, its engine folder and the entry are owned by the user relgate runs
//!   as and writable by no one else (as ssh checks its files); otherwise the entry is
//!   [`CacheStatus::Untrusted`] and the policy is compiled from its source;
//! - the entry names the digest of the source it was compiled from and the engine key, and
//!   both match what is being loaded: an entry copied over another policy's is refused;
//! - the sha256 over that header and the payload matches: a truncated or corrupt entry is
//!   refused;
//! - wasmtime's own header check accepts it: a stale entry is refused.
//!
//! A refused entry is recompiled and rewritten (a fresh file, private to the user), never
//! loaded.

use std::fs;
use std::hash::{Hash, Hasher};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest as _, Sha256};
use wasmtime::component::Component;
use wasmtime::{Module, Precompiled};

use crate::Digest;
use crate::policy::Code;

const MAGIC: &[u8] = b"relgate-module-cache-v2\n";
const DIGEST_LEN: usize = 32;
const ENGINE_KEY_LEN: usize = 8;
const CHECKSUM_LEN: usize = 32;
const HEADER_LEN: usize = MAGIC.len() + DIGEST_LEN + ENGINE_KEY_LEN + CHECKSUM_LEN;

/// Where a loaded policy's compiled code came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CacheStatus {
    /// Compiled; the cache is disabled (or its directory is not trusted).
    Disabled,
    /// Loaded from the cache.
    Hit,
    /// A built-in policy, loaded from the code precompiled into relgate when it was built.
    Precompiled,
    /// Compiled and stored: there was no entry.
    Miss,
    /// Compiled and stored again: the entry was truncated, corrupt, or made for other source.
    Corrupt,
    /// Compiled and stored again: the entry came from an incompatible build.
    Stale,
    /// Compiled and stored again: the entry is owned by another user or writable by others.
    Untrusted,
    /// Compiled, but the entry could not be written (a warning says why): the next load
    /// compiles again.
    Unwritable,
}

pub(crate) struct Cache {
    dir: PathBuf,
    engine_key: [u8; ENGINE_KEY_LEN],
}

impl Cache {
    /// Opens (creating it if needed) the part of `root` for this engine. A directory that is
    /// not the user's own, or that others may write to, is refused.
    pub(crate) fn open(root: &Path, engine: &wasmtime::Engine, config: &crate::Config) -> io::Result<Cache> {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        env!("CARGO_PKG_VERSION").hash(&mut hasher);
        engine.precompile_compatibility_hash().hash(&mut hasher);
        // An entry was compiled within these limits; under others it must be checked again.
        (config.max_module_size, config.max_functions, config.max_nesting, config.max_table_elements).hash(&mut hasher);
        let engine_key = hasher.finish().to_be_bytes();
        let dir = root.join(hex::encode(engine_key));
        // The root is checked before anything is created in it.
        create_private_dir(root)?;
        check_folder(root)?;
        create_private_dir(&dir)?;
        check_folder(&dir)?;
        Ok(Cache { dir, engine_key })
    }

    fn entry(&self, digest: &Digest) -> PathBuf {
        self.dir.join(format!("{}.cwasm", digest.hex()))
    }

    /// The code compiled from the source with `digest`, or why there is none.
    pub(crate) fn load(&self, engine: &wasmtime::Engine, digest: &Digest) -> Result<Code, CacheStatus> {
        let path = self.entry(digest);
        let bytes = read_trusted(&path)?;
        let Some(payload) = verified_payload(&bytes, digest, &self.engine_key) else {
            tracing::warn!(path = %path.display(), "cache entry is corrupt or was made for other code; recompiling");
            return Err(CacheStatus::Corrupt);
        };
        // SAFETY: `payload` is byte for byte what `Module::serialize` or
        // `Component::serialize` wrote for this source digest and engine key (the sha256 over
        // them matches), in an engine-specific directory and a file that only this user owns
        // and can write, and wasmtime checks its header against this engine before using it.
        let code = match wasmtime::Engine::detect_precompiled(payload) {
            Some(Precompiled::Component) => unsafe { Component::deserialize(engine, payload) }.map(Code::Component),
            _ => unsafe { Module::deserialize(engine, payload) }.map(Code::Module),
        };
        match code {
            Ok(code) => Ok(code),
            Err(e) => {
                tracing::info!(path = %path.display(), "cache entry is stale ({e}); recompiling");
                Err(CacheStatus::Stale)
            }
        }
    }

    /// Stores `code` compiled from the source with `digest`, atomically, in a file private
    /// to the user; whether it was written. Failure only costs a recompile next time, so it
    /// is logged and the load goes on.
    pub(crate) fn store(&self, digest: &Digest, code: &Code) -> bool {
        let path = self.entry(digest);
        let payload = match code {
            Code::Module(module) => module.serialize(),
            Code::Component(component) => component.serialize(),
        };
        let result = payload.map_err(io::Error::other).and_then(|payload| {
            // NamedTempFile creates the file with mode 0600.
            let mut file = tempfile::NamedTempFile::new_in(&self.dir)?;
            file.write_all(MAGIC)?;
            file.write_all(digest.as_bytes())?;
            file.write_all(&self.engine_key)?;
            file.write_all(&checksum(digest, &self.engine_key, &payload))?;
            file.write_all(&payload)?;
            file.persist(&path).map_err(|e| e.error)?;
            Ok(())
        });
        if let Err(e) = &result {
            tracing::warn!(path = %path.display(), "cannot write cache entry: {e}");
        }
        result.is_ok()
    }
}

/// Refuses a cache folder that is not the user's own or that others may write to.
fn check_folder(folder: &Path) -> io::Result<()> {
    match untrusted(&fs::metadata(folder)?) {
        None => Ok(()),
        Some(problem) => Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!("{} {problem}; give relgate a cache folder of its user's own", folder.display()),
        )),
    }
}

/// Reads an entry, only if it is a regular file this user owns and no one else may write.
fn read_trusted(path: &Path) -> Result<Vec<u8>, CacheStatus> {
    let mut file = match fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(CacheStatus::Miss),
        Err(e) => {
            tracing::warn!(path = %path.display(), "cannot read cache entry: {e}");
            return Err(CacheStatus::Corrupt);
        }
    };
    // The checks apply to the file opened, not to whatever the path names a moment later.
    let metadata = file.metadata().map_err(|_| CacheStatus::Corrupt)?;
    if !metadata.is_file() {
        tracing::warn!(path = %path.display(), "cache entry is not a regular file; recompiling");
        return Err(CacheStatus::Untrusted);
    }
    if let Some(problem) = untrusted(&metadata) {
        tracing::warn!(path = %path.display(), "cache entry {problem}; not trusting it, recompiling");
        return Err(CacheStatus::Untrusted);
    }
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).map_err(|e| {
        tracing::warn!(path = %path.display(), "cannot read cache entry: {e}");
        CacheStatus::Corrupt
    })?;
    Ok(bytes)
}

/// Why a file or folder may not be trusted with native code, if it may not: another owner,
/// or write access for group or others.
#[cfg(unix)]
fn untrusted(metadata: &fs::Metadata) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    if metadata.uid() != me {
        return Some(format!("is owned by user id {}, not by this user ({me}): not trusted", metadata.uid()));
    }
    let mode = metadata.mode() & 0o7777;
    (mode & 0o022 != 0).then(|| format!("is writable by group or others (mode {mode:04o}; `chmod go-w` fixes it)"))
}

#[cfg(not(unix))]
fn untrusted(_: &fs::Metadata) -> Option<String> {
    None
}

fn checksum(digest: &Digest, engine_key: &[u8; ENGINE_KEY_LEN], payload: &[u8]) -> [u8; CHECKSUM_LEN] {
    let mut hasher = Sha256::new();
    hasher.update(MAGIC);
    hasher.update(digest.as_bytes());
    hasher.update(engine_key);
    hasher.update(payload);
    hasher.finalize().into()
}

/// The payload of an entry made for the source `digest` on this engine, if it is one.
fn verified_payload<'a>(bytes: &'a [u8], digest: &Digest, engine_key: &[u8; ENGINE_KEY_LEN]) -> Option<&'a [u8]> {
    if bytes.len() < HEADER_LEN {
        return None;
    }
    let rest = bytes.strip_prefix(MAGIC)?;
    let (source, rest) = rest.split_at(DIGEST_LEN);
    let (key, rest) = rest.split_at(ENGINE_KEY_LEN);
    let (sum, payload) = rest.split_at(CHECKSUM_LEN);
    let bound = source == digest.as_bytes() && key == engine_key;
    (bound && sum == checksum(digest, engine_key, payload)).then_some(payload)
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

    fn entry(digest: &Digest, key: &[u8; ENGINE_KEY_LEN], payload: &[u8]) -> Vec<u8> {
        let mut entry = MAGIC.to_vec();
        entry.extend_from_slice(digest.as_bytes());
        entry.extend_from_slice(key);
        entry.extend_from_slice(&checksum(digest, key, payload));
        entry.extend_from_slice(payload);
        entry
    }

    #[test]
    fn entries_are_bound_to_their_source_engine_and_payload() {
        let (source, other) = (Digest::of(b"policy"), Digest::of(b"another policy"));
        let key = [7u8; ENGINE_KEY_LEN];
        let payload = b"compiled code";
        let good = entry(&source, &key, payload);
        assert_eq!(verified_payload(&good, &source, &key), Some(&payload[..]));

        let mut flipped = good.clone();
        *flipped.last_mut().unwrap() ^= 1;
        // (entry, digest asked for, engine key, why it is refused)
        let refused: [(&[u8], Digest, [u8; ENGINE_KEY_LEN], &str); 6] = [
            (&good, other, key, "made from other source"),
            (&good, source, [8; ENGINE_KEY_LEN], "made by another engine"),
            (&entry(&other, &key, payload), source, key, "another policy's entry copied over"),
            (&flipped, source, key, "a flipped payload byte"),
            (&good[..HEADER_LEN - 1], source, key, "truncated"),
            (b"garbage", source, key, "not an entry"),
        ];
        for (bytes, digest, key, why) in refused {
            assert_eq!(verified_payload(bytes, &digest, &key), None, "{why}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn files_others_may_write_are_not_trusted() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("entry");
        fs::write(&path, b"x").unwrap();
        for (mode, trusted) in [(0o600, true), (0o644, true), (0o620, false), (0o602, false), (0o666, false)] {
            fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
            assert_eq!(untrusted(&fs::metadata(&path).unwrap()).is_none(), trusted, "mode {mode:o}");
        }
        // Another owner: `/` is root's; as root, a file given away to `nobody`.
        // SAFETY: geteuid has no preconditions.
        let other = if unsafe { libc::geteuid() } == 0 {
            std::os::unix::fs::chown(&path, Some(65534), None).unwrap();
            path.clone()
        } else {
            std::path::PathBuf::from("/")
        };
        let problem = untrusted(&fs::metadata(&other).unwrap()).expect("another user's file is not trusted");
        assert!(problem.contains("is owned by user id"), "{problem}");
    }
}
