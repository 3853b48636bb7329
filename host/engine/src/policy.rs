//! Loading policies: read, verify the pin, compile (or load from the cache), check the ABI
//! (ABI v1 for a core module, the world `relgate:policy@1.0.0` for a component), pre-link,
//! and read the ABI version and metadata once.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;
use wasmtime::component::Component;
use wasmtime::{InstancePre, Module, Store};

use crate::cache::CacheStatus;
use crate::eval::{self, Instance};
use crate::limits::{self, StoreState};
use crate::{Config, Digest, Engine, Error, Fault, FaultKind, Limit, LimitHit, PolicyRef, PolicySource};
use crate::{abi, builtin, component};

/// What kind of WebAssembly a policy is, told from its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PolicyKind {
    /// A core module implementing ABI v1 (`docs/abi.md`).
    Module,
    /// A component implementing the world `relgate:policy@1.0.0` (`sdk/wit/policy.wit`).
    Component,
}

/// A policy's compiled code.
#[derive(Clone)]
pub(crate) enum Code {
    Module(Module),
    Component(Component),
}

impl Code {
    fn kind(&self) -> PolicyKind {
        match self {
            Code::Module(_) => PolicyKind::Module,
            Code::Component(_) => PolicyKind::Component,
        }
    }
}

/// What loading reads of a policy: a core module's ABI version, and the metadata.
type Described = (Option<i32>, Option<Value>);

/// A policy's code checked against its ABI and pre-linked: what each evaluation instantiates.
#[derive(Clone)]
pub(crate) enum Pre {
    Module(InstancePre<StoreState>),
    Component(component::Pre),
}

/// A compiled, ABI-checked and pre-linked policy, ready to evaluate any number of times.
/// Each evaluation instantiates it afresh in its own store (see [`Engine::evaluate`]).
#[derive(Clone)]
pub struct Policy {
    pub(crate) engine: Engine,
    pub(crate) name: Arc<str>,
    pub(crate) source: PolicySource,
    pub(crate) digest: Digest,
    pub(crate) pre: Pre,
    metadata: Option<Value>,
    cache: CacheStatus,
}

impl fmt::Debug for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Policy")
            .field("name", &self.name)
            .field("source", &self.source)
            .field("digest", &self.digest)
            .finish_non_exhaustive()
    }
}

/// What `relgate inspect` shows of a policy.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Inspection {
    /// The policy.
    pub source: PolicySource,
    /// The digest of its bytes.
    pub digest: Digest,
    /// The file's size in bytes.
    pub size: usize,
    /// A core module or a component.
    pub kind: PolicyKind,
    /// The ABI version a core module reports, when it could be read.
    pub abi_version: Option<i32>,
    /// The world a component implements, when it does (`relgate:policy@1.0.0`).
    pub world: Option<&'static str>,
    /// Imports, as `module::name: type` (a component's as `name: type`).
    pub imports: Vec<String>,
    /// Exports, as `name: type`.
    pub exports: Vec<String>,
    /// The policy's metadata document, if it exports one.
    pub metadata: Option<Value>,
    /// Why relgate refuses to run the policy, if it does.
    pub problem: Option<Fault>,
}

impl Engine {
    /// Loads a policy, verifying its pin if it has one.
    pub fn load(&self, policy: &PolicyRef) -> Result<Policy, Error> {
        let bytes = read(&policy.source, self.config().max_module_size)?;
        let digest = Digest::of(&bytes);
        if let Some(expected) = policy.pin
            && expected != digest
        {
            return Err(Error::DigestMismatch { policy: policy.source.clone(), expected, actual: digest });
        }
        self.load_checked(policy.source.clone(), &bytes, digest)
    }

    /// Loads a policy from bytes (binary or WAT text); `name` labels it in reports and errors
    /// until its metadata names it. The same as [`Engine::load`] of [`PolicyRef::bytes`].
    pub fn load_bytes(&self, name: &str, bytes: &[u8]) -> Result<Policy, Error> {
        self.load(&PolicyRef::bytes(name, bytes))
    }

