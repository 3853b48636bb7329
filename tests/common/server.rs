//! A real `relgate serve` process on a loopback port, and a small HTTP client for it.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use serde_json::Value;

use super::root;

pub struct Server {
    child: Child,
    pub url: String,
    /// Everything the server wrote to stderr so far.
    pub stderr: Arc<Mutex<String>>,
}

/// Starts `relgate serve --listen 127.0.0.1:0 <args>` in the repository root with a private
/// compile cache, and `config_home` as its config and data directory (so its default token
/// and decision log), and waits until it listens.
pub fn start(args: &[&str], config_home: &Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_relgate"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(args)
        .current_dir(root())
        .env("RELGATE_CACHE_DIR", Path::new(env!("CARGO_TARGET_TMPDIR")).join("relgate-cache"))
        .env("XDG_DATA_HOME", config_home)
        .env_remove("RELGATE_LOG")
        .env("XDG_CONFIG_HOME", config_home)
        .env_remove("RELGATE_TOKEN_FILE")
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("relgate serve starts");
    let stderr = Arc::new(Mutex::new(String::new()));
    let (tx, rx) = mpsc::channel();
    let lines = BufReader::new(child.stderr.take().unwrap());
    let log = stderr.clone();
    std::thread::spawn(move || {
        for line in lines.lines().map_while(Result::ok) {
            if let Some(rest) = line.strip_prefix("relgate serve: listening on ") {
                let _ = tx.send(rest.split_whitespace().next().unwrap_or_default().to_owned());
            }
            let mut log = log.lock().unwrap();
            log.push_str(&line);
            log.push('\n');
        }
    });
    let url = rx.recv_timeout(Duration::from_secs(120)).unwrap_or_else(|_| {
        let _ = child.kill();
        panic!("relgate serve did not listen within 120 s:\n{}", stderr.lock().unwrap())
    });
    Server { child, url, stderr }
}

impl Server {
    pub fn signal(&self, signal: i32) {
        // SAFETY: kill has no memory preconditions; the pid is our child's.
        assert_eq!(unsafe { libc::kill(self.child.id() as i32, signal) }, 0);
    }

    /// Waits for the process to end and returns its exit code.
    pub fn wait(mut self) -> Option<i32> {
        let status = self.child.wait().unwrap();
        status.code()
    }

    pub fn get(&self, path: &str, token: Option<&str>) -> Answer {
        call(&self.url, "GET", path, token, None)
    }

    pub fn post(&self, path: &str, token: Option<&str>, body: &str) -> Answer {
        call(&self.url, "POST", path, token, Some(body))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP answer.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// One request, as a rollout controller sends it: JSON body, optional bearer token.
pub fn call(url: &str, method: &str, path: &str, token: Option<&str>, body: Option<&str>) -> Answer {
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let url = format!("{url}{path}");
    let mut response = match body {
        Some(body) => {
            let mut request = agent.post(&url).header("Content-Type", "application/json");
            if let Some(token) = token {
                request = request.header("Authorization", &format!("Bearer {token}"));
            }
            assert_eq!(method, "POST");
            request.send(body).unwrap()
        }
        None => {
            let mut request = agent.get(&url);
            if let Some(token) = token {
                request = request.header("Authorization", &format!("Bearer {token}"));
            }
            request.call().unwrap()
        }
    };
    let headers = response
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or_default().to_owned()))
        .collect();
    Answer { status: response.status().as_u16(), headers, body: response.body_mut().read_to_string().unwrap() }
}
