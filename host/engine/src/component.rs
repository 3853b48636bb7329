//! Policies as WebAssembly components: the world `relgate:policy@1.0.0` of `sdk/wit/`, beside
//! ABI v1 (`docs/abi.md`, "Components"). A component exports `gate` (metadata and evaluate)
//! and may import `host` (log), nothing else. It runs in the same store, under the same
//! limits, as a core module; its output is checked exactly as ABI v1 output is.

use serde_json::{Map, Value};
use wasmtime::Store;
use wasmtime::component::types::{ComponentExtern, ComponentItem};
use wasmtime::component::{Component, HasSelf, Linker};

use crate::eval::classify;
use crate::limits::{self, StoreState};
use crate::{Fault, FaultKind};

mod bindings {
    wasmtime::component::bindgen!({ path: "../../sdk/wit", world: "policy" });
}

use bindings::exports::relgate::policy::gate;
use bindings::relgate::policy::host;

/// The version of the world this host implements.
pub(crate) const WORLD: &str = "relgate:policy@1.0.0";
/// The one interface a component may import.
pub(crate) const HOST: &str = "relgate:policy/host@1.0.0";
/// The interface a component must export.
pub(crate) const GATE: &str = "relgate:policy/gate@1.0.0";

/// A component checked against the world and pre-linked.
pub(crate) type Pre = bindings::PolicyPre<StoreState>;

/// The component linker, with `host` defined.
pub(crate) fn linker(engine: &wasmtime::Engine) -> wasmtime::Result<Linker<StoreState>> {
    let mut linker = Linker::new(engine);
    bindings::Policy::add_to_linker::<StoreState, HasSelf<StoreState>>(&mut linker, |state| state)?;
    Ok(linker)
}

impl host::Host for StoreState {
    fn log(&mut self, level: host::Level, message: String) {
        let level = match level {
            host::Level::Error => 0,
            host::Level::Warn => 1,
            host::Level::Info => 2,
            host::Level::Debug => 3,
            host::Level::Trace => 4,
        };
        if self.log.accept() {
            self.log.keep(level, message.as_bytes());
        }
    }
}

fn bad_abi(message: String) -> Fault {
    Fault::new(FaultKind::BadAbi, message)
}

/// A one-line description of a component import's or export's type.
pub(crate) fn describe(engine: &wasmtime::Engine, item: &ComponentExtern<'_>) -> String {
    match &item.ty {
        ComponentItem::ComponentFunc(_) => "a function".to_owned(),
        ComponentItem::CoreFunc(_) => "a core function".to_owned(),
        ComponentItem::Module(_) => "a core module".to_owned(),
        ComponentItem::Component(_) => "a component".to_owned(),
        ComponentItem::ComponentInstance(instance) => {
            let names: Vec<&str> = instance.exports(engine).map(|(name, _)| name).collect();
            format!("an instance of {{{}}}", names.join(", "))
        }
        ComponentItem::Type(_) => "a type".to_owned(),
        ComponentItem::Resource(_) => "a resource".to_owned(),
    }
}

/// Checks a component's imports and exports against the world, naming the first problem and
/// how to fix it, and pre-links it.
pub(crate) fn pre_link(linker: &Linker<StoreState>, component: &Component) -> Result<Pre, Fault> {
    let engine = linker.engine();
    let ty = component.component_type();
    for (name, item) in ty.imports(engine) {
        if name == HOST {
            continue;
        }
        let hint = if name.starts_with("wasi:") {
            " (WASI is not available to policies: build with WASI stubbed out, as the JavaScript, \
             TypeScript and Python scaffolds do; see docs/authoring.md)"
        } else {
            ""
        };
        return Err(bad_abi(format!(
            "component imports `{name}` ({}), which relgate does not provide; a policy may import only \
             `{HOST}`{hint}",
            describe(engine, &item)
        )));
    }
    let exports: Vec<String> = ty.exports(engine).map(|(name, _)| name.to_owned()).collect();
    if !exports.iter().any(|name| name == GATE) {
        let (package, _) = GATE.split_once('@').expect("GATE is versioned");
        let found = match exports.iter().find(|name| name.starts_with(&format!("{package}@"))) {
            Some(other) => format!("it exports `{other}`, but this relgate implements {WORLD}"),
            None if exports.is_empty() => "it exports nothing".to_owned(),
            None => {
                format!("its exports are {}", exports.iter().map(|e| format!("`{e}`")).collect::<Vec<_>>().join(", "))
            }
        };
        return Err(bad_abi(format!(
            "component does not export `{GATE}`, which the world {WORLD} requires (sdk/wit/policy.wit); {found}"
        )));
    }
    // A component importing no core module (as checked above) always has a count.
    if let Some(resources) = component.resources_required() {
        limits::check_counts(&resources, "component", limits::MAX_COMPONENT_MEMORIES, limits::MAX_COMPONENT_TABLES)?;
    }
    let pre = linker.instantiate_pre(component).map_err(|e| bad_abi(format!("cannot link the component: {e:#}")))?;
    bindings::PolicyPre::new(pre).map_err(|e| {
        bad_abi(format!("component's `{GATE}` does not match the world {WORLD} (sdk/wit/policy.wit): {e:#}"))
    })
}

/// Turns the error of an instantiation or call into its fault: as for a core module, except
/// that an error that is neither a trap nor a limit is the guest breaking the canonical ABI
/// (a string outside its memory, an invalid case, an export of another type), which is
/// `bad_abi` as a buffer outside memory is in ABI v1; `broke` says how.
fn classify_call(err: wasmtime::Error, store: &Store<StoreState>, phase: &str, broke: &str) -> Fault {
    let broke_abi = err.downcast_ref::<wasmtime::Trap>().is_none()
        && err.downcast_ref::<limits::LimitExceeded>().is_none()
        && store.data().limiter.exceeded.is_none();
    if broke_abi {
        let mut fault = bad_abi(format!("{phase} {broke}: {}", err.root_cause()));
        fault.backtrace = crate::eval::backtrace(&err);
        return fault;
    }
    classify(err, store, phase)
}

