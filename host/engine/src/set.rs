//! The policies of one evaluation, and the one path every front end evaluates through.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::{Config, Engine, Error, Input, Policy, PolicyRef, PolicyReport, Report};

impl PolicySet {
    /// Checks the input's `config` against what the set's policies read: every top-level key
    /// must be a section some loaded policy declares in its metadata (`"config"`), so that a
    /// misspelt section (`readines`) or a flat key nobody reads is an error, not a setting
    /// that silently vanishes from the gate. Front ends call it before [`Engine::evaluate`].
    ///
    /// A set with a refused policy is not checked: what that policy would read is unknown,
    /// and its fault decides the evaluation anyway.
    pub fn check_config(&self, input: &Input) -> Result<(), Error> {
        let Some(config) = &input.config else { return Ok(()) };
        if self.members.iter().any(|member| matches!(member, Loaded::Refused(_))) {
            return Ok(());
        }
        let mut declared: Vec<&str> = self
            .members
            .iter()
            .filter_map(|member| match member {
                Loaded::Policy(policy) => Some(policy.config_sections()),
                Loaded::Refused(_) => None,
            })
            .flatten()
            .collect();
        declared.sort_unstable();
        declared.dedup();
        match config.keys().find(|key| !declared.contains(&key.as_str())) {
            None => Ok(()),
            Some(key) => Err(Error::UnknownConfig {
                key: crate::printable(key).into_owned(),
                declared: match declared.as_slice() {
                    [] => "no policy of it reads any config".to_owned(),
                    sections => format!("the sections read are {}", sections.join(", ")),
                },
            }),
        }
    }
}

/// A policy ready to take part in an evaluation: loaded, or refused while loading with the
/// report of its fault, which then stands as its decision (fail-closed).
#[derive(Debug, Clone)]
pub enum Loaded {
    /// Loaded and ready.
    Policy(Policy),
    /// Refused while loading; the report carries the fault and the fault decision.
    Refused(PolicyReport),
}

/// The policies of one evaluation, in order, loaded or refused. Build it once with
/// [`Engine::load_set`] (or from policies already loaded) and evaluate it any number of
/// times with [`Engine::evaluate`].
#[derive(Debug, Clone, Default)]
pub struct PolicySet {
    members: Vec<Loaded>,
}

impl PolicySet {
    /// An empty set; evaluating it denies, since nothing judged the release.
    pub fn new() -> Self {
        PolicySet::default()
    }

    /// Adds a policy at the end.
    pub fn push(&mut self, member: Loaded) {
        self.members.push(member);
    }

    /// The members, in order.
    pub fn members(&self) -> &[Loaded] {
        &self.members
    }

    /// How many policies the set has, refused ones included.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Whether the set has no policy.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }
}

impl From<Policy> for PolicySet {
    fn from(policy: Policy) -> Self {
        PolicySet { members: vec![Loaded::Policy(policy)] }
    }
}

impl FromIterator<Policy> for PolicySet {
    fn from_iter<I: IntoIterator<Item = Policy>>(policies: I) -> Self {
        PolicySet { members: policies.into_iter().map(Loaded::Policy).collect() }
    }
}

