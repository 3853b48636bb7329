//! One evaluation: a fresh store and instance, the input copied in, `relgate_evaluate`
//! called, the output read back and checked. Anything that goes wrong becomes a [`Fault`].

use std::time::{Duration, Instant};

use wasmtime::{InstancePre, Memory, Store, Trap, TypedFunc, WasmBacktrace};

use crate::abi::{self, AbiViolation};
use crate::component;
use crate::limits::{LimitExceeded, StoreState};
use crate::policy::Pre;
use crate::{CONFIG_CHECK, Fault, FaultKind, Limit, Policy, PolicyReport, Verdict};

/// One instance of a policy: a core module's ABI v1 exports, or a component.
#[expect(clippy::large_enum_variant, reason = "one per evaluation, on the stack")]
pub(crate) enum Instance {
    Module(Exports),
    Component(component::Instance),
}

/// Instantiates `pre` in `store`, under the store's limits (a start function or a
/// component's initialization runs now).
pub(crate) fn instantiate_policy(store: &mut Store<StoreState>, pre: &Pre) -> Result<Instance, Fault> {
    match pre {
        Pre::Module(pre) => instantiate(store, pre).map(Instance::Module),
        Pre::Component(pre) => component::instantiate(store, pre).map(Instance::Component),
    }
}

impl Instance {
    /// The metadata document's bytes, if the policy has one (a component always has).
    pub(crate) fn metadata(&self, store: &mut Store<StoreState>) -> Result<Option<Vec<u8>>, Fault> {
        match self {
            Instance::Module(exports) => exports.metadata(store),
            Instance::Component(instance) => instance.metadata(store).map(Some),
        }
    }

    /// Evaluates `input` and returns the output document's bytes, unchecked.
    fn evaluate(&self, store: &mut Store<StoreState>, input: &[u8]) -> Result<Vec<u8>, Fault> {
        match self {
            Instance::Module(exports) => exports.evaluate(store, input),
            Instance::Component(instance) => instance.evaluate(store, input),
        }
    }
}

/// The ABI v1 exports of one instance.
pub(crate) struct Exports {
    memory: Memory,
    abi_version: TypedFunc<(), i32>,
    alloc: TypedFunc<i32, i32>,
    evaluate: TypedFunc<(i32, i32), i64>,
    metadata: Option<TypedFunc<(), i64>>,
}

/// Instantiates `pre` in `store` (running any start function under the store's limits) and
/// looks up the ABI exports, whose types `abi::check_module` has already verified.
pub(crate) fn instantiate(store: &mut Store<StoreState>, pre: &InstancePre<StoreState>) -> Result<Exports, Fault> {
    let instance = pre.instantiate(&mut *store).map_err(|e| classify(e, store, "instantiation"))?;
    let missing = |name: &str| Fault::new(FaultKind::BadAbi, format!("export `{name}` is missing or mistyped"));
    let memory = instance.get_memory(&mut *store, abi::MEMORY).ok_or_else(|| missing(abi::MEMORY))?;
    macro_rules! func {
        ($name:expr) => {
            instance.get_typed_func(&mut *store, $name).map_err(|_| missing($name))?
        };
    }
    let metadata = match instance.get_func(&mut *store, abi::METADATA) {
        Some(_) => Some(func!(abi::METADATA)),
        None => None,
    };
    Ok(Exports {
        memory,
        abi_version: func!(abi::ABI_VERSION),
        alloc: func!(abi::ALLOC),
        evaluate: func!(abi::EVALUATE),
        metadata,
    })
}

impl Exports {
    pub(crate) fn abi_version(&self, store: &mut Store<StoreState>) -> Result<i32, Fault> {
        self.abi_version.call(&mut *store, ()).map_err(|e| classify(e, store, "`relgate_abi_version`"))
    }

    /// The metadata document's bytes, if the policy exports `relgate_metadata`.
    pub(crate) fn metadata(&self, store: &mut Store<StoreState>) -> Result<Option<Vec<u8>>, Fault> {
        let Some(metadata) = &self.metadata else {
            return Ok(None);
        };
        let packed = metadata.call(&mut *store, ()).map_err(|e| classify(e, store, "`relgate_metadata`"))?;
        self.read_output(store, packed, abi::METADATA).map(Some)
    }

    /// Copies `input` into a guest buffer from `relgate_alloc` and calls `relgate_evaluate`.
    fn evaluate(&self, store: &mut Store<StoreState>, input: &[u8]) -> Result<Vec<u8>, Fault> {
        let len = input.len() as u32; // Config::validate keeps max_input below 4 GiB.
        let ptr = self.alloc.call(&mut *store, len as i32).map_err(|e| classify(e, store, "`relgate_alloc`"))? as u32;
        let memory = self.memory.data_mut(&mut *store);
        let size = memory.len();
        let start = ptr as usize;
        match memory.get_mut(start..start + len as usize) {
            Some(buffer) => buffer.copy_from_slice(input),
            None => {
                return Err(Fault::new(
                    FaultKind::BadAbi,
                    format!(
                        "`{}({len})` returned address {ptr}, but {len} bytes there lie outside the \
                         policy's {size}-byte memory",
                        abi::ALLOC
                    ),
                ));
            }
        }
        let packed = self
            .evaluate
            .call(&mut *store, (ptr as i32, len as i32))
            .map_err(|e| classify(e, store, "`relgate_evaluate`"))?;
        self.read_output(store, packed, abi::EVALUATE)
    }