const BROKE_ABI: &str = "broke the canonical ABI";

/// An instance of a component policy in one store.
pub(crate) struct Instance(bindings::Policy);

/// Instantiates `pre` in `store`, under the store's limits.
pub(crate) fn instantiate(store: &mut Store<StoreState>, pre: &Pre) -> Result<Instance, Fault> {
    pre.instantiate(&mut *store).map(Instance).map_err(|e| {
        let broke = format!("found that `{GATE}` does not match the world {WORLD} (sdk/wit/policy.wit)");
        classify_call(e, store, "instantiation", &broke)
    })
}

impl Instance {
    /// The metadata document's bytes.
    pub(crate) fn metadata(&self, store: &mut Store<StoreState>) -> Result<Vec<u8>, Fault> {
        let metadata = self.0.relgate_policy_gate().call_metadata(&mut *store);
        let metadata = metadata.map_err(|e| classify_call(e, store, "`metadata`", BROKE_ABI))?;
        within_output_limit(store, metadata.into_bytes(), "metadata")
    }

    /// Calls `evaluate` with `input` and returns the output as a decision document's bytes,
    /// which the caller checks as it checks ABI v1 output.
    pub(crate) fn evaluate(&self, store: &mut Store<StoreState>, input: &[u8]) -> Result<Vec<u8>, Fault> {
        let input = std::str::from_utf8(input).map_err(|e| bad_abi(format!("the input is not UTF-8: {e}")))?;
        let output = self.0.relgate_policy_gate().call_evaluate(&mut *store, input);
        let document = match output.map_err(|e| classify_call(e, store, "`evaluate`", BROKE_ABI))? {
            gate::Output::Json(text) => text.into_bytes(),
            gate::Output::Verdict(verdict) => {
                let document = document(verdict)?;
                serde_json::to_vec(&document).expect("a JSON value serializes")
            }
        };
        within_output_limit(store, document, "evaluate")
    }
}

fn within_output_limit(store: &Store<StoreState>, bytes: Vec<u8>, export: &str) -> Result<Vec<u8>, Fault> {
    crate::eval::check_output_size(store, bytes.len() as u64, export)?;
    Ok(bytes)
}

/// The decision document of a typed verdict; `observed` and `threshold` must be JSON text.
fn document(verdict: gate::Verdict) -> Result<Value, Fault> {
    let decision = match verdict.decision {
        gate::Decision::Allow => "allow",
        gate::Decision::Deny => "deny",
        gate::Decision::Rollback => "rollback",
    };
    let mut document = Map::new();
    document.insert("decision".into(), decision.into());
    if let Some(score) = verdict.score {
        let score = serde_json::Number::from_f64(score).ok_or_else(|| {
            Fault::new(FaultKind::BadOutput, format!("output has score {score}; a score is a number from 0 to 100"))
        })?;
        document.insert("score".into(), Value::Number(score));
    }
    let mut reasons = Vec::with_capacity(verdict.reasons.len());
    for (index, reason) in verdict.reasons.into_iter().enumerate() {
        let outcome = match reason.outcome {
            gate::Outcome::Pass => "pass",
            gate::Outcome::Info => "info",
            gate::Outcome::Warn => "warn",
            gate::Outcome::Fail => "fail",
        };
        let mut entry = Map::new();
        entry.insert("check".into(), reason.check.into());
        entry.insert("outcome".into(), outcome.into());
        entry.insert("message".into(), reason.message.into());
        for (field, text) in [("observed", reason.observed), ("threshold", reason.threshold)] {
            let Some(text) = text else { continue };
            let value = serde_json::from_str::<Value>(&text).map_err(|e| {
                Fault::new(
                    FaultKind::BadOutput,
                    format!(
                        "reason {index}'s `{field}` is not JSON text ({e}); a string must be quoted, as `\"3 of 4\"`"
                    ),
                )
            })?;
            entry.insert(field.into(), value);
        }
        reasons.push(Value::Object(entry));
    }
    document.insert("reasons".into(), Value::Array(reasons));
    Ok(Value::Object(document))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(score: Option<f64>, observed: Option<&str>) -> gate::Verdict {
        let reason = gate::Reason {
            check: "tests.pass-rate".into(),
            outcome: gate::Outcome::Warn,
            message: "3 of 4 passed".into(),
            observed: observed.map(Into::into),
            threshold: None,
        };
        gate::Verdict { decision: gate::Decision::Rollback, score, reasons: vec![reason] }
    }

    #[test]
    fn a_typed_verdict_is_its_decision_document() {
        let document = document(verdict(Some(12.5), Some(r#"{"passed":3}"#))).unwrap();
        let expected = serde_json::json!({
            "decision": "rollback",
            "score": 12.5,
            "reasons": [{"check": "tests.pass-rate", "outcome": "warn", "message": "3 of 4 passed", "observed": {"passed": 3}}],
        });
        assert_eq!(document, expected);
    }

    #[test]
    fn a_score_without_a_json_form_is_bad_output() {
        for score in [f64::NAN, f64::INFINITY] {
            let fault = document(verdict(Some(score), None)).unwrap_err();
            assert_eq!(fault.kind, FaultKind::BadOutput);
            assert!(fault.message.contains(&format!("output has score {score}")), "{}", fault.message);
        }
    }
}