    /// Describes a policy: its digest, imports, exports, ABI version and metadata, and why
    /// relgate would refuse it, if it would.
    pub fn inspect(&self, source: &PolicySource) -> Result<Inspection, Error> {
        let bytes = read(source, self.config().max_module_size)?;
        let digest = Digest::of(&bytes);
        let (code, _) = self.compile(source, &bytes, &digest)?;
        let (imports, exports) = match &code {
            Code::Module(module) => (
                module.imports().map(|i| format!("{}::{}: {}", i.module(), i.name(), abi::describe(&i.ty()))).collect(),
                module.exports().map(|e| format!("{}: {}", e.name(), abi::describe(&e.ty()))).collect(),
            ),
            Code::Component(component) => {
                let (engine, ty) = (self.wasm(), component.component_type());
                let describe = |(name, item): (&str, _)| format!("{name}: {}", component::describe(engine, &item));
                (ty.imports(engine).map(describe).collect(), ty.exports(engine).map(describe).collect())
            }
        };
        let mut inspection = Inspection {
            source: source.clone(),
            digest,
            size: bytes.len(),
            kind: code.kind(),
            abi_version: None,
            world: None,
            imports,
            exports,
            metadata: None,
            problem: None,
        };
        match self.pre_link(&code).and_then(|pre| self.describe(&pre, "inspect").0) {
            Ok((version, metadata)) => {
                match code {
                    Code::Module(_) => inspection.abi_version = version,
                    Code::Component(_) => inspection.world = Some(component::WORLD),
                }
                inspection.metadata = metadata;
            }
            Err(fault) => inspection.problem = Some(fault),
        }
        Ok(inspection)
    }

    fn load_checked(&self, source: PolicySource, bytes: &[u8], digest: Digest) -> Result<Policy, Error> {
        let (code, cache) = self.compile(&source, bytes, &digest)?;
        let default_name = source.default_name();
        let refused =
            |fault, fuel_used| Error::PolicyFault { policy: source.clone(), digest, fault: Box::new(fault), fuel_used };
        let pre = self.pre_link(&code).map_err(|fault| refused(fault, 0))?;
        let (described, fuel_used) = self.describe(&pre, &default_name);
        let (_, metadata) = described.map_err(|fault| refused(fault, fuel_used))?;
        let name = metadata
            .as_ref()
            .and_then(|m| m.get("name"))
            .and_then(Value::as_str)
            .filter(|n| !n.is_empty())
            .unwrap_or(&default_name);
        tracing::debug!(policy = name, %digest, ?cache, "policy loaded");
        Ok(Policy { engine: self.clone(), name: name.into(), source, digest, pre, metadata, cache })
    }

    fn compile(&self, source: &PolicySource, bytes: &[u8], digest: &Digest) -> Result<(Code, CacheStatus), Error> {
        // A built-in policy passes the default compile limits (a test in builtin.rs), so its
        // precompiled code stands wherever the limits are at least those.
        if let PolicySource::Builtin(name) = source
            && self.config().compile_limits_cover(&Config::default())
            && let Some(module) = builtin::precompiled(self.wasm(), name)
        {
            return Ok((Code::Module(module), CacheStatus::Precompiled));
        }
        let status = match self.cache() {
            Some(cache) => match cache.load(self.wasm(), digest) {
                Ok(code) => return Ok((code, CacheStatus::Hit)),
                Err(status) => status,
            },
            None => CacheStatus::Disabled,
        };
        let config = self.config();
        let too_large = |hit, what| Error::PolicyLimit { policy: source.clone(), hit, what };
        if bytes.len() > config.max_module_size {
            let hit = LimitHit {
                limit: Limit::MaxModuleSize,
                configured: config.max_module_size as u64,
                observed: Some(bytes.len() as u64),
            };
            return Err(too_large(hit, format!("is {} bytes", bytes.len())));
        }
        let compile_error =
            |e: wasmtime::Error| Error::CompilePolicy { policy: source.clone(), source: compile_problem(&e).into() };
        let binary = wat::parse_bytes(bytes).map_err(|e| compile_error(wasmtime::Error::new(e)))?;
        limits::check_shape(&binary, config).map_err(|(hit, what)| too_large(hit, what))?;
        let code = if wasmparser::Parser::is_component(&binary) {
            Code::Component(Component::from_binary(self.wasm(), &binary).map_err(compile_error)?)
        } else {
            Code::Module(Module::from_binary(self.wasm(), &binary).map_err(compile_error)?)
        };
        let stored = self.cache().is_none_or(|cache| cache.store(digest, &code));
        Ok((code, if stored { status } else { CacheStatus::Unwritable }))
    }

