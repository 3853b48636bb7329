//! The HTTP service: routes, authentication, admission (bounded concurrency with
//! backpressure) and the answers' shapes.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use relgate::{Decision, Engine, PolicyRef};
use relgate_input::{DocumentKind, Sources};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::{Mutex, Semaphore};

use crate::auth::Token;
use crate::gates::{self, Evaluation, Gate, GateName, GateSet};
use crate::metrics::Metrics;
use crate::{Error, Options};

/// Where the gates come from, to load them again on reload.
#[derive(Debug, Clone)]
pub(crate) enum Origin {
    File(PathBuf),
    Policies(Vec<PolicyRef>),
}

impl Origin {
    pub(crate) fn load(&self, engine: &Engine) -> Result<GateSet, Error> {
        let gates = match self {
            Origin::File(path) => gates::read_file(path)?,
            Origin::Policies(policies) => vec![Gate::of_policies(GateName::default_gate(), policies.clone())],
        };
        GateSet::load(engine, gates)
    }
}

pub(crate) struct AppState {
    engine: Engine,
    origin: Origin,
    gates: RwLock<Arc<GateSet>>,
    /// One reload at a time.
    reloading: Mutex<()>,
    token: Option<Token>,
    /// Requests admitted: evaluating or waiting for a worker. Full means 503.
    admission: Arc<Semaphore>,
    /// Evaluations running at once.
    workers: Arc<Semaphore>,
    max_body: usize,
    request_timeout: Duration,
    /// Where every decision is recorded before it is answered; none with `--no-log`.
    pub(crate) log: Option<Arc<relgate_log::Log>>,
    pub(crate) metrics: Metrics,
}

impl AppState {
    pub(crate) fn new(
        engine: Engine,
        origin: Origin,
        gates: GateSet,
        token: Option<Token>,
        log: Option<Arc<relgate_log::Log>>,
        options: &Options,
    ) -> Self {
        AppState {
            engine,
            origin,
            gates: RwLock::new(Arc::new(gates)),
            reloading: Mutex::new(()),
            token,
            admission: Arc::new(Semaphore::new(options.workers + options.queue)),
            workers: Arc::new(Semaphore::new(options.workers)),
            max_body: options.max_body,
            request_timeout: options.request_timeout,
            log,
            metrics: Metrics::new(),
        }
    }

    fn gates(&self) -> Arc<GateSet> {
        self.gates.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Loads the gates again; on any error the running set stays.
    pub(crate) async fn reload(self: &Arc<Self>) -> Result<Arc<GateSet>, Error> {
        let _one = self.reloading.lock().await;
        let state = self.clone();
        let loaded = tokio::task::spawn_blocking(move || state.origin.load(&state.engine))
            .await
            .map_err(|e| Error::Start { message: format!("the reload stopped: {e}"), source: None })??;
        let loaded = Arc::new(loaded);
        *self.gates.write().unwrap_or_else(|e| e.into_inner()) = loaded.clone();
        Ok(loaded)
    }
}

pub(crate) fn router(state: Arc<AppState>) -> Router {
    let api = Router::new()
        .route("/v1/gates", get(list_gates))
        .route("/v1/gates/reload", post(reload))
        .route("/v1/gates/{gate}/evaluate", post(evaluate_gate))
        .route("/v1/evaluate", post(evaluate_input))
        .route("/v1/decisions", get(list_decisions))
        .route("/v1/decisions/{id}", get(show_decision))
        .route_layer(middleware::from_fn_with_state(state.clone(), authenticate));
    Router::new()
        // Flagger cannot send headers: its hooks authenticate in the handler, by the header
        // or by the webhook's metadata.
        .route("/v1/flagger/{gate}", post(flagger))
        .route("/v1/flagger/{gate}/rollback", post(flagger_rollback))
        .route("/healthz", get(|| async { axum::Json(json!({"status": "ok"})) }))
        .route("/readyz", get(ready))
        .route("/metrics", get(metrics))
        .merge(api)
        .fallback(|| async {
            ApiError::new(StatusCode::NOT_FOUND, "not found", "no such endpoint; see docs/server.md")
        })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method not allowed",
                "see docs/server.md for each endpoint's method",
            )
        })
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

/// An error answer: `{"error": ..., "detail": ...}`.
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    error: &'static str,
    detail: String,
    retry_after: Option<u64>,
}

