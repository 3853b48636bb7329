//! `relgate serve`: named release gates over HTTP, for pipelines and for the rollout
//! controllers that act on a `rollback` while a rollout is under way (Argo Rollouts' `web`
//! metric provider, Flagger's webhooks). The only crate with tokio and axum.
//!
//! A gate ([`gates`]) names policies, their config and the Prometheus queries that collect
//! its metrics; the server assembles each request's input from them and judges it through
//! the engine's one path, as `relgate eval --gate` does. Endpoints, the gates file and the
//! integrations are documented in `docs/server.md`.
#![deny(missing_docs)]

mod auth;
mod error;
pub mod gates;
mod http;
mod metrics;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use relgate::{Engine, PolicyRef};

pub use auth::Token;
pub use error::Error;
pub use gates::{Evaluation, Gate, GateName, GateSet, LoadedGate};

/// How the server authenticates its callers.
#[derive(Debug, Clone)]
pub enum Auth {
    /// Every endpoint but `/healthz`, `/readyz` and `/metrics` needs this bearer token.
    Token(Token),
    /// No authentication: only what `--insecure-no-auth` asks for explicitly. Without it,
    /// the command always has a token (a default token file is created when missing).
    None,
}

/// What `relgate serve` runs. Each field's default is the command's.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Options {
    /// Where to listen. Default `127.0.0.1:8080`.
    pub listen: SocketAddr,
    /// The gates file; without one, `policies` form the gate `default`.
    pub gates_file: Option<PathBuf>,
    /// The default gate's policies without a gates file. Default `builtin:readiness`.
    pub policies: Vec<PolicyRef>,
    /// Authentication.
    pub auth: Auth,
    /// Evaluations running at once. Default: the machine's cores.
    pub workers: usize,
    /// Requests waiting for a worker beyond those running; more are answered 503. Default:
    /// twice `workers`.
    pub queue: usize,
    /// The largest request body, in bytes. Default 1 MiB.
    pub max_body: usize,
    /// How long one request may take, input collection included. Default 60 s.
    pub request_timeout: Duration,
    /// Connections open at once; more wait in the kernel's queue. Default 256.
    pub max_connections: usize,
    /// Where every decision is recorded before it is answered; `None` records nothing
    /// (`--no-log`). Default: the SQLite file of [`relgate_log::Location::default_file`].
    pub log: Option<relgate_log::Location>,
    /// What the log keeps, pruned at start and hourly; `None` prunes nothing. Default none.
    pub retain: Option<relgate_log::Retention>,
}

impl Options {
    /// The defaults, authenticating with `auth`.
    pub fn new(auth: Auth) -> Options {
        let workers = std::thread::available_parallelism().map_or(1, usize::from);
        Options {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            gates_file: None,
            policies: vec![PolicyRef::builtin(relgate::builtin::DEFAULT)],
            auth,
            workers,
            queue: 2 * workers,
            max_body: 1 << 20,
            request_timeout: Duration::from_secs(60),
            max_connections: 256,
            log: relgate_log::Location::default_file().ok(),
            retain: None,
        }
    }
}

/// Loads the gates and serves until SIGTERM or Ctrl-C (finishing the requests in flight).
/// Blocks; it runs its own tokio runtime.
pub fn run(engine: Engine, options: Options) -> Result<(), Error> {
    Server::bind(engine, options)?.serve()
}

/// A server that has loaded its gates and bound its address, not yet serving.
pub struct Server {
    state: Arc<http::AppState>,
    listener: std::net::TcpListener,
    max_connections: usize,
    retain: Option<relgate_log::Retention>,
}

impl Server {
    /// Loads the gates and binds `options.listen` (port 0 picks a free port).
    pub fn bind(engine: Engine, options: Options) -> Result<Server, Error> {
        let token = match &options.auth {
            Auth::Token(token) => Some(token.clone()),
            Auth::None => {
                tracing::warn!(listen = %options.listen, "serving without authentication (--insecure-no-auth)");
                None
            }
        };
        if options.workers == 0 {
            return Err(Error::Start { message: "--workers must be at least 1".into(), source: None });
        }
        let origin = match &options.gates_file {
            Some(path) => http::Origin::File(path.clone()),
            None => http::Origin::Policies(options.policies.clone()),
        };
        let gates = origin.load(&engine)?;
        let log = match &options.log {
            Some(location) => {
                let log = relgate_log::Log::open(location)?;
                if let Some(retain) = options.retain {
                    log.prune(retain, jiff::Timestamp::now())?;
                }
                Some(Arc::new(log))
            }
            None if options.retain.is_some() => {
                return Err(Error::Start {
                    message: "--retain needs a decision log; remove --no-log".into(),
                    source: None,
                });
            }
            None => None,
        };
        let listener = std::net::TcpListener::bind(options.listen)
            .map_err(|e| Error::Start { message: format!("cannot listen on {}", options.listen), source: Some(e) })?;
        let state = Arc::new(http::AppState::new(engine, origin, gates, token, log, &options));
        Ok(Server { state, listener, max_connections: options.max_connections.max(1), retain: options.retain })
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until SIGTERM or Ctrl-C, finishing the requests in flight. Blocks; it runs its
    /// own tokio runtime.
    pub fn serve(self) -> Result<(), Error> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .thread_name("relgate-serve")
            // Policies run on the blocking threads, their wasm stack on the thread's.
            .thread_stack_size(relgate::Config::THREAD_STACK)
            .build()
            .map_err(|e| Error::Start { message: "cannot start the async runtime".into(), source: Some(e) })?;
        runtime.block_on(http::serve(self.state, self.listener, self.max_connections, self.retain))
    }
}
