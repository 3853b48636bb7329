//! The library API: loading, evaluating, combining, pinning, caching.

use std::time::Duration;

use relgate::{CacheStatus, Decision, Digest, Engine, Error, FaultKind, Limit, Loaded, Outcome, PolicyRef, PolicySet};
use serde_json::json;

use crate::common::{self, engine, eval_one, load, read_input, root, test_config};

#[test]
fn static_policies_decide_with_score_and_reasons() {
    let engine = engine();
    let input = read_input("passing.json");
    let cases = [
        ("allow.wat", "always-allow", Decision::Allow, Some(100.0), "always", Outcome::Pass),
        ("deny.wat", "deny", Decision::Deny, Some(40.0), "tests.failed", Outcome::Fail),
        ("rollback.wat", "rollback", Decision::Rollback, Some(10.0), "metrics.error_rate", Outcome::Fail),
    ];
    for (file, name, decision, score, check, outcome) in cases {
        let report = eval_one(&engine, &load(&engine, file), &input);
        assert_eq!(report.policy, name, "{file}");
        assert_eq!(report.decision, decision, "{file}");
        assert_eq!(report.score, score, "{file}");
        assert_eq!(report.fault, None, "{file}");
        assert_eq!(report.reasons.len(), 1, "{file}");
        assert_eq!((report.reasons[0].check.as_str(), report.reasons[0].outcome), (check, outcome), "{file}");
    }
}

#[test]
fn deny_reason_carries_observed_and_threshold() {
    let engine = engine();
    let report = eval_one(&engine, &load(&engine, "deny.wat"), &read_input("passing.json"));
    assert_eq!(report.reasons[0].observed, Some(json!(3)));
    assert_eq!(report.reasons[0].threshold, Some(json!(0)));
}

#[test]
fn combined_decision_is_the_strictest() {
    let engine = engine();
    let input = read_input("passing.json");
    let cases: [(&[&str], Decision, Option<f64>); 4] = [
        (&["allow.wat"], Decision::Allow, Some(100.0)),
        (&["allow.wat", "deny.wat"], Decision::Deny, Some(40.0)),
        (&["deny.wat", "rollback.wat", "allow.wat"], Decision::Rollback, Some(10.0)),
        (&["rollback.wat", "deny.wat"], Decision::Rollback, Some(10.0)),
    ];
    for (files, decision, score) in cases {
        let policies: PolicySet = files.iter().map(|f| load(&engine, f)).collect();
        let report = engine.evaluate(&policies, &input);
        assert_eq!(report.decision, decision, "{files:?}");
        assert_eq!(report.score, score, "{files:?}");
        assert!(!report.decided_by_fault, "{files:?}");
        assert_eq!(report.policies.len(), files.len());
        let reason_policies: Vec<&str> = report.reasons().map(|r| r.policy).collect();
        let part_policies: Vec<&str> = report.policies.iter().map(|p| p.policy.as_str()).collect();
        assert_eq!(reason_policies, part_policies, "one reason per policy, in policy order");
    }
}

#[test]
fn a_fault_decides_only_when_it_is_stricter() {
    let engine = engine();
    let input = read_input("passing.json");
    let policies = PolicySet::from_iter([load(&engine, "allow.wat"), load(&engine, "trap.wat")]);
    let report = engine.evaluate(&policies, &input);
    assert_eq!(report.decision, Decision::Deny);
    assert!(report.decided_by_fault);
    assert_eq!(report.policies[1].fault.as_ref().map(|f| f.kind), Some(FaultKind::Trap));

    let policies = PolicySet::from_iter([load(&engine, "rollback.wat"), load(&engine, "trap.wat")]);
    let report = engine.evaluate(&policies, &input);
    assert_eq!(report.decision, Decision::Rollback);
    assert!(!report.decided_by_fault, "the rollback stands without the fault");
}