impl ApiError {
    fn new(status: StatusCode, error: &'static str, detail: impl Into<String>) -> Self {
        ApiError { status, error, detail: detail.into(), retry_after: None }
    }

    /// From an error and its causes, escaped for logs and terminals that show them.
    fn chain(status: StatusCode, error: &'static str, e: &(dyn std::error::Error + 'static)) -> Self {
        let mut detail = e.to_string();
        let mut source = e.source();
        while let Some(cause) = source {
            detail += &format!(": {cause}");
            source = cause.source();
        }
        ApiError::new(status, error, relgate::printable(&detail).into_owned())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response =
            (self.status, axum::Json(json!({"error": self.error, "detail": self.detail}))).into_response();
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        let status = match &e {
            Error::UnknownGate { .. } => StatusCode::NOT_FOUND,
            Error::Input(_)
            | Error::MissingReleaseField { .. }
            | Error::RequestConfig { .. }
            | Error::RequestNow { .. }
            | Error::RequestMetric { .. }
            | Error::RequestHistory { .. }
            | Error::NoHistory { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Error::Log(_) => StatusCode::SERVICE_UNAVAILABLE,
            Error::Engine(e)
                if matches!(**e, relgate::Error::UnknownConfig { .. } | relgate::Error::RejectedConfig { .. }) =>
            {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            // Listed, so that a new kind of error must choose its status.
            Error::Engine(_)
            | Error::ReadGates { .. }
            | Error::ParseGates { .. }
            | Error::InvalidGate { .. }
            | Error::Policy { .. }
            | Error::PolicyRefused { .. }
            | Error::Start { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let error = match status {
            StatusCode::NOT_FOUND => "unknown gate",
            StatusCode::UNPROCESSABLE_ENTITY => "invalid input",
            StatusCode::SERVICE_UNAVAILABLE => "decision log unavailable",
            _ => "evaluation failed",
        };
        ApiError::chain(status, error, &e)
    }
}

fn unauthorized(state: &AppState) -> Response {
    state.metrics.rejected("unauthorized");
    let mut response = ApiError::new(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "send `Authorization: Bearer <token>` with the token of the server's --token-file",
    )
    .into_response();
    response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    response
}

async fn authenticate(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    if let Some(token) = &state.token {
        let header = request.headers().get(header::AUTHORIZATION).map(HeaderValue::as_bytes);
        if !token.admits(header) {
            return unauthorized(&state);
        }
    }
    next.run(request).await
}

async fn ready(State(state): State<Arc<AppState>>) -> Response {
    let gates = state.gates();
    let count = gates.iter().count();
    if count == 0 {
        return ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "not ready", "no gate is loaded").into_response();
    }
    axum::Json(json!({"status": "ready", "gates": count})).into_response()
}

async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    let mut response = state.metrics.encode().into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
    );
    response
}

fn describe(gates: &GateSet) -> Value {
    let gates: Vec<Value> = gates
        .iter()
        .map(|loaded| {
            let policies: Vec<Value> = loaded
                .set()
                .members()
                .iter()
                .filter_map(|member| match member {
                    relgate::Loaded::Policy(policy) => Some(json!({
                        "name": policy.name(),
                        "version": policy.metadata().and_then(|m| m.get("version")).cloned().unwrap_or(Value::Null),
                        "digest": policy.digest().to_string(),
                        "source": policy.source().to_string(),
                    })),
                    relgate::Loaded::Refused(_) => None,
                })
                .collect();
            json!({"name": loaded.gate().name().as_str(), "policies": policies})
        })
        .collect();
    json!({ "gates": gates })
}

async fn list_gates(State(state): State<Arc<AppState>>) -> Response {
    axum::Json(describe(&state.gates())).into_response()
}

async fn reload(State(state): State<Arc<AppState>>) -> Response {
    match state.reload().await {
        Ok(gates) => {
            tracing::info!(gates = gates.names(), "reloaded the gates");
            let mut answer = describe(&gates);
            answer["reloaded"] = Value::Bool(true);
            axum::Json(answer).into_response()
        }
        Err(e) => {
            tracing::error!(error = %relgate::printable(&e.to_string()), "reload failed; the previous gates keep serving");
            ApiError::chain(StatusCode::UNPROCESSABLE_ENTITY, "reload failed, the previous gates keep serving", &e)
                .into_response()
        }
    }
}

