//! Component policies made from core WAT the way guest toolchains make them: a core module
//! that follows the canonical ABI's names (`relgate:policy/gate@1.0.0#evaluate`,
//! `cabi_realloc`, `memory`), wrapped by wit-component in the world of `sdk/wit/`, or in a
//! hostile variant of it.

use std::path::{Path, PathBuf};

use wit_component::{ComponentEncoder, StringEncoding};
use wit_parser::Resolve;

/// Where a typed `output` is written: its case at 0, its payload at 8.
const RETURN_AREA: u32 = 4096;
/// The metadata's return area: a (pointer, length) pair.
const METADATA_AREA: u32 = 4080;
const METADATA_AT: u32 = 1024;
const OUTPUT_AT: u32 = 2048;

/// What a component's `evaluate` does.
pub enum Evaluate<'a> {
    /// Returns `output::json` with this text.
    Json(&'a str),
    /// Returns `output::verdict`: allow, score 90, one reason with these `observed` and
    /// `threshold` JSON texts.
    Verdict { observed: &'a str, threshold: &'a str },
    /// Runs this core WAT, which leaves the address of a return area on the stack or does
    /// not return.
    Body(&'a str),
}

/// The core module of a component policy: `metadata` returns `metadata`, `evaluate` does
/// `evaluate`; `imports` and `funcs` are more core WAT (an import must come first).
pub fn core(metadata: &str, evaluate: &Evaluate<'_>, imports: &str, funcs: &str) -> String {
    let quote = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
    let (data, body) = match evaluate {
        Evaluate::Json(text) => (
            format!("(data (i32.const {OUTPUT_AT}) \"{}\")", quote(text)),
            format!(
                "(i32.store8 (i32.const {RETURN_AREA}) (i32.const 1))
                 (i32.store (i32.const {}) (i32.const {OUTPUT_AT}))
                 (i32.store (i32.const {}) (i32.const {}))
                 (i32.const {RETURN_AREA})",
                RETURN_AREA + 8,
                RETURN_AREA + 12,
                text.len()
            ),
        ),
        Evaluate::Verdict { observed, threshold } => {
            // The reason record (44 bytes) at 3072; its strings after the output at 2048.
            let strings = ["tests.pass-rate", "all tests passed", observed, threshold];
            let mut at = OUTPUT_AT;
            let mut data = String::new();
            let mut places = Vec::new();
            for s in strings {
                data += &format!("(data (i32.const {at}) \"{}\")", quote(s));
                places.push((at, s.len()));
                at += s.len() as u32;
            }
            let store = |offset: u32, value: u32| format!("(i32.store (i32.const {}) (i32.const {value}))", offset);
            let reason = 3072;
            let body = [
                // output::verdict, decision allow, score some(90), one reason.
                format!("(i32.store8 (i32.const {RETURN_AREA}) (i32.const 0))"),
                format!("(i32.store8 (i32.const {}) (i32.const 0))", RETURN_AREA + 8),
                format!("(i32.store8 (i32.const {}) (i32.const 1))", RETURN_AREA + 16),
                format!("(f64.store (i32.const {}) (f64.const 90))", RETURN_AREA + 24),
                store(RETURN_AREA + 32, reason),
                store(RETURN_AREA + 36, 1),
                // check, outcome pass, message, observed some, threshold some.
                store(reason, places[0].0),
                store(reason + 4, places[0].1 as u32),
                format!("(i32.store8 (i32.const {}) (i32.const 0))", reason + 8),
                store(reason + 12, places[1].0),
                store(reason + 16, places[1].1 as u32),
                format!("(i32.store8 (i32.const {}) (i32.const 1))", reason + 20),
                store(reason + 24, places[2].0),
                store(reason + 28, places[2].1 as u32),
                format!("(i32.store8 (i32.const {}) (i32.const 1))", reason + 32),
                store(reason + 36, places[3].0),
                store(reason + 40, places[3].1 as u32),
                format!("(i32.const {RETURN_AREA})"),
            ]
            .join("\n");
            (data, body)
        }
        Evaluate::Body(body) => (String::new(), (*body).to_owned()),
    };
    format!(
        r#"(module
  {imports}
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 65536))
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    (local $ptr i32)
    (local.set $ptr (global.get $heap))
    (global.set $heap (i32.add (local.get $ptr) (i32.and (i32.add (local.get 3) (i32.const 7)) (i32.const -8))))
    (if (i32.gt_u (global.get $heap) (i32.mul (memory.size) (i32.const 65536)))
      (then (drop (memory.grow (i32.add (i32.shr_u (i32.sub (global.get $heap) (i32.mul (memory.size) (i32.const 65536))) (i32.const 16)) (i32.const 1))))))
    (local.get $ptr))
  (data (i32.const {METADATA_AT}) "{metadata_text}")
  {data}
  (func (export "relgate:policy/gate@1.0.0#metadata") (result i32)
    (i32.store (i32.const {METADATA_AREA}) (i32.const {METADATA_AT}))
    (i32.store (i32.const {metadata_len_at}) (i32.const {metadata_len}))
    (i32.const {METADATA_AREA}))
  (func (export "relgate:policy/gate@1.0.0#evaluate") (param $input i32) (param $len i32) (result i32)
    {body})
  {funcs}
)"#,
        metadata_text = quote(metadata),
        metadata_len_at = METADATA_AREA + 4,
        metadata_len = metadata.len(),
    )
}

/// Wraps the core module `core_wat` in `world` of the WIT packages `wit` (each a document),
/// after relgate's own package when `with_relgate` (a hostile variant may replace it).
pub fn encode(core_wat: &str, with_relgate: bool, wit: &[&str], world: &str) -> Vec<u8> {
    let mut resolve = Resolve::default();
    let mut last = None;
    if with_relgate {
        last = Some(resolve.push_dir(super::root().join("sdk/wit")).expect("sdk/wit parses").0);
    }
    for (i, text) in wit.iter().enumerate() {
        last = Some(resolve.push_str(format!("fixture-{i}.wit"), text).expect("fixture WIT parses"));
    }
    let world = resolve.select_world(&[last.expect("a package")], Some(world)).expect("the world");
    let mut module = wat::parse_str(core_wat).expect("core WAT parses");
    wit_component::embed_component_metadata(&mut module, &resolve, world, StringEncoding::UTF8).unwrap();
    ComponentEncoder::default().module(&module).unwrap().validate(true).encode().expect("component encodes")
}

/// A component of relgate's world with `metadata` and `evaluate`.
pub fn policy(metadata: &str, evaluate: &Evaluate<'_>) -> Vec<u8> {
    encode(&core(metadata, evaluate, "", ""), true, &[], "policy")
}

/// Writes `bytes` as `dir/name`, returning the path.
pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}
