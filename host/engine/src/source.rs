//! Where a policy comes from, and how a caller names one to load.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use serde::{Serialize, Serializer};

use crate::{Digest, Error};

/// How a built-in policy is addressed: `builtin:<name>`.
pub const BUILTIN_PREFIX: &str = "builtin:";

/// Where a policy's bytes come from. It names the policy in reports and errors.
#[derive(Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PolicySource {
    /// A `.wasm` or `.wat` file.
    File(PathBuf),
    /// A policy compiled into relgate (`builtin:<name>`), by name.
    Builtin(String),
    /// Bytes (binary or WAT text) given by the caller, under a name.
    Bytes {
        /// What reports and errors call the policy.
        name: String,
        /// The policy.
        bytes: Arc<[u8]>,
    },
}

impl fmt::Debug for PolicySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PolicySource::File(path) => f.debug_tuple("File").field(path).finish(),
            PolicySource::Builtin(name) => f.debug_tuple("Builtin").field(name).finish(),
            PolicySource::Bytes { name, bytes } => {
                f.debug_struct("Bytes").field("name", name).field("len", &bytes.len()).finish()
            }
        }
    }
}

impl PolicySource {
    /// The policy's name until its metadata gives one: a file's stem, a built-in's name, or
    /// the name given with the bytes (whole: `gate.v2` stays `gate.v2`).
    pub fn default_name(&self) -> String {
        match self {
            PolicySource::File(path) => {
                path.file_stem().map_or_else(|| path.display().to_string(), |s| s.to_string_lossy().into_owned())
            }
            PolicySource::Builtin(name) | PolicySource::Bytes { name, .. } => name.clone(),
        }
    }

    /// The file, for a policy read from one.
    pub fn path(&self) -> Option<&Path> {
        match self {
            PolicySource::File(path) => Some(path),
            _ => None,
        }
    }
}

impl fmt::Display for PolicySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PolicySource::File(path) => write!(f, "{}", path.display()),
            PolicySource::Builtin(name) => write!(f, "{BUILTIN_PREFIX}{name}"),
            PolicySource::Bytes { name, .. } => f.write_str(name),
        }
    }
}

impl Serialize for PolicySource {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// A policy to load: a file or a built-in, and optionally the digest it is pinned to.
///
/// Parses from `path`, `builtin:<name>`, and either followed by `@sha256:<hex>`; the digest
/// is that of the bytes as given, the one `relgate inspect` prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyRef {
    /// Where the policy is.
    pub source: PolicySource,
    /// The digest its bytes must have, if pinned.
    pub pin: Option<Digest>,
}

impl PolicyRef {
    /// A policy file, unpinned.
    pub fn file(path: impl Into<PathBuf>) -> Self {
        PolicyRef { source: PolicySource::File(path.into()), pin: None }
    }

    /// A policy given as bytes (binary or WAT text) under `name`, unpinned.
    pub fn bytes(name: impl Into<String>, bytes: impl Into<Arc<[u8]>>) -> Self {
        PolicyRef { source: PolicySource::Bytes { name: name.into(), bytes: bytes.into() }, pin: None }
    }

    /// A built-in policy by name (`readiness`), unpinned.
    pub fn builtin(name: impl Into<String>) -> Self {
        PolicyRef { source: PolicySource::Builtin(name.into()), pin: None }
    }

    /// The same policy, pinned to `digest`.
    pub fn pinned(self, digest: Digest) -> Self {
        PolicyRef { pin: Some(digest), ..self }
    }
}

impl FromStr for PolicyRef {
    type Err = Error;

    fn from_str(spec: &str) -> Result<Self, Error> {
        let (location, pin) = match spec.rsplit_once("@sha256:") {
            Some((location, _)) => {
                let digest = spec[location.len() + 1..].parse().map_err(|_| Error::InvalidPin { spec: spec.into() })?;
                if location.is_empty() {
                    return Err(Error::InvalidPin { spec: spec.into() });
                }
                (location, Some(digest))
            }
            None => (spec, None),
        };
        let source = match location.strip_prefix(BUILTIN_PREFIX) {
            Some(name) => PolicySource::Builtin(name.to_owned()),
            None => PolicySource::File(location.into()),
        };
        Ok(PolicyRef { source, pin })
    }
}

impl fmt::Display for PolicyRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.source)?;
        if let Some(pin) = &self.pin {
            write!(f, "@{pin}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_parse_with_and_without_pins() {
        let hex = "ab".repeat(32);
        let r: PolicyRef = format!("p/x.wasm@sha256:{}", hex.to_uppercase()).parse().unwrap();
        assert_eq!(r.source, PolicySource::File("p/x.wasm".into()));
        assert_eq!(r.pin.map(|d| d.hex()), Some(hex.clone()));
        assert_eq!("dir@v2/x.wasm".parse::<PolicyRef>().unwrap(), PolicyRef::file("dir@v2/x.wasm"));
        let builtin: PolicyRef = format!("builtin:canary@sha256:{hex}").parse().unwrap();
        assert_eq!(builtin.source, PolicySource::Builtin("canary".into()));
        assert_eq!(builtin.to_string(), format!("builtin:canary@sha256:{hex}"));
        for bad in ["x.wasm@sha256:abc", &format!("@sha256:{hex}"), &format!("x@sha256:{}", "zz".repeat(32))] {
            assert!(matches!(bad.parse::<PolicyRef>(), Err(Error::InvalidPin { .. })), "{bad}");
        }
    }

    #[test]
    fn default_names() {
        let cases = [
            (PolicySource::File("policies/gate.v2.wasm".into()), "gate.v2"),
            (PolicySource::Builtin("readiness".into()), "readiness"),
            (PolicyRef::bytes("gate.v2", &b"(module)"[..]).source, "gate.v2"),
        ];
        for (source, name) in cases {
            assert_eq!(source.default_name(), name, "{source}");
        }
    }
}