/// The body, read to at most the server's limit (413 beyond it).
async fn read_body(state: &AppState, body: Body, limit: usize) -> Result<Bytes, ApiError> {
    match tokio::time::timeout(BODY_TIMEOUT, axum::body::to_bytes(body, limit)).await {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(_)) => {
            state.metrics.rejected("too_large");
            Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body too large",
                format!("a request body may have at most {limit} bytes (--max-body)"),
            ))
        }
        Err(_) => {
            state.metrics.rejected("slow_body");
            Err(ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                "body too slow",
                format!("the request body did not arrive within {BODY_TIMEOUT:?}"),
            ))
        }
    }
}

fn parse<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    relgate_input::parse_document(DocumentKind::Request, std::path::Path::new("body"), bytes)
        .map_err(|e| ApiError::chain(StatusCode::BAD_REQUEST, "invalid request", &e))
}

/// What a caller may say of the release.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReleaseBody {
    service: Option<String>,
    version: Option<String>,
    environment: Option<String>,
    stage: Option<String>,
    #[serde(default)]
    labels: BTreeMap<String, String>,
}

/// `POST /v1/gates/{gate}/evaluate`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EvaluateBody {
    #[serde(default)]
    release: ReleaseBody,
    #[serde(default)]
    input: Option<Value>,
}

fn sources(release: ReleaseBody, input: Option<Value>) -> Sources {
    let mut sources = Sources::default();
    sources.input = input.map(gates::request_document);
    let fields = &mut sources.release;
    (fields.service, fields.version, fields.environment, fields.stage) =
        (release.service, release.version, release.environment, release.stage);
    fields.labels = release.labels.into_iter().collect();
    sources
}

async fn evaluate_gate(
    State(state): State<Arc<AppState>>,
    gate: Result<Path<String>, PathRejection>,
    body: Body,
) -> Response {
    let result = async {
        let Path(gate) = gate.map_err(rejected)?;
        let bytes = read_body(&state, body, state.max_body).await?;
        let body: EvaluateBody = if bytes.iter().all(u8::is_ascii_whitespace) {
            EvaluateBody { release: ReleaseBody::default(), input: None }
        } else {
            parse(&bytes)?
        };
        evaluate(&state, &gate, sources(body.release, body.input)).await
    };
    match result.await {
        Ok((gate, evaluation)) => answer(&gate, &evaluation, StatusCode::OK),
        Err(e) => e.into_response(),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GateQuery {
    gate: Option<String>,
}

async fn evaluate_input(
    State(state): State<Arc<AppState>>,
    query: Result<Query<GateQuery>, QueryRejection>,
    body: Body,
) -> Response {
    let result = async {
        let Query(query) = query.map_err(rejected)?;
        let bytes = read_body(&state, body, state.max_body).await?;
        let input: Value = parse(&bytes)?;
        let gate = query.gate.unwrap_or_else(|| GateName::default_gate().to_string());
        evaluate(&state, &gate, sources(ReleaseBody::default(), Some(input))).await
    };
    match result.await {
        Ok((gate, evaluation)) => answer(&gate, &evaluation, StatusCode::OK),
        Err(e) => e.into_response(),
    }
}

/// Flagger's webhook payload, as Flagger sends it to every hook.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FlaggerPayload {
    name: String,
    namespace: String,
    #[serde(default)]
    phase: Option<String>,
    #[serde(default)]
    checksum: Option<String>,
    #[serde(default)]
    metadata: BTreeMap<String, String>,
}

impl FlaggerPayload {
    /// The release: the canary's name is the service, its namespace the environment; the
    /// phase and checksum become labels (`flagger_phase`, `flagger_checksum`) beside the
    /// hook's metadata.
    fn release(self) -> Result<ReleaseBody, ApiError> {
        if let Some(key) = self.metadata.keys().find(|k| k.starts_with("flagger_")) {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid request",
                format!(
                    "metadata key `{}`: keys starting with `flagger_` are relgate's, from the payload itself",
                    relgate::printable(&key.chars().take(64).collect::<String>())
                ),
            ));
        }
        let mut labels = self.metadata;
        if let Some(phase) = self.phase {
            labels.insert("flagger_phase".into(), phase);
        }
        if let Some(checksum) = self.checksum {
            labels.insert("flagger_checksum".into(), checksum);
        }
        Ok(ReleaseBody {
            service: Some(self.name),
            environment: Some(self.namespace),
            version: None,
            stage: None,
            labels,
        })
    }
}

