//! `relgate serve`: the real server on a loopback port, called as pipelines, Argo Rollouts and
//! Flagger call it.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::common::prometheus;
use crate::common::server::{self, Server};
use crate::common::{input, policy, relgate, root};

const TOKEN: &str = "0123456789abcdef0123456789abcdef";

/// A private token file and a gates file in `dir`.
fn setup(dir: &Path, gates: &str) -> (String, String) {
    use std::os::unix::fs::PermissionsExt;
    let token = dir.join("token");
    std::fs::write(&token, format!("{TOKEN}\n")).unwrap();
    std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o600)).unwrap();
    let file = dir.join("relgate.toml");
    std::fs::write(&file, gates).unwrap();
    (token.to_str().unwrap().to_owned(), file.to_str().unwrap().to_owned())
}

fn gates_file() -> String {
    let root = root();
    format!(
        r#"
[gates.default]
policies = ["builtin:readiness"]

[gates.always]
policies = ["{allow}"]

[gates.rollback]
policies = ["{rollback}"]

[gates.strict]
policies = ["builtin:readiness"]
config = {{ readiness = {{ gate = {{ pass = 99 }} }} }}
"#,
        allow = root.join(policy("allow.wat")).display(),
        rollback = root.join(policy("rollback.wat")).display(),
    )
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap()
}

