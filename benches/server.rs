//! What `relgate serve` answers per second: the built-in readiness gate on the passing
//! example input, over HTTP on loopback, from four client threads with keep-alive
//! connections, with one and with two evaluation workers.
//!
//! Each measured unit is one request answered 200. The clients share the machine with the
//! server, so compare the two results of one run rather than absolute numbers across
//! machines. Run with `cargo bench -p relgate-server`; the README reports the figures.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use relgate::{Config, Engine};
use relgate_server::{Auth, Options, Server};

const CLIENTS: u64 = 4;

fn root() -> PathBuf {
    // This bench belongs to host/server.
    Path::new(env!("CARGO_MANIFEST_DIR")).ancestors().nth(2).unwrap().to_path_buf()
}

/// Starts a server with `workers` on a free loopback port, recording its decisions in `log`
/// (none: `--no-log`); it serves until the process ends.
fn start(workers: usize, log: Option<&Path>) -> String {
    let engine = Engine::new(Config::default().with_cache_dir(None)).unwrap();
    let mut options = Options::new(Auth::None);
    options.listen = "127.0.0.1:0".parse().unwrap();
    options.workers = workers;
    options.queue = 64;
    options.log = log.map(|path| relgate_log::Location::File(path.to_owned()));
    let server = Server::bind(engine, options).unwrap();
    let url = format!("http://{}/v1/gates/default/evaluate", server.local_addr().unwrap());
    std::thread::spawn(move || server.serve().unwrap());
    url
}

fn requests(c: &mut Criterion) {
    let input = std::fs::read_to_string(root().join("tests/data/inputs/passing.json")).unwrap();
    let body: Arc<str> = format!(r#"{{"input": {input}}}"#).into();
    let mut group = c.benchmark_group("serve");
    group.throughput(Throughput::Elements(1)).measurement_time(Duration::from_secs(10));
    let dir = tempfile::tempdir().unwrap();
    // Each decision committed to SQLite (WAL, synchronous) before it is answered, the
    // default; and the same without a log.
    let cases = [
        ("1-worker", 1, Some(dir.path().join("one.sqlite"))),
        ("2-workers", 2, Some(dir.path().join("two.sqlite"))),
        ("2-workers-no-log", 2, None),
    ];
    for (name, workers, log) in cases {
        let url: Arc<str> = start(workers, log.as_deref()).into();
        group.bench_function(format!("readiness/{name}"), |b| {
            b.iter_custom(|iters| {
                let started = Instant::now();
                let clients: Vec<_> = (0..CLIENTS)
                    .map(|client| {
                        let (url, body) = (url.clone(), body.clone());
                        let count = iters / CLIENTS + u64::from(client < iters % CLIENTS);
                        std::thread::spawn(move || {
                            let agent = ureq::Agent::new_with_defaults();
                            for _ in 0..count {
                                let response =
                                    agent.post(&*url).header("Content-Type", "application/json").send(&*body).unwrap();
                                assert_eq!(response.status(), 200);
                            }
                        })
                    })
                    .collect();
                for client in clients {
                    client.join().unwrap();
                }
                started.elapsed()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, requests);
criterion_main!(benches);