/// The webhook metadata key that may carry the bearer token, since Flagger's webhooks
/// cannot send headers. It is taken out of the metadata, never a label.
const FLAGGER_TOKEN_KEY: &str = "relgate-token";

/// The largest Flagger payload read: 64 KiB.
const FLAGGER_MAX_BODY: usize = 64 << 10;

async fn flagger_hook(state: Arc<AppState>, gate: String, request: Request, rollback_hook: bool) -> Response {
    let header = request.headers().get(header::AUTHORIZATION).map(HeaderValue::as_bytes);
    let by_header = state.token.as_ref().is_none_or(|token| token.admits(header));
    let payload = async {
        // Flagger's payload is small, and it is read before its token is known.
        let bytes = read_body(&state, request.into_body(), state.max_body.min(FLAGGER_MAX_BODY)).await?;
        parse::<FlaggerPayload>(&bytes)
    };
    // An unauthenticated caller learns nothing of why its body is wrong.
    let mut payload = match payload.await {
        Ok(payload) => payload,
        Err(_) if !by_header && state.token.is_some() => return unauthorized(&state),
        Err(e) => return e.into_response(),
    };
    let given = payload.metadata.remove(FLAGGER_TOKEN_KEY);
    let by_metadata = given.zip(state.token.as_ref()).is_some_and(|(given, token)| token.is(given.as_bytes()));
    if !by_header && !by_metadata {
        return unauthorized(&state);
    }
    let release = match payload.release() {
        Ok(release) => release,
        Err(e) => return e.into_response(),
    };
    match evaluate(&state, &gate, sources(release, None)).await {
        Err(e) => e.into_response(),
        Ok((gate, evaluation)) => {
            let decision = evaluation.report.decision;
            // Flagger treats any status above 202 as a failed hook.
            let pass = if rollback_hook { decision == Decision::Rollback } else { decision == Decision::Allow };
            answer(&gate, &evaluation, if pass { StatusCode::OK } else { StatusCode::FORBIDDEN })
        }
    }
}

async fn flagger(
    State(state): State<Arc<AppState>>,
    gate: Result<Path<String>, PathRejection>,
    request: Request,
) -> Response {
    match gate {
        Ok(Path(gate)) => flagger_hook(state, gate, request, false).await,
        Err(e) => rejected(e).into_response(),
    }
}

async fn flagger_rollback(
    State(state): State<Arc<AppState>>,
    gate: Result<Path<String>, PathRejection>,
    request: Request,
) -> Response {
    match gate {
        Ok(Path(gate)) => flagger_hook(state, gate, request, true).await,
        Err(e) => rejected(e).into_response(),
    }
}

/// A path or query string axum could not take, as a JSON error, escaped.
fn rejected(e: impl std::error::Error + 'static) -> ApiError {
    ApiError::chain(StatusCode::BAD_REQUEST, "invalid request", &e)
}

/// Admits, evaluates off the async threads, and records. A full server answers 503 with
/// `Retry-After` at once: nothing waits in an unbounded queue.
async fn evaluate(state: &Arc<AppState>, gate: &str, sources: Sources) -> Result<(GateName, Evaluation), ApiError> {
    let gates = state.gates();
    let loaded =
        gate.parse::<GateName>().ok().and_then(|name| gates.get(&name).cloned()).ok_or_else(|| Error::UnknownGate {
            gate: relgate::printable(&gate.chars().take(64).collect::<String>()).into_owned(),
            known: gates.names(),
        })?;
    let Ok(_admitted) = state.admission.clone().try_acquire_owned() else {
        state.metrics.rejected("saturated");
        let mut e = ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "saturated",
            "every worker is busy and the queue is full; retry later (--workers, --queue)",
        );
        e.retry_after = Some(1);
        return Err(e);
    };
    state.metrics.in_flight.inc();
    let _in_flight = InFlight(state.clone());
    let started = Instant::now();
    let run = async {
        let worker = state.workers.clone().acquire_owned().await.expect("the worker semaphore is never closed");
        let engine = state.engine.clone();
        let gate = loaded.clone();
        // The worker stays taken until the evaluation ends, even past the request's deadline.
        // Metric queries end by the request's deadline, so that a slow Prometheus does not
        // hold the worker beyond it.
        let deadline = started + state.request_timeout;
        let log = state.log.clone();
        tokio::task::spawn_blocking(move || {
            let _worker = worker;
            gate.evaluate(&engine, sources, Some(deadline), log.as_deref(), relgate_log::Origin::Serve)
        })
        .await
    };
    let evaluation = match tokio::time::timeout(state.request_timeout, run).await {
        Err(_) => {
            state.metrics.rejected("deadline");
            return Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "deadline",
                format!("the evaluation did not finish within {:?} (--request-timeout)", state.request_timeout),
            ));
        }
        Ok(Err(join)) => {
            return Err(ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "evaluation failed", join.to_string()));
        }
        Ok(Ok(Err(e @ Error::Log(_)))) => {
            state.metrics.rejected("log_unavailable");
            tracing::error!(error = %relgate::printable(&e.to_string()), "a decision could not be recorded; not answered");
            return Err(e.into());
        }
        Ok(Ok(result)) => result?,
    };
    let name = loaded.gate().name().clone();
    state.metrics.record(name.as_str(), &evaluation.report, started.elapsed().as_secs_f64());
    Ok((name, evaluation))
}

