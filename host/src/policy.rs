//! Loading policies: read, verify the pin, compile (or load from the cache), check the ABI,
//! pre-link, and read the ABI version and metadata once.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use wasmtime::{InstancePre, Module, Store};

use crate::cache::CacheStatus;
use crate::eval::{self, Exports};
use crate::limits::StoreState;
use crate::{Engine, Error, Fault, FaultKind, PolicyReport};
use crate::{abi, builtin};

/// A policy to load: a path and, optionally, the digest it is pinned to.
///
/// Parses from `path` or `path@sha256:<hex>`; the digest is that of the file's bytes as
/// given, the one `relgate inspect` prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyRef {
    /// The policy file (`.wasm` or `.wat`).
    pub path: PathBuf,
    /// The pinned digest, `sha256:<64 lowercase hex digits>`.
    pub pin: Option<String>,
}

impl PolicyRef {
    /// A reference without a pin.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        PolicyRef { path: path.into(), pin: None }
    }
}

impl FromStr for PolicyRef {
    type Err = Error;

    fn from_str(spec: &str) -> Result<Self, Error> {
        let Some((path, hex)) = spec.rsplit_once("@sha256:") else {
            return Ok(PolicyRef::new(spec));
        };
        if path.is_empty() || hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::InvalidPin { spec: spec.to_owned() });
        }
        Ok(PolicyRef { path: path.into(), pin: Some(format!("sha256:{}", hex.to_ascii_lowercase())) })
    }
}

impl fmt::Display for PolicyRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(pin) = &self.pin {
            write!(f, "@{pin}")?;
        }
        Ok(())
    }
}

/// The `sha256:<hex>` digest of a policy's bytes.
pub fn digest(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

/// A compiled, ABI-checked and pre-linked policy, ready to evaluate any number of times.
/// Each evaluation instantiates it afresh in its own store (see [`Policy::evaluate`]).
#[derive(Clone)]
pub struct Policy {
    pub(crate) engine: Engine,
    pub(crate) name: Arc<str>,
    pub(crate) path: Option<PathBuf>,
    pub(crate) digest: String,
    pub(crate) pre: InstancePre<StoreState>,
    metadata: Option<Value>,
    cache: CacheStatus,
}

impl fmt::Debug for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Policy")
            .field("name", &self.name)
            .field("path", &self.path)
            .field("digest", &self.digest)
            .finish_non_exhaustive()
    }
}

/// What `relgate inspect` shows of a policy file.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Inspection {
    /// The policy file.
    pub path: PathBuf,
    /// `sha256:<hex>` of the file's bytes.
    pub digest: String,
    /// The file's size in bytes.
    pub size: usize,
    /// The ABI version the policy reports, when it could be read.
    pub abi_version: Option<i32>,
    /// Imports, as `module::name: type`.
    pub imports: Vec<String>,
    /// Exports, as `name: type`.
    pub exports: Vec<String>,
    /// The policy's metadata document, if it exports one.
    pub metadata: Option<Value>,
    /// Why relgate refuses to run the policy, if it does.
    pub problem: Option<Fault>,
}

/// A policy ready to take part in an evaluation: loaded, or refused with the report of its
/// fault (which then stands as its decision).
#[derive(Debug, Clone)]
pub enum Loaded {
    /// Loaded and ready.
    Policy(Policy),
    /// Refused while loading; the report carries the fault and the fault decision.
    Refused(PolicyReport),
}

impl Loaded {
    /// Evaluates the input (already serialized as JSON), or repeats the refusal.
    pub fn evaluate_json(&self, input: &[u8]) -> PolicyReport {
        match self {
            Loaded::Policy(policy) => policy.evaluate_json(input),
            Loaded::Refused(report) => report.clone(),
        }
    }
}

impl Engine {
    /// Loads a policy to evaluate: a policy refused for its ABI, or for a fault while it was
    /// instantiated, comes back as [`Loaded::Refused`] so it still takes part (fail-closed);
    /// any other error (an unreadable file, invalid wasm, a pin mismatch) is returned.
    pub fn load_for_evaluation(&self, policy: &PolicyRef) -> Result<Loaded, Error> {
        match self.load(policy) {
            Ok(policy) => Ok(Loaded::Policy(policy)),
            Err(e) => PolicyReport::refused(&e, self.config().on_fault).map(Loaded::Refused).ok_or(e),
        }
    }

    /// Loads a policy file, verifying its pin if it has one.
    pub fn load(&self, policy: &PolicyRef) -> Result<Policy, Error> {
        let path = &policy.path;
        let bytes = builtin::read(path)?;
        let digest = digest(&bytes);
        if let Some(expected) = &policy.pin
            && *expected != digest
        {
            return Err(Error::DigestMismatch { path: path.clone(), expected: expected.clone(), actual: digest });
        }
        self.load_checked(&builtin::policy_name(path), Some(path), &bytes, digest)
    }

    /// Loads a policy from bytes (binary or WAT text); `name` labels it in reports and errors
    /// until its metadata names it.
    pub fn load_bytes(&self, name: &str, bytes: &[u8]) -> Result<Policy, Error> {
        self.load_checked(name, None, bytes, digest(bytes))
    }

