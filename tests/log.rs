//! The decision log through the front ends: `eval --log`, `relgate log`, and `relgate serve`
//! recording every decision before answering it. Each test runs on SQLite and, where a
//! server answers, on PostgreSQL.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use relgate_log::{DecisionId, Location, Log};
use serde_json::{Value, json};

use crate::common::server::{self, Server};
use crate::common::{input, policy, postgres, relgate, root};

/// A log location on each backend there is: a SQLite file in `dir`, and a database of
/// its own (kept alive by the guard).
fn locations(dir: &Path) -> Vec<(String, Option<postgres::Database>)> {
    let mut locations = vec![(dir.join("decisions.sqlite").to_str().unwrap().to_owned(), None)];
    if let Some(database) = postgres::database() {
        locations.push((database.url.clone(), Some(database)));
    }
    locations
}

/// The PostgreSQL halves of the decision-log tests (here and relgate-log's) run where a server
/// answers. Where none answered when the suite was built, this test is ignored with the
/// reason, so the summary shows that those halves did not run.
#[test]
#[cfg_attr(
    relgate_missing = "postgres",
    ignore = "no PostgreSQL answered at RELGATE_TEST_POSTGRES (default 127.0.0.1:5432) when the suite was built: the decision-log tests run on SQLite only"
)]
fn postgres_answers_for_the_decision_log_tests() {
    let database = postgres::database().expect("PostgreSQL answered when the suite was built, but not now: start it, or `touch host/cli/build.rs` to build the suite without it");
    let log = Log::open(&database.url.parse::<Location>().unwrap()).unwrap();
    let page = log.list(&relgate_log::Filter::default(), relgate_log::Order::NewestFirst, None, 10).unwrap();
    assert_eq!(page.records.len(), 0, "a new database holds no decisions");
}

fn eval_logged(log: &str, input_file: &str, version: &str) -> String {
    let run = relgate(&[
        "eval",
        "--input",
        &input(input_file),
        "--service",
        "api",
        "--environment",
        "prod",
        "--version",
        version,
        "--log",
        log,
        "--format",
        "json",
    ]);
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    let id = run.json()["decision_id"].as_str().expect("a logged decision has an id").to_owned();
    assert!(run.stderr.contains(&format!("recorded decision {id}")), "{}", run.stderr);
    id
}

#[test]
fn eval_records_and_log_commands_read_it_back() {
    let dir = tempfile::tempdir().unwrap();
    for (log, _db) in locations(dir.path()) {
        let passing = eval_logged(&log, "passing.json", "1.0");
        let failing = eval_logged(&log, "failing.json", "1.1");
        let listed = relgate(&["log", "list", "--log", &log, "--format", "json"]).json();
        let ids: Vec<&str> =
            listed["decisions"].as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap()).collect();
        assert_eq!(ids, [failing.as_str(), passing.as_str()], "newest first");
        assert!(listed["decisions"][0].get("input").is_none(), "a listing leaves the input out");

        let denied = relgate(&["log", "list", "--log", &log, "--decision", "deny", "--format", "json"]).json();
        assert_eq!(denied["decisions"].as_array().unwrap().len(), 1);
        assert_eq!(
            denied["decisions"][0]["release"],
            json!({"service": "api", "version": "1.1", "environment": "prod", "stage": "pre-deploy"})
        );

        let shown = relgate(&["log", "show", &passing, "--log", &log]).json();
        assert_eq!(shown["id"], passing.as_str());
        assert_eq!(shown["origin"], "eval");
        assert_eq!(shown["decision"], "allow");
        assert_eq!(shown["policies"][0]["name"], "readiness");
        assert_eq!(shown["input"]["tests"]["total"], 412, "the input as judged");
        assert!(shown["input_digest"].as_str().unwrap().starts_with("sha256:"));

        let unknown = relgate(&["log", "show", &DecisionId::new().to_string(), "--log", &log]);
        assert_eq!(unknown.code, 2);
        assert!(unknown.stderr.contains("has no decision"), "{}", unknown.stderr);

        let export = relgate(&["log", "export", "--log", &log]);
        assert_eq!(export.code, 0, "{}", export.stderr);
        let lines: Vec<Value> = export.stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0], shown, "oldest first, each line the full record");

        let pruned = relgate(&["log", "prune", "--log", &log, "--retain", "1decisions"]);
        assert_eq!(pruned.code, 0, "{}", pruned.stderr);
        assert!(pruned.stderr.contains("pruned 1 decisions"), "{}", pruned.stderr);
        let bare = relgate(&["log", "prune", "--log", &log, "--retain", "90"]);
        assert_eq!(bare.code, 2, "a bare number is refused: {}", bare.stderr);
        let left = relgate(&["log", "list", "--log", &log, "--format", "json"]).json();
        assert_eq!(left["decisions"].as_array().unwrap().len(), 1);
        assert_eq!(left["decisions"][0]["id"], failing.as_str());
    }
}