/// `GET /v1/decisions`'s filters and page.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DecisionsQuery {
    gate: Option<String>,
    service: Option<String>,
    environment: Option<String>,
    decision: Option<Decision>,
    since: Option<jiff::Timestamp>,
    until: Option<jiff::Timestamp>,
    limit: Option<usize>,
    cursor: Option<relgate_log::DecisionId>,
}

/// Records of a listing, at most: the default page.
const DEFAULT_PAGE: usize = 50;

/// Runs a query of the decision log off the async threads.
async fn read_log<T: Send + 'static>(
    state: &Arc<AppState>,
    query: impl FnOnce(&relgate_log::Log) -> Result<T, relgate_log::Error> + Send + 'static,
) -> Result<T, ApiError> {
    let Some(log) = state.log.clone() else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "no decision log",
            "this server records no decisions (it runs with --no-log)",
        ));
    };
    match tokio::task::spawn_blocking(move || query(&log)).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e @ relgate_log::Error::InvalidFilter { .. })) => Err(rejected(e)),
        Ok(Err(e)) => Err(ApiError::chain(StatusCode::SERVICE_UNAVAILABLE, "decision log unavailable", &e)),
        Err(e) => Err(ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "decision log unavailable", e.to_string())),
    }
}

async fn list_decisions(
    State(state): State<Arc<AppState>>,
    query: Result<Query<DecisionsQuery>, QueryRejection>,
) -> Response {
    let result = async {
        let Query(query) = query.map_err(rejected)?;
        let limit = query.limit.unwrap_or(DEFAULT_PAGE);
        if !(1..=relgate_log::MAX_PAGE).contains(&limit) {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid request",
                format!("limit is 1 to {}", relgate_log::MAX_PAGE),
            ));
        }
        let mut filter = relgate_log::Filter::default();
        (filter.gate, filter.service, filter.environment, filter.decision, filter.since, filter.until) =
            (query.gate, query.service, query.environment, query.decision, query.since, query.until);
        let cursor = query.cursor;
        let page =
            read_log(&state, move |log| log.list(&filter, relgate_log::Order::NewestFirst, cursor.as_ref(), limit))
                .await?;
        let decisions: Vec<Value> = page.records.iter().map(relgate_log::Record::summary).collect();
        Ok(axum::Json(json!({"decisions": decisions, "next_cursor": page.next})))
    };
    match result.await {
        Ok(answer) => answer.into_response(),
        Err(e) => e.into_response(),
    }
}

async fn show_decision(State(state): State<Arc<AppState>>, id: Result<Path<String>, PathRejection>) -> Response {
    let result = async {
        let Path(id) = id.map_err(rejected)?;
        let id: relgate_log::DecisionId = id.parse().map_err(rejected)?;
        match read_log(&state, move |log| log.get(&id)).await? {
            Some(record) => Ok(axum::Json(record)),
            None => Err(ApiError::new(
                StatusCode::NOT_FOUND,
                "unknown decision",
                format!("the decision log has no decision {id}"),
            )),
        }
    };
    match result.await {
        Ok(answer) => answer.into_response(),
        Err(e) => e.into_response(),
    }
}

struct InFlight(Arc<AppState>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.metrics.in_flight.dec();
    }
}