    /// Checks the code against its ABI and pre-links it.
    fn pre_link(&self, code: &Code) -> Result<Pre, Fault> {
        match code {
            Code::Module(module) => {
                abi::check_module(module)?;
                let pre = self.linker().instantiate_pre(module);
                pre.map(Pre::Module)
                    .map_err(|e| Fault::new(FaultKind::BadAbi, format!("cannot link the policy: {e:#}")))
            }
            Code::Component(component) => component::pre_link(self.component_linker(), component).map(Pre::Component),
        }
    }

    /// Instantiates once to read the ABI version of a core module (which must be 1) and the
    /// metadata; with the fuel that used.
    fn describe(&self, pre: &Pre, name: &str) -> (Result<Described, Fault>, u64) {
        let mut store = self.new_store(name.into(), Duration::MAX);
        let described = describe_in(&mut store, pre);
        store.data_mut().log.flush();
        (described, eval::fuel_used(&store))
    }
}

/// The ABI version of a core module (which must be 1) and the metadata, read in `store`.
fn describe_in(store: &mut Store<StoreState>, pre: &Pre) -> Result<Described, Fault> {
    let instance = eval::instantiate_policy(store, pre)?;
    let version = match &instance {
        Instance::Module(exports) => Some(exports.abi_version(store)?),
        Instance::Component(_) => None,
    };
    if let Some(version) = version
        && version != abi::VERSION
    {
        return Err(Fault::new(
            FaultKind::BadAbi,
            format!(
                "`{}` returned {version}, but this relgate implements ABI version {}",
                abi::ABI_VERSION,
                abi::VERSION
            ),
        ));
    }
    let metadata = read_metadata(store, &instance)?;
    Ok((version, metadata))
}

fn read_metadata(store: &mut Store<StoreState>, instance: &Instance) -> Result<Option<Value>, Fault> {
    let Some(bytes) = instance.metadata(store)? else {
        return Ok(None);
    };
    let export = match instance {
        Instance::Module(_) => abi::METADATA,
        Instance::Component(_) => "metadata",
    };
    let bad = |message: String| Err(Fault::new(FaultKind::BadOutput, message));
    match serde_json::from_slice::<Value>(&bytes) {
        // The name labels the policy in every report, terminal and log line.
        Ok(value @ Value::Object(_)) => match value.get("name").and_then(Value::as_str) {
            Some(name) if crate::printable(name) != name => bad(format!(
                "`{export}` names the policy `{}`, with control characters; a name must be printable",
                crate::printable(name)
            )),
            _ if config_sections(&value).is_none() => {
                bad(format!("`{export}` has a `config` that is neither a string nor an array of strings"))
            }
            _ => Ok(Some(value)),
        },
        Ok(_) => bad(format!("`{export}` returned JSON that is not an object")),
        Err(e) => bad(format!("`{export}` returned invalid JSON: {e}")),
    }
}

/// The config sections a metadata document declares: its `config`, a string or an array of
/// strings; `None` when `config` is something else.
fn config_sections(metadata: &Value) -> Option<Vec<&str>> {
    match metadata.get("config") {
        None => Some(Vec::new()),
        Some(Value::String(section)) => Some(vec![section.as_str()]),
        Some(Value::Array(sections)) => sections.iter().map(Value::as_str).collect(),
        Some(_) => None,
    }
}