#[test]
fn config_and_now_reach_the_policy() {
    let engine = engine();
    let mut input = read_input("passing.json");
    input.config = Some(serde_json::from_value(json!({"max_failed": 0, "mode": "strict"})).unwrap());
    relgate_input::merge_config(
        &mut input,
        serde_json::from_value(json!({"mode": "lenient", "extra": [1, 2]})).unwrap(),
    );
    input.now = Some("2026-11-26T10:00:00+01:00".into());
    relgate_input::stamp_now(&mut input, "test".as_ref()).unwrap();

    let report = eval_one(&engine, &load(&engine, "echo.wat"), &input);
    assert_eq!(report.decision, Decision::Allow, "{:?}", report.fault);
    let seen = report.reasons[0].observed.clone().unwrap();
    assert_eq!(seen["config"], json!({"max_failed": 0, "mode": "lenient", "extra": [1, 2]}));
    assert_eq!(seen["now"], json!("2026-11-26T09:00:00Z"));
    assert_eq!(seen["release"]["service"], json!("checkout"));
    assert_eq!(seen["metrics"][1]["value"], json!(212.0));
}

#[test]
fn non_finite_metric_values_reach_the_policy_as_strings() {
    let input: relgate::Input = serde_json::from_value(json!({
        "metrics": [{"name": "ratio", "value": "NaN", "samples": [1, "+Inf"], "baseline_samples": ["-Inf"]}]
    }))
    .unwrap();
    let engine = engine();
    let report = eval_one(&engine, &load(&engine, "echo.wat"), &input);
    let seen = report.reasons[0].observed.clone().unwrap();
    assert_eq!(seen["metrics"][0]["value"], json!("NaN"));
    assert_eq!(seen["metrics"][0]["samples"], json!([1.0, "+Inf"]));
    assert_eq!(seen["metrics"][0]["baseline_samples"], json!(["-Inf"]));
}

#[test]
fn every_evaluation_gets_a_fresh_instance() {
    let engine = engine();
    let policy = load(&engine, "stateful.wat");
    let input = read_input("passing.json");
    for round in 0..3 {
        let report = eval_one(&engine, &policy, &input);
        assert_eq!(report.decision, Decision::Allow, "round {round}: {:?}", report.reasons);
    }
}

#[test]
fn fuel_use_is_deterministic_and_memory_is_reported() {
    let engine = engine();
    let policy = engine.load(&PolicyRef::file(root().join("policies/wat/tests-gate.wat"))).unwrap();
    let input = read_input("failing.json");
    let first = eval_one(&engine, &policy, &input);
    let second = eval_one(&engine, &policy, &input);
    assert_eq!(first.decision, Decision::Deny);
    assert!(first.fuel_used > 0);
    assert_eq!(first.fuel_used, second.fuel_used);
    assert_eq!(first.peak_memory_bytes, 2 * 65536, "one static page plus one for the input");
    assert!(first.instantiate_ms <= first.elapsed_ms);
}

#[test]
fn example_policy_judges_the_example_inputs() {
    let engine = engine();
    let policy = engine.load(&PolicyRef::file(root().join("policies/wat/tests-gate.wat"))).unwrap();
    assert_eq!(policy.name(), "tests-gate");

    let pass = eval_one(&engine, &policy, &read_input("passing.json"));
    assert_eq!((pass.decision, pass.score), (Decision::Allow, Some(100.0)));

    let fail = eval_one(&engine, &policy, &read_input("failing.json"));
    assert_eq!((fail.decision, fail.score), (Decision::Deny, Some(0.0)));
    assert_eq!(fail.reasons[0].observed, Some(json!(5)), "3 failed + 2 errors");

    let empty = eval_one(&engine, &policy, &relgate::Input::default());
    assert_eq!(empty.decision, Decision::Deny);
    assert_eq!(empty.reasons[0].check, "tests.present");
}

#[test]
fn pinned_digest_must_match() {
    let engine = engine();
    let path = root().join(common::policy("allow.wat"));
    let digest = Digest::of(&std::fs::read(&path).unwrap());
    let pinned: PolicyRef = format!("{}@{digest}", path.display()).parse().unwrap();
    assert_eq!(engine.load(&pinned).unwrap().digest(), digest);

    let zeros: Digest = format!("sha256:{}", "0".repeat(64)).parse().unwrap();
    match engine.load(&PolicyRef::file(&path).pinned(zeros)) {
        Err(Error::DigestMismatch { expected, actual, .. }) => {
            assert_eq!(expected, zeros);
            assert_eq!(actual, digest);
        }
        other => panic!("expected DigestMismatch, got {other:?}"),
    }
}