    /// Describes a policy file: its digest, imports, exports, ABI version and metadata, and
    /// why relgate would refuse it, if it would.
    pub fn inspect(&self, path: &Path) -> Result<Inspection, Error> {
        let bytes = builtin::read(path)?;
        let digest = digest(&bytes);
        let (module, _) = self.compile(path, &bytes, &digest)?;
        let imports =
            module.imports().map(|i| format!("{}::{}: {}", i.module(), i.name(), abi::describe(&i.ty()))).collect();
        let exports = module.exports().map(|e| format!("{}: {}", e.name(), abi::describe(&e.ty()))).collect();
        let mut inspection = Inspection {
            path: path.into(),
            digest,
            size: bytes.len(),
            abi_version: None,
            imports,
            exports,
            metadata: None,
            problem: None,
        };
        let checked = abi::check_module(&module).and_then(|()| self.pre_link(&module));
        match checked.and_then(|pre| self.describe(&pre, "inspect")) {
            Ok((version, metadata)) => {
                inspection.abi_version = Some(version);
                inspection.metadata = metadata;
            }
            Err(fault) => inspection.problem = Some(fault),
        }
        Ok(inspection)
    }

    fn load_checked(&self, name: &str, path: Option<&Path>, bytes: &[u8], digest: String) -> Result<Policy, Error> {
        let label = path.map_or_else(|| PathBuf::from(name), Path::to_path_buf);
        let refused = |fault: Fault| Error::PolicyFault { path: label.clone(), digest: digest.clone(), fault };
        let (module, cache) = self.compile(&label, bytes, &digest)?;
        abi::check_module(&module).map_err(refused)?;
        let pre = self.pre_link(&module).map_err(refused)?;
        let (_, metadata) = self.describe(&pre, name).map_err(refused)?;
        let name = metadata
            .as_ref()
            .and_then(|m| m.get("name"))
            .and_then(Value::as_str)
            .filter(|n| !n.is_empty())
            .unwrap_or(name);
        tracing::debug!(policy = name, %digest, ?cache, "policy loaded");
        Ok(Policy {
            engine: self.clone(),
            name: name.into(),
            path: path.map(Path::to_path_buf),
            digest,
            pre,
            metadata,
            cache,
        })
    }

    fn compile(&self, path: &Path, bytes: &[u8], digest: &str) -> Result<(Module, CacheStatus), Error> {
        let key = digest.trim_start_matches("sha256:");
        let status = match self.cache() {
            Some(cache) => match cache.load(self.wasm(), key) {
                Ok(module) => return Ok((module, CacheStatus::Hit)),
                Err(status) => status,
            },
            None => CacheStatus::Disabled,
        };
        let module = Module::new(self.wasm(), bytes)
            .map_err(|e| Error::CompilePolicy { path: path.into(), source: e.into_boxed_dyn_error() })?;
        if let Some(cache) = self.cache() {
            cache.store(key, &module);
        }
        Ok((module, status))
    }

    fn pre_link(&self, module: &Module) -> Result<InstancePre<StoreState>, Fault> {
        self.linker()
            .instantiate_pre(module)
            .map_err(|e| Fault::new(FaultKind::BadAbi, format!("cannot link the policy: {e:#}")))
    }

    /// Instantiates once to read the ABI version (which must be 1) and the metadata.
    fn describe(&self, pre: &InstancePre<StoreState>, name: &str) -> Result<(i32, Option<Value>), Fault> {
        let mut store = self.new_store(name.into());
        let exports = eval::instantiate(&mut store, pre)?;
        let version = exports.abi_version(&mut store)?;
        if version != abi::VERSION {
            return Err(Fault::new(
                FaultKind::BadAbi,
                format!(
                    "`{}` returned {version}, but this relgate implements ABI version {}",
                    abi::ABI_VERSION,
                    abi::VERSION
                ),
            ));
        }
        let metadata = read_metadata(&mut store, &exports)?;
        Ok((version, metadata))
    }
}

fn read_metadata(store: &mut Store<StoreState>, exports: &Exports) -> Result<Option<Value>, Fault> {
    let Some(bytes) = exports.metadata(store)? else {
        return Ok(None);
    };
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(value @ Value::Object(_)) => Ok(Some(value)),
        Ok(_) => Err(Fault::new(FaultKind::BadOutput, "`relgate_metadata` returned JSON that is not an object")),
        Err(e) => Err(Fault::new(FaultKind::BadOutput, format!("`relgate_metadata` returned invalid JSON: {e}"))),
    }
}

impl Policy {
    /// The policy's name: its metadata `name`, else the file stem.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The file it was loaded from, if any.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// `sha256:<hex>` of the policy's bytes as given.
    pub fn digest(&self) -> &str {
        &self.digest
    }

    /// The metadata document the policy exports, if any.
    pub fn metadata(&self) -> Option<&Value> {
        self.metadata.as_ref()
    }

    /// Whether the compiled code came from the cache.
    pub fn cache_status(&self) -> CacheStatus {
        self.cache
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_parse_and_malformed_pins_are_rejected() {
        let hex = "ab".repeat(32);
        let r: PolicyRef = format!("p/x.wasm@sha256:{}", hex.to_uppercase()).parse().unwrap();
        assert_eq!(r.path, PathBuf::from("p/x.wasm"));
        assert_eq!(r.pin, Some(format!("sha256:{hex}")));
        let plain: PolicyRef = "dir@v2/x.wasm".parse().unwrap();
        assert_eq!(plain, PolicyRef::new("dir@v2/x.wasm"));
        for bad in ["x.wasm@sha256:abc", &format!("@sha256:{hex}"), &format!("x@sha256:{}", "zz".repeat(32))] {
            assert!(matches!(bad.parse::<PolicyRef>(), Err(Error::InvalidPin { .. })), "{bad}");
        }
    }

    #[test]
    fn digest_is_sha256_of_the_bytes() {
        assert_eq!(digest(b""), "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }
}