/// Why a policy does not compile, with the line and column for WAT but without the source
/// line the WAT parser quotes: the file may not be a policy at all (`--policy` given a file
/// of secrets by mistake), and its contents must not reach a terminal or a log.
fn compile_problem(e: &wasmtime::Error) -> String {
    let mut problem = String::new();
    for line in format!("{e:#}").lines() {
        let trimmed = line.trim_start();
        if let Some(location) = trimmed.strip_prefix("--> ") {
            let mut parts = location.rsplitn(3, ':');
            if let (Some(column), Some(line), Some(_)) = (parts.next(), parts.next(), parts.next()) {
                problem += &format!(" (line {line}, column {column})");
            }
        } else if trimmed.starts_with('|') || trimmed.split_once(" |").is_some_and(|(n, _)| n.parse::<u64>().is_ok()) {
            // The quoted source and the caret under it.
        } else if !trimmed.is_empty() {
            if !problem.is_empty() {
                problem.push(' ');
            }
            problem += trimmed;
        }
    }
    problem
}

/// The bytes of a policy file or built-in policy. A file is read only if it is a regular file
/// (a FIFO or device could block or never end) and only to one byte past `max` bytes.
fn read(source: &PolicySource, max: usize) -> Result<Cow<'_, [u8]>, Error> {
    match source {
        PolicySource::File(path) => {
            use std::io::Read;
            let failed = |source| Error::ReadPolicy { path: path.clone(), source };
            let mut options = std::fs::OpenOptions::new();
            options.read(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
            let file = options.open(path).map_err(failed)?;
            let metadata = file.metadata().map_err(failed)?;
            if !metadata.is_file() {
                let kind = std::io::ErrorKind::InvalidInput;
                return Err(failed(std::io::Error::new(
                    kind,
                    "it is not a regular file (a directory, FIFO or device)",
                )));
            }
            if metadata.len() > max as u64 {
                let hit =
                    LimitHit { limit: Limit::MaxModuleSize, configured: max as u64, observed: Some(metadata.len()) };
                let what = format!("is {} bytes", metadata.len());
                return Err(Error::PolicyLimit { policy: source.clone(), hit, what });
            }
            let mut bytes = Vec::new();
            file.take(max as u64 + 1).read_to_end(&mut bytes).map_err(failed)?;
            Ok(Cow::Owned(bytes))
        }
        PolicySource::Builtin(name) => builtin::bytes(name),
        PolicySource::Bytes { bytes, .. } => Ok(Cow::Borrowed(bytes)),
    }
}

impl Policy {
    /// The policy's name: its metadata `name`, else its source's default name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Where the policy came from.
    pub fn source(&self) -> &PolicySource {
        &self.source
    }

    /// The digest of the policy's bytes as given.
    pub fn digest(&self) -> Digest {
        self.digest
    }

    /// The metadata document the policy exports, if any.
    pub fn metadata(&self) -> Option<&Value> {
        self.metadata.as_ref()
    }

    /// The version its metadata declares (`"version": "1.1.0"`), if any.
    pub fn version(&self) -> Option<&str> {
        self.metadata.as_ref()?.get("version")?.as_str()
    }

    /// A core module or a component.
    pub fn kind(&self) -> PolicyKind {
        match self.pre {
            Pre::Module(_) => PolicyKind::Module,
            Pre::Component(_) => PolicyKind::Component,
        }
    }

    /// Whether the compiled code came from the cache.
    pub fn cache_status(&self) -> CacheStatus {
        self.cache
    }

    /// The top-level keys of the input's `config` the policy reads, as its metadata declares
    /// them (`"config": "readiness"` or an array); none if it declares none.
    pub fn config_sections(&self) -> Vec<&str> {
        self.metadata.as_ref().and_then(config_sections).unwrap_or_default()
    }
}