#[test]
fn limits_are_configurable() {
    let input = read_input("passing.json");
    let small = Engine::new(test_config().with_max_memory(1 << 20).with_max_input(64)).unwrap();
    let report = eval_one(&small, &load(&small, "memory-bomb.wat"), &relgate::Input::default());
    let fault = report.fault.unwrap();
    assert_eq!(fault.kind, FaultKind::MemoryLimit);
    assert!(fault.message.contains("above the limit of 1048576 bytes"), "{}", fault.message);
    let hit = fault.limit.expect("a limit fault says which limit");
    assert_eq!((hit.limit, hit.configured), (Limit::MaxMemory, 1 << 20));
    assert!(hit.observed.is_some_and(|asked| asked > 1 << 20), "{hit:?}");

    let report = eval_one(&small, &load(&small, "allow.wat"), &input);
    assert_eq!(report.fault.map(|f| f.kind), Some(FaultKind::InputTooLarge));

    let quick = Engine::new(test_config().with_fuel(None).with_deadline(Duration::from_millis(100))).unwrap();
    let report = eval_one(&quick, &load(&quick, "loop.wat"), &input);
    assert_eq!(report.fault.map(|f| f.kind), Some(FaultKind::Timeout));
}

#[test]
fn policies_of_one_evaluation_run_side_by_side_and_report_in_order() {
    let input = read_input("passing.json");
    let files = ["allow.wat", "deny.wat", "rollback.wat", "trap.wat", "allow.wat"];
    let outcomes = |threads, instances| {
        let engine = Engine::new(test_config().with_threads(threads).with_instances(instances)).unwrap();
        let set: PolicySet = files.iter().map(|f| load(&engine, f)).collect();
        let report = engine.evaluate(&set, &input);
        let parts: Vec<_> =
            report.policies.iter().map(|p| (p.policy.clone(), p.decision, p.fault.as_ref().map(|f| f.kind))).collect();
        (report.decision, report.score, parts)
    };
    let one_by_one = outcomes(1, 64);
    assert_eq!(one_by_one.2.len(), files.len());
    assert_eq!(one_by_one.2[3].2, Some(FaultKind::Trap));
    assert_eq!(outcomes(2, 64), one_by_one);
    assert_eq!(outcomes(8, 64), one_by_one);
    // Eight threads, one instance slot: the policies wait for it in turn.
    assert_eq!(outcomes(8, 1), one_by_one);

    // Three policies that loop until their 200 ms deadline, in an evaluation bounded by
    // 500 ms. One after another, the third starts with less time left than its own deadline
    // and stops at the evaluation's; side by side, each stops at its own.
    let limits = |threads| {
        let config = test_config()
            .with_fuel(None)
            .with_deadline(Duration::from_millis(200))
            .with_total_deadline(Duration::from_millis(500))
            .with_threads(threads);
        let engine = Engine::new(config).unwrap();
        let set: PolicySet = (0..3).map(|_| load(&engine, "loop.wat")).collect();
        let report = engine.evaluate(&set, &input);
        report
            .policies
            .iter()
            .map(|p| p.fault.as_ref().and_then(|f| f.limit.as_ref()).map(|l| l.limit))
            .collect::<Vec<_>>()
    };
    assert_eq!(limits(1), [Some(Limit::Deadline), Some(Limit::Deadline), Some(Limit::TotalDeadline)]);
    assert_eq!(limits(3), [Some(Limit::Deadline); 3]);
}

#[test]
fn on_fault_sets_the_fault_decision() {
    let input = read_input("passing.json");
    for decision in [Decision::Allow, Decision::Deny, Decision::Rollback] {
        let engine = Engine::new(test_config().with_on_fault(decision)).unwrap();
        let report = eval_one(&engine, &load(&engine, "trap.wat"), &input);
        assert_eq!(report.decision, decision);
        assert_eq!(report.reasons[0].check, relgate::FAULT_CHECK);
    }
}

#[test]
fn trap_backtrace_names_the_functions() {
    let engine = engine();
    let report = eval_one(&engine, &load(&engine, "trap.wat"), &read_input("passing.json"));
    let fault = report.fault.unwrap();
    assert_eq!(fault.kind, FaultKind::Trap);
    assert!(fault.backtrace[0].contains("check_invariants"), "{:?}", fault.backtrace);
    assert!(fault.backtrace[1].contains("judge"), "{:?}", fault.backtrace);
}