    /// The bytes a packed `(ptr << 32) | len` result points at, within the output limit.
    fn read_output(&self, store: &Store<StoreState>, packed: i64, export: &str) -> Result<Vec<u8>, Fault> {
        let (ptr, len) = abi::unpack(packed);
        check_output_size(store, len.into(), export)?;
        let memory = self.memory.data(store);
        abi::guest_slice(memory, ptr, len).map(<[u8]>::to_vec).ok_or_else(|| {
            Fault::new(
                FaultKind::BadAbi,
                format!(
                    "`{export}` returned {len} bytes at address {ptr}, outside the policy's {}-byte memory",
                    memory.len()
                ),
            )
        })
    }
}

/// Checks that `len` bytes returned by `export` are within the output limit.
pub(crate) fn check_output_size(store: &Store<StoreState>, len: u64, export: &str) -> Result<(), Fault> {
    let max = store.data().config.max_output;
    if len > max as u64 {
        let message = format!("`{export}` returned {len} bytes, above the output limit of {max} bytes");
        return Err(Fault::limit(FaultKind::OutputTooLarge, message, Limit::MaxOutput, max as u64, Some(len)));
    }
    Ok(())
}

/// Turns a wasmtime error into the fault it stands for.
pub(crate) fn classify(err: wasmtime::Error, store: &Store<StoreState>, phase: &str) -> Fault {
    let state = store.data();
    let config = &state.config;
    let mut fault = if let Some(v) = err.downcast_ref::<AbiViolation>() {
        Fault::new(FaultKind::BadAbi, v.0.clone())
    } else if let Some(LimitExceeded(hit)) = err.downcast_ref::<LimitExceeded>().or(state.limiter.exceeded.as_ref()) {
        Fault { message: format!("{} (in {phase})", hit.message), ..hit.clone() }
    } else if let Some(trap) = err.downcast_ref::<Trap>() {
        match trap {
            Trap::OutOfFuel => {
                let fuel = config.fuel.unwrap_or(u64::MAX);
                let message = format!("policy used all {fuel} units of fuel in {phase}");
                Fault::limit(FaultKind::OutOfFuel, message, Limit::Fuel, fuel, None)
            }
            Trap::Interrupt => {
                let (limit, deadline) = state.deadline;
                let message = match limit {
                    Limit::TotalDeadline => format!(
                        "policy ran past the evaluation's total deadline ({:?}) in {phase}",
                        config.total_deadline
                    ),
                    _ => format!("policy ran past the {deadline:?} deadline in {phase}"),
                };
                let configured = if limit == Limit::TotalDeadline { config.total_deadline } else { deadline };
                let millis = u64::try_from(configured.as_millis()).unwrap_or(u64::MAX);
                Fault::limit(FaultKind::Timeout, message, limit, millis, None)
            }
            Trap::StackOverflow => {
                let message = format!(
                    "policy exhausted its {}-byte wasm stack in {phase} (unbounded recursion?)",
                    config.max_stack
                );
                Fault::limit(FaultKind::StackOverflow, message, Limit::MaxStack, config.max_stack as u64, None)
            }
            other => Fault::new(FaultKind::Trap, format!("policy trapped in {phase}: {other}")),
        }
    } else {
        Fault::new(FaultKind::Trap, format!("{phase} failed: {err}"))
    };
    fault.backtrace = backtrace(&err);
    fault
}

/// The wasm backtrace an error carries, one frame a line.
pub(crate) fn backtrace(err: &wasmtime::Error) -> Vec<String> {
    err.downcast_ref::<WasmBacktrace>().map(backtrace_lines).unwrap_or_default()
}

/// The fuel used in `store` so far: its budget less what is left, as far as wasmtime has
/// counted (see [`PolicyReport::fuel_used`]).
pub(crate) fn fuel_used(store: &Store<StoreState>) -> u64 {
    let budget = store.data().config.fuel.unwrap_or(u64::MAX);
    budget.saturating_sub(store.get_fuel().unwrap_or(0))
}

fn backtrace_lines(bt: &WasmBacktrace) -> Vec<String> {
    bt.frames()
        .iter()
        .map(|frame| {
            let module = frame.module().name().unwrap_or("<module>");
            let func = match frame.func_name() {
                Some(name) => name.to_owned(),
                None => format!("<wasm function {}>", frame.func_index()),
            };
            match frame.module_offset() {
                Some(offset) => format!("{module}!{func} @ {offset:#x}"),
                None => format!("{module}!{func}"),
            }
        })
        .collect()
}