#[test]
fn replay_prints_the_decisions_a_candidate_changes_and_exits_by_them() {
    let dir = tempfile::tempdir().unwrap();
    for (log, _db) in locations(dir.path()) {
        let passing = eval_logged(&log, "passing.json", "1.0");
        eval_logged(&log, "failing.json", "1.1");

        let same = relgate(&["log", "replay", "--log", &log, "--policy", "builtin:readiness"]);
        assert_eq!(same.code, 0, "{}{}", same.stdout, same.stderr);
        assert!(same.stdout.starts_with("replayed 2 decisions: 0 would change"), "{}", same.stdout);

        let deny = policy("deny.wat");
        let stricter = relgate(&["log", "replay", "--log", &log, "--policy", &deny, "--format", "json"]);
        assert_eq!(stricter.code, 1, "{}", stricter.stderr);
        let answer = stricter.json();
        assert_eq!(answer["replayed"], 2);
        let changed = answer["changed"].as_array().unwrap();
        assert_eq!(changed.len(), 1, "only the allowed release changes: {answer:#}");
        assert_eq!(changed[0]["id"], passing.as_str());
        assert_eq!((&changed[0]["from"], &changed[0]["to"]), (&json!("allow"), &json!("deny")));
        assert_eq!(changed[0]["release"]["version"], "1.0");
        let added: Vec<&str> =
            changed[0]["reasons_added"].as_array().unwrap().iter().map(|r| r["check"].as_str().unwrap()).collect();
        assert!(!added.is_empty(), "{answer:#}");
        let removed = changed[0]["reasons_removed"].as_array().unwrap();
        assert_eq!(removed.len(), 1, "only failing and warning reasons explain a change: {answer:#}");
        assert_eq!(removed[0]["check"], "change.lines");

        // A candidate config replaces the recorded one.
        let strict = relgate(&[
            "log",
            "replay",
            "--log",
            &log,
            "--policy",
            "builtin:readiness",
            "--config",
            "docs/examples/stricter-readiness.json",
            "--format",
            "json",
        ]);
        assert_eq!(strict.code, 1, "{}", strict.stderr);
        let change = &strict.json()["changed"][0];
        assert_eq!(change["id"], passing.as_str());
        assert!(
            change["reasons_added"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["check"] == "change.lines" && r["outcome"] == "fail"),
            "{change:#}"
        );

        // A candidate that faults judges nothing, even where its fail-closed deny matches.
        let trap = policy("trap.wat");
        let faulted = relgate(&["log", "replay", "--log", &log, "--policy", &trap]);
        assert_eq!(faulted.code, 2, "{}{}", faulted.stdout, faulted.stderr);
        assert!(
            faulted.stdout.contains("2 could not be replayed") && faulted.stdout.contains("faulted"),
            "{}",
            faulted.stdout
        );

        // A record the candidate cannot judge is said, and exits 2: not a quiet "no change".
        let typo = dir.path().join("typo.json");
        std::fs::write(&typo, r#"{"readiness": {}, "readines": {"max_failed": 9}}"#).unwrap();
        let typo = typo.to_str().unwrap();
        let unjudged = relgate(&["log", "replay", "--log", &log, "--policy", "builtin:readiness", "--config", typo]);
        assert_eq!(unjudged.code, 2, "{}{}", unjudged.stdout, unjudged.stderr);
        assert!(unjudged.stdout.contains("2 could not be replayed"), "{}", unjudged.stdout);
        assert!(unjudged.stdout.contains("readines"), "{}", unjudged.stdout);

        let text = relgate(&["log", "replay", "--log", &log, "--policy", &deny, "--since", "1h"]);
        assert_eq!(text.code, 1);
        assert!(text.stdout.contains(&format!("{passing}  allow -> deny  api@1.0 -> prod")), "{}", text.stdout);
        let none = relgate(&["log", "replay", "--log", &log, "--policy", &deny, "--service", "web"]);
        assert_eq!(none.code, 0, "a filter that selects nothing changes nothing: {}", none.stdout);
    }
}

const TOKEN: &str = "0123456789abcdef0123456789abcdef";

fn token_file(dir: &Path) -> String {
    use std::os::unix::fs::PermissionsExt;
    let token = dir.join("token");
    std::fs::write(&token, format!("{TOKEN}\n")).unwrap();
    std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o600)).unwrap();
    token.to_str().unwrap().to_owned()
}