#[test]
fn refused_policy_becomes_a_fault_report() {
    let engine = engine();
    let err = engine.load(&PolicyRef::file(root().join(common::policy("wasi.wat")))).unwrap_err();
    let fault = err.fault().expect("an ABI refusal carries its fault");
    assert_eq!(fault.kind, FaultKind::BadAbi);
    assert!(fault.message.contains("`wasi_snapshot_preview1::fd_write`"), "{}", fault.message);

    let wasi = PolicyRef::file(root().join(common::policy("wasi.wat")));
    let set = engine.load_set([&PolicyRef::file(root().join(common::policy("allow.wat"))), &wasi]).unwrap();
    assert!(matches!(set.members(), [Loaded::Policy(_), Loaded::Refused(_)]), "{set:?}");
    let report = engine.evaluate(&set, &read_input("passing.json"));
    assert_eq!(report.policies[1].policy, "wasi");
    assert_eq!(report.policies[1].fault.as_ref().map(|f| f.kind), Some(FaultKind::BadAbi));
    assert_eq!(report.decision, Decision::Deny);
    assert!(report.decided_by_fault);

    // An unreadable policy is no decision at all: the whole set fails to load.
    let unreadable = PolicyRef::file("no/such/policy.wasm");
    let err = engine.load_set([&PolicyRef::file(root().join(common::policy("allow.wat"))), &unreadable]).unwrap_err();
    assert!(matches!(err, Error::ReadPolicy { .. }), "{err:?}");
}

#[test]
fn invalid_wat_names_the_file_and_position() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.wat");
    std::fs::write(&path, "(module\n  (func (export \"x\") (result i32)\n    i32.const))\n").unwrap();
    let err = engine().load(&PolicyRef::file(&path)).unwrap_err();
    assert!(matches!(err, Error::CompilePolicy { .. }), "{err:?}");
    let chain = format!("{:#}", anyhow::Error::from(err));
    assert!(chain.contains("broken.wat"), "{chain}");
    assert!(chain.contains("(line 3, column 14)"), "line 3 is named: {chain}");
    assert!(!chain.contains("i32.const))"), "the source line is not quoted: {chain}");

    // A file that is no policy at all (secrets passed by mistake) is not echoed.
    std::fs::write(&path, "root:x:0:0:root:/root:/bin/bash\napi-token-0123456789\n").unwrap();
    let chain = format!("{:#}", anyhow::Error::from(engine().load(&PolicyRef::file(&path)).unwrap_err()));
    assert!(!chain.contains("root:x") && !chain.contains("api-token"), "{chain}");
    assert!(chain.contains("(line 1, column 1)"), "{chain}");
}

#[test]
fn compiled_policies_are_cached_and_bad_entries_recompiled() {
    let dir = tempfile::tempdir().unwrap();
    let config = test_config().with_cache_dir(Some(dir.path().to_path_buf()));
    let input = read_input("failing.json");
    let load_fresh = || {
        let engine = Engine::new(config.clone()).unwrap();
        let policy = load(&engine, "deny.wat");
        assert_eq!(eval_one(&engine, &policy, &input).decision, Decision::Deny);
        policy.cache_status()
    };
    assert_eq!(load_fresh(), CacheStatus::Miss);
    assert_eq!(load_fresh(), CacheStatus::Hit);

    let entries: Vec<_> =
        walk(dir.path()).into_iter().filter(|p| p.extension().is_some_and(|e| e == "cwasm")).collect();
    assert_eq!(entries.len(), 1, "{entries:?}");
    let entry = &entries[0];

    // A flipped byte in the compiled code: the checksum catches it.
    let mut bytes = std::fs::read(entry).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(entry, &bytes).unwrap();
    assert_eq!(load_fresh(), CacheStatus::Corrupt);
    assert_eq!(load_fresh(), CacheStatus::Hit, "the entry was rewritten");

    // Truncated.
    std::fs::write(entry, &bytes[..10]).unwrap();
    assert_eq!(load_fresh(), CacheStatus::Corrupt);

    // An entry whose header is right and whose checksum is recomputed over a payload that is
    // not compiled code (as a patch would be): wasmtime's own check refuses it.
    let header_len = b"relgate-module-cache-v2\n".len() + 32 + 8;
    let payload = b"not a compiled module";
    let mut patched = bytes[..header_len].to_vec();
    use sha2::Digest as _;
    let mut sum = sha2::Sha256::new();
    sum.update(&patched);
    sum.update(payload);
    patched.extend_from_slice(&sum.finalize());
    patched.extend_from_slice(payload);
    std::fs::write(entry, &patched).unwrap();
    assert_eq!(load_fresh(), CacheStatus::Stale);
    assert_eq!(load_fresh(), CacheStatus::Hit);
}