#[test]
fn every_endpoint_answers_as_documented() {
    let dir = tempfile::tempdir().unwrap();
    let (token_file, gates) = setup(dir.path(), &gates_file());
    let server = server::start(&["--gates", &gates, "--token-file", &token_file, "--max-body", "64KiB"], dir.path());
    let t = Some(TOKEN);

    // Health and metrics need no token; everything else does.
    assert_eq!(server.get("/healthz", None).json(), json!({"status": "ok"}));
    assert_eq!(server.get("/readyz", None).json(), json!({"status": "ready", "gates": 4}));
    assert_eq!(server.get("/metrics", None).status, 200);
    for token in [None, Some("0123456789abcdef0123456789abcdeX"), Some("")] {
        let answer = server.get("/v1/gates", token);
        assert_eq!(answer.status, 401, "{token:?}");
        assert_eq!(answer.json()["error"], "unauthorized");
        assert_eq!(answer.header("www-authenticate"), Some("Bearer"));
        assert_eq!(server.post("/v1/gates/default/evaluate", token, "{}").status, 401);
    }

    let gates = server.get("/v1/gates", t).json();
    let names: Vec<&str> = gates["gates"].as_array().unwrap().iter().map(|g| g["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["always", "default", "rollback", "strict"]);
    let readiness = &gates["gates"][1]["policies"][0];
    assert_eq!(
        (readiness["name"].as_str(), readiness["source"].as_str()),
        (Some("readiness"), Some("builtin:readiness"))
    );
    assert!(readiness["digest"].as_str().unwrap().starts_with("sha256:"), "{readiness}");
    assert!(readiness["version"].is_string(), "{readiness}");

    // A gate judges the request's input: 200 for every decision, with the report of
    // `eval --format json`, a decision id and the gate.
    let passing = read(&input("passing.json"));
    let answer = server.post("/v1/gates/default/evaluate", t, &format!(r#"{{"input": {passing}}}"#));
    assert_eq!(answer.status, 200, "{}", answer.body);
    let report = answer.json();
    assert_eq!((report["decision"].as_str(), report["gate"].as_str()), (Some("allow"), Some("default")));
    assert_eq!(report["score"], 93.75);
    let id = report["decision_id"].as_str().unwrap();
    assert_eq!((id.len(), id.as_bytes()[14]), (36, b'7'), "a UUIDv7: {id}");
    let cli = relgate(&["eval", "--input", &input("passing.json"), "--format", "json"]).json();
    assert_eq!(report["reasons"], cli["reasons"], "the server's report is the CLI's");

    let failing = read(&input("failing.json"));
    let answer = server.post("/v1/gates/default/evaluate", t, &format!(r#"{{"input": {failing}}}"#));
    assert_eq!((answer.status, answer.json()["decision"].as_str()), (200, Some("deny")));
    // The gate's config applies: the strict gate needs 99 points.
    let answer = server.post("/v1/gates/strict/evaluate", t, &format!(r#"{{"input": {passing}}}"#));
    assert_eq!(answer.json()["decision"], "deny", "{}", answer.body);
    // The release fields of the request reach the input.
    let answer = server.post(
        "/v1/gates/rollback/evaluate",
        t,
        r#"{"release": {"service": "checkout", "labels": {"team": "pay"}}}"#,
    );
    assert_eq!((answer.status, answer.json()["decision"].as_str()), (200, Some("rollback")));
    // A full input against the default gate, or the one named.
    assert_eq!(server.post("/v1/evaluate", t, &passing).json()["decision"], "allow");
    assert_eq!(server.post("/v1/evaluate?gate=strict", t, &passing).json()["decision"], "deny");
    // An empty body is an empty request.
    assert_eq!(server.post("/v1/gates/always/evaluate", t, "").json()["decision"], "allow");

    // Errors are {"error", "detail"} with the right status.
    let cases: &[(&str, String, u16, &str, &str)] = &[
        (
            "/v1/gates/nope/evaluate",
            "{}".into(),
            404,
            "unknown gate",
            "the gates are: always, default, rollback, strict",
        ),
        ("/v1/evaluate?gate=nope", "{}".into(), 404, "unknown gate", "`nope`"),
        ("/v1/gates/default/evaluate", "{".into(), 400, "invalid request", "line 1 column 1"),
        ("/v1/gates/default/evaluate", r#"{"relase": {}}"#.into(), 400, "invalid request", "unknown field `relase`"),
        ("/v1/gates/default/evaluate", r#"{"input": {}, "input": {}}"#.into(), 400, "invalid request", "duplicate key"),
        (
            "/v1/gates/default/evaluate",
            r#"{"input": {"tests": {"totl": 1}}}"#.into(),
            422,
            "invalid input",
            "tests.totl",
        ),
        ("/v1/gates/default/evaluate", r#"{"input": [1]}"#.into(), 422, "invalid input", "must be a JSON object"),
        (
            "/v1/gates/strict/evaluate",
            r#"{"input": {"config": {"readiness": {"gate": {"pass": 1}}}}}"#.into(),
            422,
            "invalid input",
            "takes its policy config from the gates file",
        ),
        (
            "/v1/gates/default/evaluate",
            r#"{"input": {"now": "2020-01-01T00:00:00Z"}}"#.into(),
            422,
            "invalid input",
            "judges at the server's time",
        ),
        (
            "/v1/gates/default/evaluate",
            format!(r#"{{"input": {{"x": "{}"}}}}"#, "a".repeat(70_000)),
            413,
            "body too large",
            "65536 bytes",
        ),
        ("/v1/nothing", "{}".into(), 404, "not found", "docs/server.md"),
    ];
    for (path, body, status, error, detail) in cases {
        let answer = server.post(path, t, body);
        assert_eq!(answer.status, *status, "{path} {}: {}", &body[..body.len().min(80)], answer.body);
        let json = answer.json();
        assert_eq!(json["error"], *error, "{path}: {json}");
        assert!(json["detail"].as_str().unwrap().contains(detail), "{path}: {json}");
    }
    assert_eq!(server.get("/v1/gates/default/evaluate", t).status, 405);

    // The metrics count what happened.
    let metrics = server.get("/metrics", None).body;
    for line in [
        r#"relgate_evaluations_total{gate="default",decision="allow"} 2"#,
        r#"relgate_evaluations_total{gate="default",decision="deny"} 1"#,
        r#"relgate_policy_decisions_total{gate="rollback",policy="rollback",decision="rollback"} 1"#,
        r#"relgate_rejected_requests_total{reason="unauthorized"} 6"#,
        r#"relgate_rejected_requests_total{reason="too_large"} 1"#,
        "relgate_in_flight_evaluations 0",
        r#"relgate_evaluation_seconds_count{gate="strict",decision="deny"} 2"#,
    ] {
        assert!(metrics.contains(line), "{line} in\n{metrics}");
    }
}

#[test]
fn argo_rollouts_web_provider_requests_get_a_decision_to_match() {
    let dir = tempfile::tempdir().unwrap();
    let (token_file, gates) = setup(dir.path(), &gates_file());
    let server = server::start(&["--gates", &gates, "--token-file", &token_file], dir.path());
    // What Argo Rollouts sends for the AnalysisTemplate in docs/integrations/ once it has
    // substituted {{args.*}}: a POST with the jsonBody, its headers, and a bearer token.
    let body = r#"{"release":{"service":"checkout","version":"v2.4.1","environment":"production","stage":"canary"}}"#;
    for (gate, decision) in [("always", "allow"), ("default", "deny"), ("rollback", "rollback")] {
        let answer = server.post(&format!("/v1/gates/{gate}/evaluate"), Some(TOKEN), body);
        // 200 for every decision: the template's conditions read `result.decision`.
        assert_eq!(answer.status, 200, "{}", answer.body);
        assert_eq!(answer.json()["decision"], decision);
    }
    // The template in the docs points at this endpoint and these conditions.
    let template = read("docs/integrations/argo-rollouts.yaml");
    for words in [
        "/v1/gates/",
        r#"successCondition: result.decision == "allow""#,
        r#"failureCondition: result.decision == "rollback""#,
        "{{args.service}}",
        "Bearer",
    ] {
        assert!(template.contains(words), "{words}");
    }
}

#[test]
fn flagger_webhooks_answer_200_or_403_and_the_rollback_hook_inverts() {
    let dir = tempfile::tempdir().unwrap();
    let (token_file, gates) = setup(dir.path(), &gates_file());
    let server = server::start(&["--gates", &gates, "--token-file", &token_file], dir.path());
    // Flagger's webhook payload, as it posts it to every hook. Its webhooks cannot send
    // headers: the token comes in the hook's metadata.
    let with_token = |token: &str| {
        json!({"name": "podinfo", "namespace": "test", "phase": "Progressing", "checksum": "85d557f47b",
               "metadata": {"env": "production", "relgate-token": token}})
        .to_string()
    };
    let payload = with_token(TOKEN);
    for bad in
        [with_token("0123456789abcdef0123456789abcdeX"), r#"{"name":"podinfo","namespace":"test"}"#.into(), "{".into()]
    {
        let answer = server::call(&server.url, "POST", "/v1/flagger/always", None, Some(&bad));
        assert_eq!((answer.status, answer.json()["error"].as_str()), (401, Some("unauthorized")), "{bad}");
    }
    let cases = [
        ("/v1/flagger/always", 200, "allow"),
        ("/v1/flagger/default", 403, "deny"),
        ("/v1/flagger/rollback", 403, "rollback"),
        ("/v1/flagger/always/rollback", 403, "allow"),
        ("/v1/flagger/default/rollback", 403, "deny"),
        ("/v1/flagger/rollback/rollback", 200, "rollback"),
    ];
    for (path, status, decision) in cases {
        let answer = server::call(&server.url, "POST", path, None, Some(&payload));
        assert_eq!((answer.status, answer.json()["decision"].as_str()), (status, Some(decision)), "{path}");
        // The reasons are in the body, which Flagger shows in its events.
        assert!(answer.json()["reasons"].is_array(), "{path}");
    }
    // Older Flagger versions send no phase or checksum (a bearer header works as well as the
    // metadata); a payload without the namespace is refused.
    assert_eq!(server.post("/v1/flagger/always", Some(TOKEN), r#"{"name":"podinfo","namespace":"test"}"#).status, 200);
    let answer = server.post("/v1/flagger/always", Some(TOKEN), r#"{"name":"podinfo"}"#);
    assert_eq!(answer.status, 400);
    assert!(answer.json()["detail"].as_str().unwrap().contains("missing field `namespace`"), "{}", answer.body);
    let canary = read("docs/integrations/flagger-canary.yaml");
    for hook in ["type: confirm-rollout", "type: pre-rollout", "type: rollout", "type: rollback", "/v1/flagger/"] {
        assert!(canary.contains(hook), "{hook}");
    }
}

#[test]
fn reload_swaps_gates_atomically_and_a_bad_file_keeps_the_old_ones() {
    let dir = tempfile::tempdir().unwrap();
    let (token_file, gates) = setup(dir.path(), "[gates.default]\npolicies = [\"builtin:readiness\"]\n");
    let server = server::start(&["--gates", &gates, "--token-file", &token_file], dir.path());
    let t = Some(TOKEN);
    let names = |server: &Server| -> Vec<String> {
        let gates = server.get("/v1/gates", t).json();
        gates["gates"].as_array().unwrap().iter().map(|g| g["name"].as_str().unwrap().to_owned()).collect()
    };

    // A bad file: the answer says why, with the line and key, and the old gates serve.
    std::fs::write(&gates, "[gates.default]\npolicies = [\"builtin:readiness\"]\n[gates.next]\npolcies = []\n")
        .unwrap();
    let answer = server.post("/v1/gates/reload", t, "");
    assert_eq!(answer.status, 422, "{}", answer.body);
    let detail = answer.json()["detail"].as_str().unwrap().to_owned();
    assert!(detail.contains("line 4, column 1") && detail.contains("unknown field `polcies`"), "{detail}");
    assert_eq!(names(&server), ["default"]);
    // A policy that cannot load is refused the same way.
    std::fs::write(&gates, format!("[gates.next]\npolicies = [\"{}\"]\n", root().join(policy("wasi.wat")).display()))
        .unwrap();
    let answer = server.post("/v1/gates/reload", t, "");
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert!(answer.json()["detail"].as_str().unwrap().contains("gate `next`"), "{}", answer.body);
    assert_eq!(server.post("/v1/gates/default/evaluate", t, "{}").status, 200, "the old gate still serves");

    // A good file replaces the set.
    std::fs::write(&gates, format!("[gates.next]\npolicies = [\"{}\"]\n", root().join(policy("allow.wat")).display()))
        .unwrap();
    let answer = server.post("/v1/gates/reload", t, "");
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.json()["reloaded"], true);
    assert_eq!(names(&server), ["next"]);
    assert_eq!(server.post("/v1/gates/default/evaluate", t, "{}").status, 404);

    // SIGHUP reloads too; a bad file leaves the set, a good one replaces it.
    std::fs::write(&gates, "not toml [").unwrap();
    server.signal(libc::SIGHUP);
    wait_for(|| server.stderr.lock().unwrap().contains("SIGHUP: reload failed"));
    assert_eq!(names(&server), ["next"]);
    std::fs::write(&gates, "[gates.third]\npolicies = [\"builtin:readiness\"]\n").unwrap();
    server.signal(libc::SIGHUP);
    wait_for(|| names(&server) == ["third"]);
}

fn wait_for(mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done() {
        assert!(Instant::now() < deadline, "the condition did not hold within 60 s");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn in_flight(server: &Server) -> u32 {
    let metrics = server.get("/metrics", None).body;
    let line = metrics.lines().find(|l| l.starts_with("relgate_in_flight_evaluations ")).unwrap();
    line.rsplit(' ').next().unwrap().parse().unwrap()
}

/// A server whose gate `slow` loops until its --timeout, without a fuel limit.
fn slow_server(dir: &Path, args: &[&str]) -> Server {
    let loop_policy = root().join(policy("loop.wat"));
    let (token_file, gates) = setup(dir, &format!("[gates.slow]\npolicies = [\"{}\"]\n", loop_policy.display()));
    let mut all = vec!["--gates", &gates, "--token-file", &token_file, "--fuel", "unlimited"];
    all.extend_from_slice(args);
    server::start(&all, dir)
}

#[test]
fn a_saturated_server_answers_503_and_sigterm_finishes_requests_in_flight() {
    let dir = tempfile::tempdir().unwrap();
    let server = slow_server(dir.path(), &["--workers", "1", "--queue", "0", "--timeout", "3s"]);
    let url = server.url.clone();
    let first =
        std::thread::spawn(move || server::call(&url, "POST", "/v1/gates/slow/evaluate", Some(TOKEN), Some("{}")));
    wait_for(|| in_flight(&server) == 1);

    // One worker, no queue: the next request is refused at once, not queued.
    let answer = server.post("/v1/gates/slow/evaluate", Some(TOKEN), "{}");
    assert_eq!(answer.status, 503, "{}", answer.body);
    assert_eq!(answer.header("retry-after"), Some("1"));
    assert_eq!(answer.json()["error"], "saturated");
    assert!(server.get("/metrics", None).body.contains(r#"relgate_rejected_requests_total{reason="saturated"} 1"#));

    // SIGTERM while the first is still evaluating: it gets its answer, then the server exits.
    server.signal(libc::SIGTERM);
    let first = first.join().unwrap();
    assert_eq!(first.status, 200, "{}", first.body);
    let report = first.json();
    assert_eq!((report["decision"].as_str(), report["decided_by_fault"].as_bool()), (Some("deny"), Some(true)));
    assert_eq!(report["policies"][0]["fault"]["kind"], "timeout");
    assert_eq!(server.wait(), Some(0), "a graceful shutdown exits 0");
}

#[test]
fn authentication_is_on_by_default_with_a_private_token_file() {
    let dir = tempfile::tempdir().unwrap();
    let server = server::start(&[], dir.path());
    let token_file = dir.path().join("relgate").join("serve.token");
    let token = std::fs::read_to_string(&token_file).unwrap();
    let token = token.trim();
    assert_eq!(token.len(), 64, "a random 256-bit token in hex");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&token_file).unwrap().permissions().mode() & 0o777, 0o600);
    assert!(server.stderr.lock().unwrap().contains(&token_file.display().to_string()), "the log names the file");
    assert!(!server.stderr.lock().unwrap().contains(token), "the log never shows the token");
    assert_eq!(server.post("/v1/evaluate", None, "{}").status, 401);
    // The default gate is builtin:readiness.
    let answer = server.post("/v1/evaluate", Some(token), &read(&input("passing.json")));
    assert_eq!((answer.status, answer.json()["decision"].as_str()), (200, Some("allow")));
}

#[test]
fn bad_gates_files_and_options_stop_the_server_naming_the_cause() {
    let dir = tempfile::tempdir().unwrap();
    let (token_file, _) = setup(dir.path(), "");
    let bad = dir.path().join("bad.toml");
    let cases: &[(&str, &str)] = &[
        (
            "[gates.Default]\npolicies = [\"builtin:readiness\"]\n",
            "line 1, column 8: `gates.Default` `Default` is not a gate name",
        ),
        ("[gates.a]\npolicies = [\"builtin:nope\"]\n", "gate `a`: cannot load its policies"),
        ("[gates.a]\npolicies = [\"builtin:readiness\"]\nextra = 1\n", "line 3, column 1: unknown field `extra`"),
        ("# nothing here\n", "it defines no gate"),
    ];
    for (text, words) in cases {
        std::fs::write(&bad, text).unwrap();
        let run = relgate(&[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--gates",
            bad.to_str().unwrap(),
            "--token-file",
            &token_file,
        ]);
        assert_eq!(run.code, 2, "{text}: {}", run.stderr);
        assert!(run.stderr.contains(words), "{text}: {}", run.stderr);
    }
    let open = std::fs::Permissions::from_mode(0o644);
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&token_file, open).unwrap();
    let run = relgate(&["serve", "--listen", "127.0.0.1:0", "--token-file", &token_file]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("must be yours and private to you: `chmod 600"), "{}", run.stderr);
}

#[test]
#[cfg_attr(
    relgate_missing = "prometheus",
    ignore = "no prometheus and promtool when the suite was built (`apt-get install prometheus`)"
)]
fn gate_queries_fill_in_release_fields_against_live_prometheus() {
    let prometheus = prometheus::start();
    let now = jiff::Timestamp::from_second(prometheus::last_sample_time(prometheus::start_time())).unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let gates = format!(
        r#"
[gates.canary]
policies = ["builtin:canary"]
# The data lies in the past: the requests say when to judge.
request_now = true

[gates.canary.prometheus]
url = "{url}"
range = "5m"
step = "30s"
canary_queries.latency = 'http_latency_ms{{track="{{{{labels.canary_track}}}}"}}'
baseline_queries.latency = 'http_latency_ms{{track=~"{{{{labels.baseline_track}}}}"}}'

[gates.down]
policies = ["builtin:canary"]

[gates.down.prometheus]
url = "http://127.0.0.1:9"
timeout = "2s"
canary_queries.latency = 'http_latency_ms{{service="{{{{service}}}}"}}'
"#,
        url = prometheus.url
    );
    let (token_file, gates) = setup(dir.path(), &gates);
    let server = server::start(&["--gates", &gates, "--token-file", &token_file], dir.path());
    let request = |canary: &str, baseline: &str| {
        json!({
            "release": {"service": "checkout", "labels": {"canary_track": canary, "baseline_track": baseline}},
            "input": {"now": now},
        })
        .to_string()
    };

    // The placeholders pick the series: the canary's latency regressed by 20 ms, roll back.
    let answer = server.post("/v1/gates/canary/evaluate", Some(TOKEN), &request("canary", "baseline"));
    assert_eq!(answer.status, 200, "{}", answer.body);
    let report = answer.json();
    assert_eq!(report["decision"], "rollback", "{report}");
    assert_eq!(report["reasons"][0]["check"], "metrics.latency");
    assert!(report.get("unavailable").is_none());

    // The CLI runs the same gate to the same decision.
    let input_file = dir.path().join("input.json");
    std::fs::write(&input_file, json!({"now": now}).to_string()).unwrap();
    let run = relgate(&[
        "eval",
        "--gate",
        "canary",
        "--gates",
        &gates,
        "--input",
        input_file.to_str().unwrap(),
        "--label",
        "canary_track=canary",
        "--label",
        "baseline_track=baseline",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert_eq!(run.json()["reasons"], report["reasons"]);

    // A value that tries to rewrite the query is escaped: it matches no series, so the
    // metric has no data and the canary policy holds instead of judging other series.
    let hostile = r#"canary"} or http_latency_ms{track="baseline"#;
    let answer = server.post("/v1/gates/canary/evaluate", Some(TOKEN), &request(hostile, ".*"));
    let report = answer.json();
    assert_eq!(report["decision"], "deny", "{report}");
    assert!(report["reasons"].to_string().contains("cannot judge"), "{report}");

    // A release without the field a query uses cannot be judged: 422 naming it.
    let answer = server.post("/v1/gates/canary/evaluate", Some(TOKEN), r#"{"release": {"service": "checkout"}}"#);
    assert_eq!(answer.status, 422);
    assert!(
        answer.json()["detail"]
            .as_str()
            .unwrap()
            .contains("uses {{labels.canary_track}}, but the release has no labels.canary_track"),
        "{}",
        answer.body
    );

    // An unreachable Prometheus is explicit no data: listed, and the policy holds.
    let answer = server.post("/v1/gates/down/evaluate", Some(TOKEN), r#"{"release": {"service": "checkout"}}"#);
    assert_eq!(answer.status, 200, "{}", answer.body);
    let report = answer.json();
    assert_eq!(report["decision"], "deny");
    assert_eq!(report["unavailable"][0]["metric"], "latency");
    assert!(report["unavailable"][0]["reason"].as_str().unwrap().contains("cannot reach Prometheus"), "{report}");
}

#[test]
fn the_readme_session_and_the_example_gates_file_work() {
    let readme = read("README.md");
    for words in [
        "serve --gates docs/integrations/relgate.toml &",
        "TOKEN=$(cat ~/.config/relgate/serve.token)",
        "/v1/gates/checkout-pre-deploy/evaluate",
        r#"\"input\": $(cat tests/data/inputs/passing.json)"#,
        r#""decision":"allow","decision_id":"#,
    ] {
        assert!(readme.contains(words), "the README's session has {words}");
    }
    let home = tempfile::tempdir().unwrap();
    let server = server::start(&["--gates", "docs/integrations/relgate.toml"], home.path());
    let token = std::fs::read_to_string(home.path().join("relgate/serve.token")).unwrap();
    let body = format!(r#"{{"release": {{"service": "checkout"}}, "input": {}}}"#, read(&input("passing.json")));
    let answer = server.post("/v1/gates/checkout-pre-deploy/evaluate", Some(token.trim()), &body);
    assert_eq!(answer.status, 200, "{}", answer.body);
    let report = answer.json();
    assert_eq!(
        (report["decision"].as_str(), report["score"].as_f64(), report["gate"].as_str()),
        (Some("allow"), Some(75.0), Some("checkout-pre-deploy"))
    );
    let gates = server.get("/v1/gates", Some(token.trim())).json();
    assert_eq!(gates["gates"][0]["name"], "checkout-canary", "the canary gate loads too");
}

#[test]
fn a_request_past_its_deadline_is_answered_503() {
    let dir = tempfile::tempdir().unwrap();
    let server = slow_server(dir.path(), &["--request-timeout", "300ms", "--timeout", "5s"]);
    let started = Instant::now();
    let answer = server.post("/v1/gates/slow/evaluate", Some(TOKEN), "{}");
    assert_eq!((answer.status, answer.json()["error"].as_str()), (503, Some("deadline")), "{}", answer.body);
    assert!(answer.json()["detail"].as_str().unwrap().contains("--request-timeout"));
    assert!(started.elapsed() < Duration::from_secs(4), "answered at the request's deadline, not the policy's");
}

#[test]
fn a_request_cannot_replace_the_metrics_a_gate_collects() {
    let dir = tempfile::tempdir().unwrap();
    let gates = "[gates.canary]\npolicies = [\"builtin:canary\"]\n[gates.canary.prometheus]\nurl = \"http://127.0.0.1:9\"\ntimeout = \"1s\"\ncanary_queries.latency = 'up'\n";
    let (token_file, gates) = setup(dir.path(), gates);
    let server = server::start(&["--gates", &gates, "--token-file", &token_file], dir.path());
    let good = json!({"samples": [0.1, 0.1, 0.1, 0.1], "baseline_samples": [0.1, 0.1, 0.1, 0.1]});
    for name in ["latency", "latency{track=\"canary\"}"] {
        let mut metric = good.clone();
        metric["name"] = json!(name);
        let body = json!({"input": {"metrics": [metric]}}).to_string();
        let answer = server.post("/v1/gates/canary/evaluate", Some(TOKEN), &body);
        assert_eq!(answer.status, 422, "{name}: {}", answer.body);
        assert!(answer.json()["detail"].as_str().unwrap().contains("collects the metric"), "{}", answer.body);
        let answer = server.post("/v1/evaluate?gate=canary", Some(TOKEN), &json!({"metrics": [metric]}).to_string());
        assert_eq!(answer.status, 422, "{name}: {}", answer.body);
    }
    // A metric the gate does not collect may come with the request.
    let mut other = good;
    other["name"] = json!("cpu");
    let answer =
        server.post("/v1/gates/canary/evaluate", Some(TOKEN), &json!({"input": {"metrics": [other]}}).to_string());
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.json()["unavailable"][0]["metric"], "latency");
}

#[test]
fn slow_clients_are_cut_off_and_cannot_hold_shutdown() {
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().unwrap();
    let (token_file, gates) = setup(dir.path(), "[gates.default]\npolicies = [\"builtin:readiness\"]\n");
    let server = server::start(&["--gates", &gates, "--token-file", &token_file], dir.path());
    let addr = server.url.trim_start_matches("http://").to_owned();
    let connect = |sent: &[u8]| {
        let mut stream = std::net::TcpStream::connect(&addr).unwrap();
        stream.write_all(sent).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        stream
    };
    let started = Instant::now();
    let idle = connect(b"");
    let headers = connect(b"POST /v1/flagger/default HTTP/1.1\r\nHost: x\r\n");
    let body = connect(
        format!("POST /v1/gates/default/evaluate HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\nContent-Length: 1000\r\n\r\n{{").as_bytes(),
    );
    let mut answers = Vec::new();
    for mut stream in [idle, headers, body] {
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        answers.push(answer);
    }
    let waited = started.elapsed();
    assert!(waited < Duration::from_secs(20), "closed after the header and body timeouts (10 s), not {waited:?}");
    assert_eq!(&answers[..2], ["", ""], "an idle connection and unfinished headers are closed");
    assert!(answers[2].starts_with("HTTP/1.1 408"), "{}", answers[2]);
    assert!(answers[2].contains("body too slow"), "{}", answers[2]);

    // A client that stalls while sending its headers cannot keep the server from exiting.
    let _stalled = connect(b"POST /v1/flagger/default HTTP/1.1\r\nHost: x\r\n");
    std::thread::sleep(Duration::from_millis(200));
    let started = Instant::now();
    server.signal(libc::SIGTERM);
    assert_eq!(server.wait(), Some(0));
    assert!(started.elapsed() < Duration::from_secs(20), "exited after {:?}", started.elapsed());
}

#[test]
fn fifos_are_refused_not_waited_on() {
    let dir = tempfile::tempdir().unwrap();
    let (token_file, gates) = setup(dir.path(), "");
    let fifo = dir.path().join("fifo");
    let name = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: `name` is a valid C string.
    assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
    let fifo = fifo.to_str().unwrap();
    std::fs::write(&gates, format!("[gates.a]\npolicies = [\"{fifo}\"]\n")).unwrap();
    let cases: [&[&str]; 3] = [
        &["serve", "--listen", "127.0.0.1:0", "--gates", fifo, "--token-file", &token_file],
        &["serve", "--listen", "127.0.0.1:0", "--token-file", fifo],
        &["serve", "--listen", "127.0.0.1:0", "--gates", &gates, "--token-file", &token_file],
    ];
    for args in cases {
        let run = relgate(args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains("not a regular file"), "{args:?}: {}", run.stderr);
    }
}

#[test]
fn malformed_urls_and_flagger_metadata_get_json_errors() {
    let dir = tempfile::tempdir().unwrap();
    let (token_file, gates) = setup(dir.path(), &gates_file());
    let server = server::start(&["--gates", &gates, "--token-file", &token_file], dir.path());
    // A query string that tries to redraw a terminal: a JSON error, the characters escaped.
    let answer = server.post("/v1/evaluate?%1b%5b2K%0d%e2%80%aedecision%3a%20allow=1", Some(TOKEN), "{}");
    assert_eq!((answer.status, answer.header("content-type")), (400, Some("application/json")));
    let detail = answer.json()["detail"].as_str().unwrap().to_owned();
    assert!(!detail.contains(['\u{1b}', '\r', '\u{202e}']), "{detail:?}");
    assert!(detail.contains("\\u{1b}"), "{detail:?}");
    let answer = server.post("/v1/gates/%ff%fe/evaluate", Some(TOKEN), "{}");
    assert_eq!((answer.status, answer.json()["error"].as_str()), (400, Some("invalid request")));
    // A gate name is shown bounded.
    let long = "a".repeat(3000);
    let answer = server.post(&format!("/v1/gates/{long}/evaluate"), Some(TOKEN), "{}");
    assert_eq!(answer.status, 404);
    assert!(answer.body.len() < 500, "{}", answer.body.len());
    // Flagger's own labels cannot be forged through the metadata.
    let payload = json!({"name": "podinfo", "namespace": "test",
                         "metadata": {"relgate-token": TOKEN, "flagger_phase": "Succeeded"}});
    let answer = server::call(&server.url, "POST", "/v1/flagger/always", None, Some(&payload.to_string()));
    assert_eq!(answer.status, 400, "{}", answer.body);
    assert!(answer.json()["detail"].as_str().unwrap().contains("`flagger_phase`"), "{}", answer.body);
}
