//! A real Prometheus server on loopback, holding known data backfilled with promtool.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The data's first sample: three hours ago, on the hour, so the blocks promtool writes are
/// well inside retention and clear of the head block.
pub fn start_time() -> i64 {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    (now - 3 * 3600) / 3600 * 3600
}

/// Canary latencies at start + 30 s × i, and baseline ones; an error ratio at every step.
pub const CANARY: [f64; 10] = [120.0, 121.0, 122.0, 123.0, 124.0, 125.0, 126.0, 127.0, 128.0, 129.0];
pub const BASELINE: [f64; 10] = [100.0, 101.0, 102.0, 103.0, 104.0, 105.0, 106.0, 107.0, 108.0, 109.0];
pub const ERROR_RATIO: f64 = 0.0125;

/// The time of the last sample: the `now` to query at.
pub fn last_sample_time(start: i64) -> i64 {
    start + 30 * 9
}

pub struct Server {
    child: Child,
    pub url: String,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn openmetrics(start: i64) -> String {
    let mut text = String::from("# TYPE http_latency_ms gauge\n");
    for (track, values) in [("canary", CANARY), ("baseline", BASELINE)] {
        for (i, v) in values.iter().enumerate() {
            text += &format!("http_latency_ms{{track=\"{track}\"}} {v} {}\n", start + 30 * i as i64);
        }
    }
    text += "# TYPE http_error_ratio gauge\n";
    for i in 0..10 {
        text += &format!("http_error_ratio {ERROR_RATIO} {}\n", start + 30 * i);
    }
    text + "# EOF\n"
}

fn has(program: &str) -> bool {
    Command::new(program).arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok()
}

/// Starts a server with the known data. The tests that call it are ignored where the build
/// found no prometheus (host/cli/build.rs), so here it must be present.
pub fn start() -> Server {
    assert!(
        has("prometheus") && has("promtool"),
        "prometheus and promtool are required here but missing: `apt-get install prometheus` (.ci/run does)"
    );
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data.om");
    std::fs::write(&data, openmetrics(start_time())).unwrap();
    let tsdb = dir.path().join("tsdb");
    let out = Command::new("promtool")
        .args(["tsdb", "create-blocks-from", "openmetrics"])
        .arg(&data)
        .arg(&tsdb)
        .output()
        .unwrap();
    assert!(out.status.success(), "promtool: {}", String::from_utf8_lossy(&out.stderr));
    let config = dir.path().join("prometheus.yml");
    std::fs::write(&config, "global:\n  scrape_interval: 1h\n").unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new("prometheus")
        .arg(format!("--config.file={}", config.display()))
        .arg(format!("--storage.tsdb.path={}", tsdb.display()))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .arg("--storage.tsdb.retention.time=30d")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let server = Server { child, url: format!("http://127.0.0.1:{port}"), _dir: dir };
    wait_ready(&server.url, Path::new(&tsdb));
    server
}

fn wait_ready(url: &str, tsdb: &Path) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if ureq::get(&format!("{url}/-/ready")).call().is_ok_and(|r| r.status() == 200) {
            return;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    panic!("Prometheus at {url} (data in {}) did not become ready within 60 s", tsdb.display());
}