#[test]
fn built_in_policies_run_their_precompiled_code_only_where_it_fits() {
    let input = read_input("failing.json");
    let readiness = PolicyRef::builtin(relgate::builtin::DEFAULT);
    let load_with = |config: relgate::Config| {
        let engine = Engine::new(config.with_cache_dir(None)).unwrap();
        let policy = engine.load(&readiness).unwrap();
        let report = eval_one(&engine, &policy, &input);
        (policy.cache_status(), report.decision, report.score)
    };
    let (status, decision, score) = load_with(relgate::Config::default());
    assert_eq!(status, CacheStatus::Precompiled, "build.rs precompiled the built-in policies");
    // The wasm stack is a limit wasmtime checks as the code runs, not one it compiles in.
    let other_stack = relgate::Config::default().with_max_stack(256 << 10);
    assert_eq!(load_with(other_stack), (CacheStatus::Precompiled, decision, score));
    // Stricter compile limits: the policy is checked against them, so it is compiled.
    let fewer_functions = relgate::Config::default().with_max_functions(50_000);
    assert_eq!(load_with(fewer_functions), (CacheStatus::Disabled, decision, score));
    // Looser ones still take the precompiled code.
    let larger_modules = relgate::Config::default().with_max_module_size(64 << 20);
    assert_eq!(load_with(larger_modules), (CacheStatus::Precompiled, decision, score));
    // Other policies never do.
    let engine = Engine::new(relgate::Config::default().with_cache_dir(None)).unwrap();
    assert_eq!(load(&engine, "deny.wat").cache_status(), CacheStatus::Disabled);
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn a_policy_from_bytes_keeps_its_whole_name() {
    let engine = engine();
    let bytes = std::fs::read(root().join(common::policy("deny.wat"))).unwrap();
    let policy = engine.load_bytes("gate.v2", &bytes).unwrap();
    assert_eq!(policy.name(), "gate.v2");
    let report = eval_one(&engine, &policy, &read_input("passing.json"));
    assert_eq!((report.policy.as_str(), report.source.to_string()), ("gate.v2", "gate.v2".to_owned()));
    assert_eq!(report.digest, Digest::of(&bytes));

    // Pinned bytes are checked like a pinned file.
    let wrong = PolicyRef::bytes("gate.v2", bytes.clone()).pinned(Digest::of(b"other"));
    assert!(matches!(engine.load(&wrong), Err(Error::DigestMismatch { .. })));
}

#[test]
fn faults_name_no_front_end_flags() {
    // The engine returns data; the CLI phrases its flags, a service its own settings.
    let engine = Engine::new(test_config().with_fuel(Some(100_000))).unwrap();
    let input = read_input("passing.json");
    for file in ["loop.wat", "memory-bomb.wat", "recursion.wat", "huge-output.wat"] {
        let fault = eval_one(&engine, &load(&engine, file), &input).fault.unwrap();
        assert!(fault.limit.is_some(), "{file}: {fault:?}");
        assert!(!fault.message.contains("--"), "{file}: {}", fault.message);
    }
}

/// The compiled entry of `policy` in a cache folder (there is one per engine).
fn cache_entry(cache: &std::path::Path, policy: &std::path::Path) -> std::path::PathBuf {
    let digest = Digest::of(&std::fs::read(policy).unwrap());
    let entries: Vec<_> = walk(cache).into_iter().filter(|p| p.ends_with(format!("{}.cwasm", digest.hex()))).collect();
    assert_eq!(entries.len(), 1, "{entries:?}");
    entries.into_iter().next().unwrap()
}

#[test]
fn cache_entry_copied_over_a_pinned_policy_is_not_run() {
    // An allowing policy's compiled code copied over a denying policy's entry must not make
    // `deny.wat@sha256:<deny's digest>` allow.
    let dir = tempfile::tempdir().unwrap();
    let config = test_config().with_cache_dir(Some(dir.path().to_path_buf()));
    let (allow, deny) = (root().join(common::policy("allow.wat")), root().join(common::policy("deny.wat")));
    let engine = Engine::new(config.clone()).unwrap();
    engine.load(&PolicyRef::file(&allow)).unwrap();
    engine.load(&PolicyRef::file(&deny)).unwrap();
    std::fs::copy(cache_entry(dir.path(), &allow), cache_entry(dir.path(), &deny)).unwrap();

    let pinned = PolicyRef::file(&deny).pinned(Digest::of(&std::fs::read(&deny).unwrap()));
    let engine = Engine::new(config).unwrap();
    let policy = engine.load(&pinned).unwrap();
    assert_eq!(policy.cache_status(), CacheStatus::Corrupt, "the entry names another source");
    assert_eq!(eval_one(&engine, &policy, &read_input("passing.json")).decision, Decision::Deny);
}

#[test]
fn cache_entry_that_cannot_be_written_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let engine = Engine::new(test_config().with_cache_dir(Some(cache.clone()))).unwrap();
    std::fs::remove_dir_all(&cache).unwrap();
    let deny = root().join(common::policy("deny.wat"));
    assert_eq!(engine.load(&PolicyRef::file(&deny)).unwrap().cache_status(), CacheStatus::Unwritable);
}