fn evaluate(server: &Server, gate: &str, service: &str, version: &str) -> Value {
    let body = json!({
        "release": {"service": service, "environment": "prod", "version": version},
        "input": serde_json::from_str::<Value>(&std::fs::read_to_string(root().join(input("passing.json"))).unwrap()).unwrap(),
    });
    let answer = server.post(&format!("/v1/gates/{gate}/evaluate"), Some(TOKEN), &body.to_string());
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.json()
}

#[test]
fn served_decisions_are_recorded_and_queryable_over_http() {
    let dir = tempfile::tempdir().unwrap();
    let token = token_file(dir.path());
    for (log, _db) in locations(dir.path()) {
        let server = server::start(&["--token-file", &token, "--log", &log], dir.path());
        assert!(server.stderr.lock().unwrap().contains("recording every decision in"), "stated at start-up");
        let mut ids = Vec::new();
        for (service, version) in [("api", "1"), ("web", "2"), ("api", "3")] {
            ids.push(evaluate(&server, "default", service, version)["decision_id"].as_str().unwrap().to_owned());
        }
        let t = Some(TOKEN);
        let one = server.get(&format!("/v1/decisions/{}", ids[1]), t).json();
        assert_eq!(one["id"], ids[1].as_str());
        assert_eq!((&one["origin"], &one["gate"]), (&json!("serve"), &json!("default")));
        assert_eq!(one["release"]["service"], "web");
        assert_eq!(one["input"]["tests"]["total"], 412);

        let page = server.get("/v1/decisions?service=api&limit=1", t).json();
        assert_eq!(page["decisions"][0]["id"], ids[2].as_str(), "newest first");
        assert!(page["decisions"][0].get("input").is_none());
        let cursor = page["next_cursor"].as_str().unwrap();
        let next = server.get(&format!("/v1/decisions?service=api&limit=1&cursor={cursor}"), t).json();
        assert_eq!(next["decisions"][0]["id"], ids[0].as_str());
        let last = server.get(&format!("/v1/decisions?service=api&limit=1&cursor={}", ids[0]), t).json();
        assert_eq!(last, json!({"decisions": [], "next_cursor": null}));
        let all =
            server.get("/v1/decisions?gate=default&environment=prod&decision=allow&since=2020-01-01T00:00:00Z", t);
        assert_eq!(all.json()["decisions"].as_array().unwrap().len(), 3, "{}", all.body);
        let before = server.get("/v1/decisions?until=2020-01-01T00:00:00Z", t).json();
        assert_eq!(before["decisions"], json!([]));

        for (path, status) in [
            (format!("/v1/decisions/{}", DecisionId::new()), 404),
            ("/v1/decisions/not-an-id".to_owned(), 400),
            ("/v1/decisions?decision=maybe".to_owned(), 400),
            ("/v1/decisions?limit=0".to_owned(), 400),
            ("/v1/decisions?colour=red".to_owned(), 400),
            ("/v1/decisions?service=%00".to_owned(), 400),
            (format!("/v1/decisions?gate={}", "g".repeat(300)), 400),
        ] {
            let answer = server.get(&path, t);
            assert_eq!(answer.status, status, "{path}: {}", answer.body);
            assert!(answer.json()["error"].is_string());
        }
        assert_eq!(server.get("/v1/decisions", None).status, 401, "the log needs the token");
        drop(server);
        // What the server recorded, the CLI reads.
        let listed = relgate(&["log", "list", "--log", &log, "--gate", "default", "--format", "json"]).json();
        assert_eq!(listed["decisions"].as_array().unwrap().len(), 3);
    }
}