/// The report of `relgate eval --format json`, with the decision's id and gate, and the
/// metrics left without data when a source failed.
fn answer(gate: &GateName, evaluation: &Evaluation, status: StatusCode) -> Response {
    let mut body = match serde_json::to_value(&evaluation.report) {
        Ok(body) => body,
        Err(e) => {
            return ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "evaluation failed", e.to_string())
                .into_response();
        }
    };
    body["decision_id"] = Value::String(evaluation.id.to_string());
    body["gate"] = Value::String(gate.to_string());
    if !evaluation.unavailable.is_empty() {
        body["unavailable"] = serde_json::to_value(&evaluation.unavailable).unwrap_or_default();
    }
    (status, axum::Json(body)).into_response()
}

/// How long a client may take to send a request's headers, and how long an idle keep-alive
/// connection is kept.
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a client may take to send a request's body.
const BODY_TIMEOUT: Duration = Duration::from_secs(10);

/// How often the decision log is pruned, with `--retain`.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

/// How long the requests in flight may take to finish after SIGTERM.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// Serves until SIGTERM or Ctrl-C, finishing the requests in flight (within a grace period);
/// SIGHUP reloads the gates. Each connection must send its headers within
/// [`HEADER_TIMEOUT`]; at most `max_connections` are open at once, the rest wait in the
/// kernel's queue.
pub(crate) async fn serve(
    state: Arc<AppState>,
    listener: std::net::TcpListener,
    max_connections: usize,
    retain: Option<relgate_log::Retention>,
) -> Result<(), Error> {
    let start = |message: &str, e| Error::Start { message: message.into(), source: Some(e) };
    listener.set_nonblocking(true).map_err(|e| start("cannot set up the listening socket", e))?;
    let listener =
        tokio::net::TcpListener::from_std(listener).map_err(|e| start("cannot set up the listening socket", e))?;
    let bound = listener.local_addr().map_err(|e| start("cannot read the bound address", e))?;
    // On stderr whatever the log level: scripts and tests read the port from it.
    match &state.log {
        Some(log) => eprintln!("relgate serve: recording every decision in {} before answering it", log.location()),
        None => eprintln!("relgate serve: recording no decisions (--no-log)"),
    }
    eprintln!("relgate serve: listening on http://{bound} with gates {}", state.gates().names());
    if let (Some(log), Some(retain)) = (state.log.clone(), retain) {
        tokio::spawn(async move {
            let mut hourly = tokio::time::interval(PRUNE_EVERY);
            hourly.tick().await; // the first tick is now; bind pruned already
            loop {
                hourly.tick().await;
                let log = log.clone();
                let pruned = tokio::task::spawn_blocking(move || log.prune(retain, jiff::Timestamp::now())).await;
                if let Ok(Err(e)) = pruned {
                    tracing::error!(error = %relgate::printable(&e.to_string()), "cannot prune the decision log");
                }
            }
        });
    }
    let hup_state = state.clone();
    tokio::spawn(async move {
        let Ok(mut hangups) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) else { return };
        while hangups.recv().await.is_some() {
            match hup_state.reload().await {
                Ok(gates) => tracing::info!(gates = gates.names(), "SIGHUP: reloaded the gates"),
                Err(e) => tracing::error!(
                    error = %relgate::printable(&e.to_string()),
                    "SIGHUP: reload failed; the previous gates keep serving"
                ),
            }
        }
    });
    let service = hyper_util::service::TowerToHyperService::new(router(state));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let connections = Arc::new(Semaphore::new(max_connections));
    let stop = shutdown();
    tokio::pin!(stop);
    loop {
        let permit = tokio::select! {
            () = &mut stop => break,
            permit = connections.clone().acquire_owned() => permit.expect("the connection semaphore is never closed"),
        };
        let (stream, _) = tokio::select! {
            () = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(hyper_util::rt::TokioTimer::new())
            .header_read_timeout(HEADER_TIMEOUT)
            .serve_connection(hyper_util::rt::TokioIo::new(stream), service.clone());
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _permit = permit;
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown()).await.is_err() {
        eprintln!("relgate serve: connections still open after {SHUTDOWN_GRACE:?}; exiting anyway");
    }
    Ok(())
}

async fn shutdown() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
    }
    eprintln!("relgate serve: shutting down after the requests in flight");
}
