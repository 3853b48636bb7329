//! Whole evaluations of generated policies: wasm-smith writes a module with the exports of
//! ABI v1 (`docs/abi.md`) and random code behind them, which may import `relgate::log`;
//! most runs then make `relgate_abi_version` return 1, so that the module is not refused at
//! load and its `relgate_alloc` and `relgate_evaluate` run. The engine loads it and evaluates
//! it through `Engine::load_set` and `Engine::evaluate`, the path every front end takes, with
//! small limits. Checks: no panic, no hang (libFuzzer's `-timeout`), the load either refuses
//! the module with an error that names the problem or yields a set; every policy ends in a
//! decision or a fault of a named kind; a fault's decision is the fault decision (`deny`),
//! never `allow`, and so is the combined decision.
#![no_main]

use std::convert::Infallible;
use std::sync::OnceLock;
use std::time::Duration;

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use relgate::{Config, Decision, Engine, Error, FAULT_CHECK, FaultKind, Input, PolicyRef};
use wasm_encoder::reencode::{self, Reencode};

/// The exports of ABI v1, without and with the optional `relgate_metadata`.
const SHAPE: &str = r#"(module
  (memory (export "memory") 1)
  (func (export "relgate_abi_version") (result i32) unreachable)
  (func (export "relgate_alloc") (param i32) (result i32) unreachable)
  (func (export "relgate_evaluate") (param i32 i32) (result i64) unreachable))"#;
const SHAPE_WITH_METADATA: &str = r#"(module
  (memory (export "memory") 1)
  (func (export "relgate_abi_version") (result i32) unreachable)
  (func (export "relgate_alloc") (param i32) (result i32) unreachable)
  (func (export "relgate_evaluate") (param i32 i32) (result i64) unreachable)
  (func (export "relgate_metadata") (result i64) unreachable))"#;
/// The one import ABI v1 offers.
const IMPORTS: &str = r#"(module (import "relgate" "log" (func (param i32 i32 i32))))"#;

struct Harness {
    engine: Engine,
    input: Input,
    shapes: [Vec<u8>; 2],
    imports: Vec<u8>,
}

fn harness() -> &'static Harness {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    HARNESS.get_or_init(|| {
        // Small limits: a run must end quickly whatever the module does.
        let config = Config::default()
            .with_cache_dir(None)
            .with_fuel(Some(1_000_000))
            .with_deadline(Duration::from_millis(100))
            .with_total_deadline(Duration::from_millis(200))
            .with_max_memory(1 << 20)
            .with_max_table_elements(1_000)
            .with_max_stack(64 << 10)
            .with_max_input(64 << 10)
            .with_max_output(64 << 10)
            .with_max_log_messages(10);
        let input = include_str!("../../tests/data/inputs/passing.json");
        Harness {
            engine: Engine::new(config).expect("the fuzzing config is valid"),
            input: serde_json::from_str(input).expect("the passing example is an input"),
            shapes: [wat::parse_str(SHAPE).unwrap(), wat::parse_str(SHAPE_WITH_METADATA).unwrap()],
            imports: wat::parse_str(IMPORTS).unwrap(),
        }
    })
}

/// A module wasmtime (as relgate configures it) compiles: the proposals it does not enable
/// are off, and at most the one exported memory.
fn smith_config(harness: &Harness, metadata: bool) -> wasm_smith::Config {
    let mut config = wasm_smith::Config::default();
    config.exports = Some(harness.shapes[usize::from(metadata)].clone());
    config.available_imports = Some(harness.imports.clone());
    config.max_memories = 0; // The exported one is added beside these.
    config.max_tables = 2;
    config.max_funcs = 20;
    config.max_instructions = 200;
    config.max_data_segments = 4;
    config.max_table_elements = 2_000;
    config.exceptions_enabled = false;
    config.gc_enabled = false;
    config.threads_enabled = false;
    config.memory64_enabled = false;
    config.custom_page_sizes_enabled = false;
    config.wide_arithmetic_enabled = false;
    config.shared_everything_threads_enabled = false;
    config
}

/// Rewrites the body of the function exported as `relgate_abi_version` to return 1.
struct VersionOne {
    /// The index of that function among the defined ones.
    target: u32,
    seen: u32,
}

impl Reencode for VersionOne {
    type Error = Infallible;

    fn parse_function_body(
        &mut self,
        code: &mut wasm_encoder::CodeSection,
        func: wasmparser::FunctionBody<'_>,
    ) -> Result<(), reencode::Error<Infallible>> {
        let index = self.seen;
        self.seen += 1;
        if index != self.target {
            return reencode::utils::parse_function_body(self, code, func);
        }
        let mut body = wasm_encoder::Function::new([]);
        body.instruction(&wasm_encoder::Instruction::I32Const(1));
        body.instruction(&wasm_encoder::Instruction::End);
        code.function(&body);
        Ok(())
    }
}

fn with_version_one(wasm: &[u8]) -> Option<Vec<u8>> {
    let mut imported = 0;
    let mut export = None;
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        match payload.ok()? {
            wasmparser::Payload::ImportSection(imports) => {
                for import in imports.into_imports() {
                    if matches!(import.ok()?.ty, wasmparser::TypeRef::Func(_)) {
                        imported += 1;
                    }
                }
            }
            wasmparser::Payload::ExportSection(exports) => {
                for e in exports {
                    let e = e.ok()?;
                    if e.name == "relgate_abi_version" && e.kind == wasmparser::ExternalKind::Func {
                        export = Some(e.index);
                    }
                }
            }
            _ => {}
        }
    }
    let mut reencoder = VersionOne { target: export?.checked_sub(imported)?, seen: 0 };
    let mut module = wasm_encoder::Module::new();
    reencoder.parse_core_module(&mut module, wasmparser::Parser::new(0), wasm).ok()?;
    Some(module.finish())
}

fuzz_target!(|data: &[u8]| {
    let harness = harness();
    let mut u = Unstructured::new(data);
    let (Ok(metadata), Ok(version_one)) = (u.arbitrary::<bool>(), u.ratio(7u8, 8u8)) else { return };
    let Ok(module) = wasm_smith::Module::new(smith_config(harness, metadata), &mut u) else { return };
    let mut wasm = module.to_bytes();
    if version_one {
        wasm = with_version_one(&wasm).expect("a generated module re-encodes");
    }

    let engine = &harness.engine;
    let set = match engine.load_set(&[PolicyRef::bytes("generated", wasm)]) {
        Ok(set) => set,
        // wasm-smith may write what this wasmtime does not compile; a limit names itself.
        Err(Error::CompilePolicy { .. } | Error::PolicyLimit { .. }) => return,
        Err(e) => panic!("loading a generated module failed with an unexpected error: {e}"),
    };
    let report = engine.evaluate(&set, &harness.input);
    assert_eq!(report.policies.len(), 1);
    let policy = &report.policies[0];
    match &policy.fault {
        Some(fault) => {
            assert_eq!(policy.decision, Decision::Deny, "a fault yields the fault decision: {fault}");
            assert_eq!(report.decision, Decision::Deny);
            assert!(policy.reasons.iter().any(|r| r.check == FAULT_CHECK), "a fault says why");
            // A `trap` is a trap of the policy's, not an error the engine did not classify.
            if fault.kind == FaultKind::Trap {
                assert!(fault.message.starts_with("policy trapped in "), "unclassified fault: {}", fault.message);
            }
        }
        None => assert_eq!(report.decision, policy.decision),
    }
});