#[test]
fn serve_logs_by_default_and_no_log_is_stated() {
    let dir = tempfile::tempdir().unwrap();
    let token = token_file(dir.path());
    let server = server::start(&["--token-file", &token], dir.path());
    let id = evaluate(&server, "default", "api", "1")["decision_id"].as_str().unwrap().to_owned();
    drop(server);
    // The default log: relgate/decisions.sqlite in the data directory.
    let default = dir.path().join("relgate/decisions.sqlite");
    let log = Log::open(&Location::File(default)).unwrap();
    assert!(log.get(&id.parse().unwrap()).unwrap().is_some());

    let server = server::start(&["--token-file", &token, "--no-log"], dir.path());
    assert!(server.stderr.lock().unwrap().contains("recording no decisions (--no-log)"));
    evaluate(&server, "default", "api", "2");
    let answer = server.get("/v1/decisions", Some(TOKEN));
    assert_eq!(answer.status, 404);
    assert_eq!(answer.json()["error"], "no decision log");
}

#[test]
fn serve_prunes_what_retain_does_not_keep() {
    let dir = tempfile::tempdir().unwrap();
    let token = token_file(dir.path());
    let log = dir.path().join("decisions.sqlite");
    let log = log.to_str().unwrap();
    let ids: Vec<String> = ["1", "2", "3"].iter().map(|v| eval_logged(log, "passing.json", v)).collect();
    // Without --retain, nothing goes.
    drop(server::start(&["--token-file", &token, "--log", log], dir.path()));
    let count =
        || relgate(&["log", "list", "--log", log, "--format", "json"]).json()["decisions"].as_array().unwrap().len();
    assert_eq!(count(), 3);
    drop(server::start(&["--token-file", &token, "--log", log, "--retain", "2decisions"], dir.path()));
    let left = relgate(&["log", "list", "--log", log, "--format", "json"]).json();
    let left: Vec<&str> = left["decisions"].as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert_eq!(left, [ids[2].as_str(), ids[1].as_str()], "the newest two are kept");
    let run = relgate(&["serve", "--no-log", "--retain", "90d"]);
    assert_eq!(run.code, 2, "--retain without a log is a usage error: {}", run.stderr);
}

