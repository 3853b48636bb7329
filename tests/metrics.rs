//! Metrics from Prometheus: saved API responses and expositions, and a live server.

use crate::common::prometheus::{self, BASELINE, CANARY, ERROR_RATIO};
use crate::common::relgate;

fn metrics_of(args: &[&str]) -> Vec<serde_json::Value> {
    let mut all = vec!["input"];
    all.extend_from_slice(args);
    let run = relgate(&all);
    assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
    run.json()["metrics"].as_array().unwrap().clone()
}

#[test]
fn saved_api_responses_and_expositions() {
    let m = metrics_of(&["--metrics", "tests/data/metrics/latency-vector.json"]);
    assert_eq!(
        m[0],
        serde_json::json!({"name": "http_latency_p99_ms{route=\"/pay\"}", "value": 212.5, "labels": {"route": "/pay"}})
    );
    assert_eq!(m[1]["value"], "NaN", "NaN stays NaN, not null or zero");

    let m = metrics_of(&[
        "--metrics",
        "p99=tests/data/metrics/latency-vector.json",
        "--baseline-metrics",
        "p99{route=\"/pay\"}=tests/data/metrics/latency-baseline-matrix.json",
    ]);
    assert_eq!(m[0]["value"], 212.5);
    assert_eq!(m[0]["baseline_samples"], serde_json::json!([101.0, 99.5, "+Inf"]), "merged by name");

    let m = metrics_of(&["--metrics", "tests/data/metrics/node.prom"]);
    let names: Vec<&str> = m.iter().map(|m| m["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "http_request_duration_seconds_bucket{le=\"0.1\"}",
            "http_request_duration_seconds_bucket{le=\"0.5\"}",
            "http_request_duration_seconds_bucket{le=\"+Inf\"}",
            "http_request_duration_seconds_sum",
            "http_request_duration_seconds_count",
            "process_open_fds"
        ]
    );
    assert_eq!(m[2]["value"], 250.0);
}

#[test]
fn prometheus_errors_and_bad_files_exit_2() {
    let cases = [
        (
            vec!["--metrics", "tests/data/metrics/error.json"],
            "Prometheus answered status error: bad_data: invalid parameter",
        ),
        (vec!["--metrics", "tests/data/metrics/missing.json"], "cannot read metrics tests/data/metrics/missing.json"),
        (vec!["--metrics", "tests/data/inputs/passing.json"], "not a Prometheus API response"),
        (
            vec!["--prometheus", "http://127.0.0.1:9", "--query", "up=up"],
            "cannot reach Prometheus at http://127.0.0.1:9",
        ),
        (vec!["--query", "up=up"], "--prometheus"),
    ];
    crate::common::assert_usage_errors("eval", &cases);
}

/// The canary and baseline latency queries, as flags.
const LATENCY_QUERIES: [&str; 4] = [
    "--canary-query",
    "latency=http_latency_ms{track=\"canary\"}",
    "--baseline-query",
    "latency=http_latency_ms{track=\"baseline\"}",
];

#[test]
#[cfg_attr(
    relgate_missing = "prometheus",
    ignore = "no prometheus and promtool when the suite was built (`apt-get install prometheus`)"
)]
fn live_prometheus_queries_give_exact_samples() {
    let server = prometheus::start();
    let start = prometheus::start_time();
    let now = jiff::Timestamp::from_second(prometheus::last_sample_time(start)).unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input.json");
    std::fs::write(&input, format!(r#"{{"now": "{now}"}}"#)).unwrap();
    let input = input.to_str().unwrap();
    let url = server.url.as_str();

    let m = metrics_of(
        &[
            &LATENCY_QUERIES[..],
            &[
                "--input",
                input,
                "--prometheus",
                url,
                "--range",
                "5m",
                "--step",
                "30s",
                "--query",
                "errors=http_error_ratio",
                "--query",
                "nothing=http_latency_ms{track=\"none\"}",
                "--compare-query",
                "split=http_latency_ms",
                "--canary-label",
                "track=canary",
                "--baseline-label",
                "track=baseline",
            ],
        ]
        .concat(),
    );
    let by_name =
        |name: &str| m.iter().find(|x| x["name"] == name).unwrap_or_else(|| panic!("{name} in {m:?}")).clone();
    assert_eq!(by_name("errors")["value"], ERROR_RATIO);
    assert_eq!(by_name("nothing"), serde_json::json!({"name": "nothing"}), "an empty result is no data, not zero");
    let latency = by_name("latency");
    assert_eq!(latency["samples"], serde_json::json!(CANARY));
    assert_eq!(latency["baseline_samples"], serde_json::json!(BASELINE));
    let split = by_name("split");
    assert_eq!((&split["samples"], &split["baseline_samples"]), (&latency["samples"], &latency["baseline_samples"]));

    // A query Prometheus rejects names the query and says why.
    let run = relgate(&["eval", "--input", input, "--prometheus", url, "--query", "bad=rate(http_latency_ms"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("query `bad` (rate(http_latency_ms)"), "{}", run.stderr);
    assert!(run.stderr.contains("bad_data"), "{}", run.stderr);

    // The canary policy judges the live samples: latency regressed by 20 ms, so roll back.
    let run = relgate(
        &[
            &[
                "eval",
                "-p",
                "builtin:canary",
                "--input",
                input,
                "--prometheus",
                url,
                "--range",
                "5m",
                "--format",
                "json",
            ],
            &LATENCY_QUERIES[..],
        ]
        .concat(),
    );
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert_eq!(run.json()["reasons"][0]["check"], "metrics.latency");
}

#[test]
fn secrets_are_not_echoed_in_errors() {
    // Credentials in the Prometheus URL.
    let run = relgate(&["eval", "--prometheus", "http://relgate:s3cret@127.0.0.1:9", "--query", "up=up"]);
    assert_eq!(run.code, 2);
    assert!(!run.stderr.contains("s3cret"), "{}", run.stderr);
    assert!(run.stderr.contains("cannot reach Prometheus at http://***@127.0.0.1:9"), "{}", run.stderr);

    // A file of secrets given as metrics by mistake: named, not quoted.
    let dir = tempfile::tempdir().unwrap();
    for (name, contents) in [("token.txt", "ghp_SECRETSECRETSECRET\n"), ("token.json", "{\"token\": ghp_SECRET}")] {
        let file = dir.path().join(name);
        std::fs::write(&file, contents).unwrap();
        let run = relgate(&["eval", "--metrics", file.to_str().unwrap()]);
        assert_eq!(run.code, 2, "{name}");
        assert!(run.stderr.contains(&format!("metrics {} is not valid", file.display())), "{}", run.stderr);
        assert!(!run.stderr.contains("SECRET"), "{name}: {}", run.stderr);
    }
}