/// Parses and checks a policy's output.
pub(crate) fn parse_verdict(bytes: &[u8]) -> Result<Verdict, Fault> {
    let bad = |what: String| Fault::new(FaultKind::BadOutput, what);
    let text = std::str::from_utf8(bytes).map_err(|e| bad(format!("output is not valid UTF-8: {e}")))?;
    let verdict: Verdict = serde_json::from_str(text).map_err(|e| {
        let preview: String = text.chars().take(120).collect();
        bad(format!("output is not a valid decision document: {e}; the output begins {preview:?}"))
    })?;
    verdict.validate().map_err(|e| bad(format!("output is not a valid decision document: {e}")))?;
    // `relgate.*` checks are the host's words; a policy may only say it rejects its config.
    if let Some(reason) = verdict.reasons.iter().find(|r| r.check.starts_with("relgate.") && r.check != CONFIG_CHECK) {
        return Err(bad(format!(
            "output has a reason with check `{}`; checks under `relgate.` are reserved (only `{CONFIG_CHECK}` is a \
             policy's)",
            crate::printable(&reason.check)
        )));
    }
    Ok(verdict)
}

impl Policy {
    /// Evaluates an input already serialized as JSON in a fresh instance. Never fails: a
    /// fault becomes the configured fault decision, and the report says which fault.
    /// `remaining` is what is left of the evaluation's total deadline.
    pub(crate) fn evaluate_json(&self, input: &[u8], remaining: Duration) -> PolicyReport {
        let started = Instant::now();
        let config = self.engine.config();
        let mut store = self.engine.new_store(self.name.clone(), remaining);
        let mut instantiate = Duration::ZERO;
        let result = run(&mut store, &self.pre, input, &mut instantiate);
        // Logged now, after the evaluation: writing them cannot hold it up.
        store.data_mut().log.flush();
        let mut report = PolicyReport::new(self, result, config.on_fault);
        report.elapsed_ms = started.elapsed().as_secs_f64() * 1e3;
        report.instantiate_ms = instantiate.as_secs_f64() * 1e3;
        report.fuel_used = fuel_used(&store);
        report.peak_memory_bytes = store.data().limiter.peak_memory as u64;
        report
    }

    pub(crate) fn foreign_engine_fault(&self, on_fault: crate::Decision) -> PolicyReport {
        let fault = Fault::new(
            FaultKind::BadAbi,
            "the policy was loaded by another engine, whose limits are not this one's; load it with the engine that \
             evaluates it",
        );
        PolicyReport::new(self, Err(fault), on_fault)
    }

    /// The report of a policy that did not start: the evaluation's total deadline had passed.
    pub(crate) fn total_deadline_fault(&self) -> PolicyReport {
        let total = self.engine.config().total_deadline;
        let message = format!("the evaluation's total deadline ({total:?}) passed before the policy could start");
        let millis = u64::try_from(total.as_millis()).unwrap_or(u64::MAX);
        let fault = Fault::limit(FaultKind::Timeout, message, Limit::TotalDeadline, millis, None);
        PolicyReport::new(self, Err(fault), self.engine.config().on_fault)
    }

    pub(crate) fn serialization_fault(&self, e: &serde_json::Error) -> PolicyReport {
        let fault = Fault::new(FaultKind::BadAbi, format!("cannot serialize the input: {e}"));
        PolicyReport::new(self, Err(fault), self.engine.config().on_fault)
    }
}

fn run(store: &mut Store<StoreState>, pre: &Pre, input: &[u8], instantiate: &mut Duration) -> Result<Verdict, Fault> {
    let max = store.data().config.max_input;
    if input.len() > max {
        let message = format!("the input is {} bytes, above the input limit of {max} bytes", input.len());
        return Err(Fault::limit(
            FaultKind::InputTooLarge,
            message,
            Limit::MaxInput,
            max as u64,
            Some(input.len() as u64),
        ));
    }
    let started = Instant::now();
    let instance = instantiate_policy(store, pre);
    *instantiate = started.elapsed();
    let output = instance?.evaluate(store, input)?;
    parse_verdict(&output)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_problems_are_bad_output_faults() {
        let cases: [(&[u8], &str); 6] = [
            (b"\xff\xfe", "not valid UTF-8"),
            (b"{\"decision\":", "not a valid decision document: EOF"),
            (br#"{"decision":"maybe"}"#, "unknown variant `maybe`"),
            (br#"{"decision":"allow","score":101}"#, "score 101 is outside 0..=100"),
            (br#"{"decision":"allow","reason":[]}"#, "unknown field `reason`"),
            (
                br#"{"decision":"allow","reasons":[{"check":"relgate.fault","outcome":"info","message":"x"}]}"#,
                "checks under `relgate.` are reserved",
            ),
        ];
        for (output, expected) in cases {
            let fault = parse_verdict(output).unwrap_err();
            assert_eq!(fault.kind, FaultKind::BadOutput);
            assert!(fault.message.contains(expected), "{expected}: {}", fault.message);
        }
    }

    #[test]
    fn valid_output_parses() {
        let verdict = parse_verdict(br#"{"decision":"rollback","score":12.5,"reasons":[]}"#).unwrap();
        assert_eq!(verdict.decision, crate::Decision::Rollback);
        assert_eq!(verdict.score, Some(12.5));
    }
}