#[cfg(unix)]
#[test]
fn cache_writable_by_others_or_owned_by_another_user_is_not_trusted() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let config = test_config().with_cache_dir(Some(cache.clone()));
    let deny = root().join(common::policy("deny.wat"));
    let load = || Engine::new(config.clone()).unwrap().load(&PolicyRef::file(&deny)).unwrap().cache_status();
    assert_eq!(load(), CacheStatus::Miss);
    assert_eq!(load(), CacheStatus::Hit);
    let entry = cache_entry(&cache, &deny);

    // A world-writable entry: anyone could have planted it.
    std::fs::set_permissions(&entry, std::fs::Permissions::from_mode(0o666)).unwrap();
    assert_eq!(load(), CacheStatus::Untrusted);
    assert_eq!(load(), CacheStatus::Hit, "rewritten as a private file");
    assert_eq!(std::fs::metadata(&entry).unwrap().permissions().mode() & 0o777, 0o600);

    // A group-writable cache folder: nothing in it is used, and nothing is written.
    std::fs::set_permissions(&cache, std::fs::Permissions::from_mode(0o770)).unwrap();
    assert_eq!(load(), CacheStatus::Disabled);
    std::fs::set_permissions(&cache, std::fs::Permissions::from_mode(0o700)).unwrap();
    assert_eq!(load(), CacheStatus::Hit);

    // An entry owned by another user (only root can make one here).
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        std::os::unix::fs::chown(&entry, Some(65534), None).unwrap();
        assert_eq!(load(), CacheStatus::Untrusted);
    } else {
        eprintln!("NOTE: not root, so the entry owned by another user is not tried");
    }
}

#[test]
fn a_set_evaluated_by_another_engine_gets_that_engines_fault_decision() {
    // Policies loaded by a fail-open engine must not run under its limits, or keep its
    // fault decision, when a fail-closed engine evaluates them.
    let lenient = Engine::new(test_config().with_on_fault(Decision::Allow)).unwrap();
    let strict = engine();
    let set = lenient
        .load_set([
            &PolicyRef::file(root().join(common::policy("allow.wat"))),
            &PolicyRef::file(root().join(common::policy("wasi.wat"))),
        ])
        .unwrap();
    let input = read_input("passing.json");
    assert_eq!(lenient.evaluate(&set, &input).decision, Decision::Allow, "fail-open as configured");
    let report = strict.evaluate(&set, &input);
    assert_eq!(report.decision, Decision::Deny);
    assert!(report.policies.iter().all(|p| p.decision == Decision::Deny), "{:?}", report.policies);
    let foreign = report.policies[0].fault.as_ref().unwrap();
    assert!(foreign.message.contains("loaded by another engine"), "{}", foreign.message);
}