impl Engine {
    /// Loads every policy of an evaluation. A policy refused for its ABI, or for a fault while
    /// it was instantiated, becomes [`Loaded::Refused`] so that it still takes part
    /// (fail-closed); any other error (an unreadable file, invalid wasm, a pin mismatch)
    /// stops the load, before anything runs.
    pub fn load_set<'a>(&self, policies: impl IntoIterator<Item = &'a PolicyRef>) -> Result<PolicySet, Error> {
        let mut set = PolicySet::new();
        for policy in policies {
            set.push(match self.load(policy) {
                Ok(policy) => Loaded::Policy(policy),
                Err(e) => Loaded::Refused(PolicyReport::refused(&e, self.config().on_fault).ok_or(e)?),
            });
        }
        Ok(set)
    }

    /// Evaluates as [`Engine::evaluate`] does, but fails where nothing may be judged: a
    /// config key that no policy of the set reads ([`PolicySet::check_config`]), or a config
    /// section a policy rejects ([`Report::config_error`]): settings that did not take
    /// effect. Every front end judges through it.
    pub fn judge(&self, set: &PolicySet, input: &Input) -> Result<Report, Error> {
        set.check_config(input)?;
        let report = self.evaluate(set, input);
        match report.config_error() {
            Some(rejected) => Err(rejected),
            None => Ok(report),
        }
    }

    /// Runs every policy of `set` on `input`, each in a fresh instance, and combines their
    /// decisions (see [`Report`]). Never fails: a policy that faults, or was refused, yields
    /// this engine's fault decision and says why; so does a policy loaded by another engine,
    /// which must not run under that engine's limits.
    ///
    /// The whole evaluation is bounded by [`crate::Config::total_deadline`]: a policy still
    /// running when it passes, or not yet started, faults with `timeout`. Up to
    /// [`crate::Config::threads`] policies run at once; the report lists them in set order.
    pub fn evaluate(&self, set: &PolicySet, input: &Input) -> Report {
        let started = Instant::now();
        let json = serde_json::to_vec(input);
        let config = self.config();
        let evaluate = |member: &Loaded| {
            let remaining = config.total_deadline.saturating_sub(started.elapsed());
            match (member, &json) {
                (Loaded::Refused(report), _) => report.with_fault_decision(config.on_fault),
                (Loaded::Policy(policy), _) if !policy.engine.same(self) => {
                    policy.foreign_engine_fault(config.on_fault)
                }
                (Loaded::Policy(policy), _) if remaining < Config::EPOCH_TICK => policy.total_deadline_fault(),
                (Loaded::Policy(policy), Ok(json)) => policy.evaluate_json(json, remaining),
                (Loaded::Policy(policy), Err(e)) => policy.serialization_fault(e),
            }
        };
        let reports = match self.pool().filter(|_| set.members.len() > 1) {
            Some(pool) => side_by_side(pool, &set.members, evaluate),
            None => set.members.iter().map(evaluate).collect(),
        };
        Report::from_policies(reports)
    }
}

/// Evaluates `members` on the calling thread and the pool's threads together, in set
/// order. Each takes the next member nobody has taken, so the caller starts at once instead
/// of waiting for a pool thread to wake (which, for a short policy, took longer than the
/// policy), and the pool's threads join in as they come. When it runs out of members the
/// caller spins a little while for the others to finish, rather than sleep and be woken.
fn side_by_side<T: Send + Sync>(
    pool: &rayon::ThreadPool,
    members: &[Loaded],
    evaluate: impl Fn(&Loaded) -> T + Sync,
) -> Vec<T> {
    /// How long the caller spins before it sleeps: about as long as waking a sleeping
    /// thread takes on a virtual machine, several times over.
    const SPIN: Duration = Duration::from_micros(200);
    let next = AtomicUsize::new(0);
    let finished = AtomicUsize::new(0);
    let reports: Vec<OnceLock<T>> = members.iter().map(|_| OnceLock::new()).collect();
    let work = || {
        loop {
            let index = next.fetch_add(1, Ordering::Relaxed);
            let Some(member) = members.get(index) else { break };
            let _ = reports[index].set(evaluate(member));
            finished.fetch_add(1, Ordering::Release);
        }
    };
    pool.in_place_scope(|scope| {
        for _ in 0..pool.current_num_threads().min(members.len() - 1) {
            scope.spawn(|_| work());
        }
        work();
        let waiting = Instant::now();
        while finished.load(Ordering::Acquire) < members.len() && waiting.elapsed() < SPIN {
            std::hint::spin_loop();
        }
    });
    reports.into_iter().map(|report| report.into_inner().expect("every member is taken once")).collect()
}