#[test]
fn a_decision_that_cannot_be_recorded_is_not_answered() {
    let dir = tempfile::tempdir().unwrap();
    let token = token_file(dir.path());
    for (log, db) in locations(dir.path()) {
        let server = server::start(&["--token-file", &token, "--log", &log], dir.path());
        evaluate(&server, "default", "api", "1");
        // The log breaks under the running server.
        match &db {
            Some(db) => db.drop_now(),
            None => {
                let conn = rusqlite::Connection::open(&log).unwrap();
                conn.execute_batch("ALTER TABLE decisions RENAME TO elsewhere").unwrap();
            }
        }
        let body = json!({"release": {"service": "api"}, "input": {"tests": {"total": 1, "passed": 1}}});
        let answer = server.post("/v1/gates/default/evaluate", Some(TOKEN), &body.to_string());
        assert_eq!(answer.status, 503, "{}", answer.body);
        assert_eq!(answer.json()["error"], "decision log unavailable");
        assert!(answer.json().get("decision").is_none(), "no decision without its record");
        let metrics = server.get("/metrics", None).body;
        assert!(metrics.contains(r#"relgate_rejected_requests_total{reason="log_unavailable"} 1"#), "{metrics}");
        drop(server);
        if db.is_none() {
            let run = relgate(&["eval", "--input", &input("passing.json"), "--log", &log]);
            assert_eq!(run.code, 2, "eval --log fails closed too: {}", run.stderr);
            assert!(run.stderr.contains("cannot write decision"), "{}", run.stderr);
        }
    }
}

#[test]
fn sigkill_under_load_loses_no_acknowledged_decision() {
    let dir = tempfile::tempdir().unwrap();
    let token = token_file(dir.path());
    for (log, _db) in locations(dir.path()) {
        let server = server::start(&["--token-file", &token, "--log", &log, "--workers", "2"], dir.path());
        let url: Arc<str> = server.url.clone().into();
        let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let clients: Vec<_> = (0..4)
            .map(|client| {
                let (url, acknowledged, stop) = (url.clone(), acknowledged.clone(), stop.clone());
                std::thread::spawn(move || {
                    let agent: ureq::Agent = ureq::Agent::config_builder()
                        .http_status_as_error(false)
                        .timeout_global(Some(Duration::from_secs(10)))
                        .build()
                        .into();
                    let mut n = 0;
                    while !stop.load(Ordering::Relaxed) {
                        n += 1;
                        let body = json!({"release": {"service": "api", "version": format!("{client}.{n}")},
                                          "input": {"tests": {"total": 10, "passed": 10}}});
                        let Ok(mut response) = agent
                            .post(&format!("{url}/v1/gates/default/evaluate"))
                            .header("Authorization", &format!("Bearer {TOKEN}"))
                            .send(body.to_string())
                        else {
                            break; // the server is gone
                        };
                        let Ok(text) = response.body_mut().read_to_string() else { break };
                        if response.status() == 200 {
                            let answer: Value = serde_json::from_str(&text).unwrap();
                            acknowledged.lock().unwrap().push(answer["decision_id"].as_str().unwrap().to_owned());
                        }
                    }
                })
            })
            .collect();
        // Under load until at least 50 decisions were answered, then killed mid-stream.
        let waited = std::time::Instant::now();
        while acknowledged.lock().unwrap().len() < 50 && waited.elapsed() < Duration::from_secs(60) {
            std::thread::sleep(Duration::from_millis(20));
        }
        server.signal(libc::SIGKILL);
        let acknowledged: Vec<String> = acknowledged.lock().unwrap().clone();
        stop.store(true, Ordering::Relaxed);
        for client in clients {
            client.join().unwrap();
        }
        drop(server);
        assert!(acknowledged.len() >= 50, "{log}: only {} decisions answered", acknowledged.len());
        let location: Location = log.parse().unwrap();
        let log = Log::open(&location).unwrap();
        let missing: Vec<&String> =
            acknowledged.iter().filter(|id| log.get(&id.parse().unwrap()).unwrap().is_none()).collect();
        assert!(missing.is_empty(), "{location}: answered but not recorded: {missing:?}");
    }
}

#[test]
fn a_gate_takes_the_last_decisions_of_its_release_as_history() {
    let dir = tempfile::tempdir().unwrap();
    let token = token_file(dir.path());
    let gates = dir.path().join("relgate.toml");
    let echo = root().join(policy("echo.wat"));
    std::fs::write(
        &gates,
        format!(
            "[gates.hist]\npolicies = [\"{echo}\"]\nhistory = 2\n\n[gates.plain]\npolicies = [\"{echo}\"]\n",
            echo = echo.display()
        ),
    )
    .unwrap();
    let gates = gates.to_str().unwrap();
    let log = dir.path().join("decisions.sqlite");
    let server = server::start(&["--token-file", &token, "--gates", gates, "--log", log.to_str().unwrap()], dir.path());
    let seen = |answer: &Value| answer["reasons"][0]["observed"]["history"].clone();
    let first = evaluate(&server, "hist", "api", "1");
    assert_eq!(seen(&first), json!([]), "no decisions yet");
    let second = evaluate(&server, "hist", "api", "2");
    evaluate(&server, "hist", "web", "9");
    let third = evaluate(&server, "hist", "api", "3");
    let history = seen(&third);
    let versions: Vec<&str> = history.as_array().unwrap().iter().map(|h| h["version"].as_str().unwrap()).collect();
    assert_eq!(versions, ["2", "1"], "the same service and environment, newest first, at most 2: {history:#}");
    assert_eq!(history[0]["decision_id"], second["decision_id"]);
    assert_eq!(history[0]["decision"], "allow");
    assert_eq!(history[0]["tests"]["total"], 412);
    assert!(history[0]["tests"].get("failures").is_none());
    assert!(history[0]["metrics"].as_array().unwrap().iter().all(|m| m.get("samples").is_none()));

    // A caller cannot bring its own history to such a gate.
    let forged = json!({"release": {"service": "api", "environment": "prod"}, "input": {"history": []}});
    let answer = server.post("/v1/gates/hist/evaluate", Some(TOKEN), &forged.to_string());
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert!(answer.body.contains("may not send `history`"), "{}", answer.body);
    // On no gate, not even one that takes no history.
    let body = json!({"input": {"history": [{"decision": "allow"}]}}).to_string();
    let answer = server.post("/v1/gates/plain/evaluate", Some(TOKEN), &body);
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert!(answer.body.contains("may not send `history`"), "{}", answer.body);
    // Nor ask without naming the release.
    let anonymous = server.post("/v1/gates/hist/evaluate", Some(TOKEN), r#"{"release": {"service": "api"}}"#);
    assert_eq!(anonymous.status, 422, "{}", anonymous.body);
    drop(server);

    // Without a log, the gate cannot judge: an input error, not a decision on no history.
    let run = relgate(&["eval", "--gate", "hist", "--gates", gates, "--service", "api", "--environment", "prod"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("decisions are not logged here"), "{}", run.stderr);
    let logged = relgate(&[
        "eval",
        "--gate",
        "hist",
        "--gates",
        gates,
        "--service",
        "api",
        "--environment",
        "prod",
        "--log",
        log.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(logged.code, 0, "{}", logged.stderr);
    assert_eq!(seen(&logged.json()).as_array().unwrap().len(), 2, "eval --gate --log feeds history too");
}

#[test]
fn readiness_denies_a_release_worse_than_the_last_allowed_one() {
    let dir = tempfile::tempdir().unwrap();
    let token = token_file(dir.path());
    let gates = dir.path().join("relgate.toml");
    std::fs::write(
        &gates,
        "[gates.relative]\npolicies = [\"builtin:readiness\"]\nhistory = 1\nconfig = { readiness = { history = {} } }\n\n[gates.loose]\npolicies = [\"builtin:readiness\"]\nrequest_config = true\n\n[gates.forgetful]\npolicies = [\"builtin:readiness\"]\nconfig = { readiness = { history = {} } }\n",
    )
    .unwrap();
    let log = dir.path().join("decisions.sqlite");
    let server = server::start(
        &["--token-file", &token, "--gates", gates.to_str().unwrap(), "--log", log.to_str().unwrap()],
        dir.path(),
    );
    let release = |version: &str, p99: f64| {
        let body = json!({
            "release": {"service": "api", "environment": "prod", "version": version},
            "input": {"tests": {"total": 10, "passed": 10},
                      "metrics": [{"name": "p99", "value": p99, "direction": "increase"}]},
        });
        let answer = server.post("/v1/gates/relative/evaluate", Some(TOKEN), &body.to_string());
        assert_eq!(answer.status, 200, "{}", answer.body);
        answer.json()
    };
    let check = |answer: &Value, check: &str| {
        answer["reasons"].as_array().unwrap().iter().find(|r| r["check"] == check).map(|r| r["outcome"].clone())
    };
    let first = release("1", 200.0);
    assert_eq!(first["decision"], "allow");
    assert_eq!(check(&first, "history.last_pass"), Some(json!("info")), "nothing to compare with yet");
    let worse = release("2", 400.0);
    assert_eq!(worse["decision"], "deny", "{worse:#}");
    assert_eq!(check(&worse, "history.p99"), Some(json!("fail")));
    // Denials do not push the last allowed release out of a one-decision history.
    for version in ["2.1", "2.2"] {
        let again = release(version, 400.0);
        assert_eq!(check(&again, "history.p99"), Some(json!("fail")), "{again:#}");
    }
    // Another gate's decisions, here one that takes a caller's config, set no norm for this one.
    let body = json!({
        "release": {"service": "api", "environment": "prod", "version": "9"},
        "input": {"tests": {"total": 10, "passed": 10}, "metrics": [{"name": "p99", "value": 100000.0}],
                  "config": {"readiness": {"max_failed": 100}}},
    });
    let loose = server.post("/v1/gates/loose/evaluate", Some(TOKEN), &body.to_string());
    assert_eq!(loose.json()["decision"], "allow", "{}", loose.body);
    let after_loose = release("2.3", 90000.0);
    assert_eq!(check(&after_loose, "history.p99"), Some(json!("fail")), "{after_loose:#}");
    // A gate that compares with history but is given none cannot judge: deny, never allow.
    let body = json!({"release": {"service": "api", "environment": "prod"},
                      "input": {"tests": {"total": 10, "passed": 10}}});
    let forgetful = server.post("/v1/gates/forgetful/evaluate", Some(TOKEN), &body.to_string()).json();
    assert_eq!(forgetful["decision"], "deny", "{forgetful:#}");
    assert_eq!(check(&forgetful, "history.present"), Some(json!("fail")));
    // Still compared with release 1, the last allowed one, not the denied release 2.
    let close = release("3", 205.0);
    assert_eq!(close["decision"], "allow", "{close:#}");
    assert_eq!(check(&close, "history.p99"), Some(json!("pass")));
}

#[test]
fn a_log_location_never_echoes_a_password() {
    for location in ["mysql://root:S3CRETPW@db/x", "host=127.0.0.1 user=postgres password=S3CRETPW dbname=x"] {
        for args in [
            vec!["log", "list", "--log", location],
            vec!["eval", "--input", "tests/data/inputs/passing.json", "--log", location],
            vec!["serve", "--insecure-no-auth", "--listen", "127.0.0.1:0", "--log", location],
        ] {
            let run = relgate(&args);
            assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
            assert!(run.stderr.contains("invalid decision log location"), "{args:?}: {}", run.stderr);
            assert!(!run.stderr.contains("S3CRETPW"), "{args:?}: {}", run.stderr);
        }
    }
    let unreachable = "postgres://relgate:S3CRETPW@127.0.0.1:1/nowhere?connect_timeout=2";
    let run = relgate(&["log", "list", "--log", unreachable]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("postgres://relgate@127.0.0.1:1/nowhere"), "{}", run.stderr);
    assert!(!run.stderr.contains("S3CRETPW"), "{}", run.stderr);
}
