//! The engine: one per process. It owns the wasmtime engine, the linker with the host
//! functions, the epoch ticker that enforces deadlines and the compile cache.

use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

use wasmtime::{Linker, Store};

use crate::abi::{self, GuestLog};
use crate::cache::Cache;
use crate::component;
use crate::limits::{Limiter, StoreState};
use crate::slots::{self, Slot, Slots};
use crate::wasm_config;
use crate::{Config, Error, Limit};

/// Compiles, links and runs policies under one [`Config`]. Cheap to clone; clones share
/// everything.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

struct Inner {
    wasm: wasmtime::Engine,
    linker: Linker<StoreState>,
    component_linker: wasmtime::component::Linker<StoreState>,
    config: Arc<Config>,
    cache: Option<Cache>,
    ticker_stop: Arc<AtomicBool>,
    /// The threads policies of one evaluation run on, started when first needed.
    pool: OnceLock<Option<rayon::ThreadPool>>,
    /// The free instance slots.
    slots: Arc<Slots>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.ticker_stop.store(true, Ordering::Relaxed);
    }
}

impl Engine {
    /// Creates an engine. The configuration is validated first.
    pub fn new(config: Config) -> Result<Engine, Error> {
        config.validate()?;
        let engine_error = |e: wasmtime::Error| Error::Engine { source: e.into_boxed_dyn_error() };

        let mut wasm_config = wasm_config::wasmtime_config(config.max_stack);
        wasm_config.allocation_strategy(slots::pooling(&config));
        let wasm = wasmtime::Engine::new(&wasm_config).map_err(engine_error)?;

        let mut linker = Linker::new(&wasm);
        abi::define_host_functions(&mut linker).map_err(engine_error)?;
        let component_linker = component::linker(&wasm).map_err(engine_error)?;

        let cache = config.cache_dir.as_ref().and_then(|dir| match Cache::open(dir, &wasm, &config) {
            Ok(cache) => Some(cache),
            Err(e) => {
                tracing::warn!(dir = %dir.display(), "compile cache disabled: {e}");
                None
            }
        });

        let ticker_stop = Arc::new(AtomicBool::new(false));
        spawn_ticker(wasm.weak(), ticker_stop.clone()).map_err(|e| Error::Engine { source: e.into() })?;

        let slots = Slots::new(config.instances);
        let config = Arc::new(config);
        Ok(Engine {
            inner: Arc::new(Inner {
                wasm,
                linker,
                component_linker,
                config,
                cache,
                ticker_stop,
                pool: OnceLock::new(),
                slots,
            }),
        })
    }

    /// Whether `other` is this engine or a clone of it.
    pub(crate) fn same(&self, other: &Engine) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// Whether the engine keeps compiled policies in a compile cache: not when the config
    /// turns it off or its folder could not be opened (a warning says why).
    pub fn has_cache(&self) -> bool {
        self.inner.cache.is_some()
    }

    /// The configuration this engine runs under.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    pub(crate) fn wasm(&self) -> &wasmtime::Engine {
        &self.inner.wasm
    }

    pub(crate) fn linker(&self) -> &Linker<StoreState> {
        &self.inner.linker
    }

    pub(crate) fn component_linker(&self) -> &wasmtime::component::Linker<StoreState> {
        &self.inner.component_linker
    }

    /// The pool that runs the policies of one evaluation side by side; `None` where they
    /// run one after another ([`Config::threads`] is 1, or no thread could be started).
    pub(crate) fn pool(&self) -> Option<&rayon::ThreadPool> {
        let threads = self.inner.config.threads;
        let pool = self.inner.pool.get_or_init(|| {
            if threads < 2 {
                return None;
            }
            // The caller's thread is one of them.
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads - 1)
                .thread_name(|i| format!("relgate-eval-{i}"))
                .stack_size(Config::THREAD_STACK)
                .build();
            pool.inspect_err(|e| tracing::warn!("policies run one after another: no thread pool ({e})")).ok()
        });
        pool.as_ref()
    }

    pub(crate) fn cache(&self) -> Option<&Cache> {
        self.inner.cache.as_ref()
    }

    /// A fresh store with every per-evaluation limit set, in a slot of its own (waiting for
    /// one while all are taken); `remaining` is what is left of the evaluation's total
    /// deadline (`Duration::MAX` outside an evaluation), when that is sooner than the
    /// policy's own.
    pub(crate) fn new_store(&self, policy: Arc<str>, remaining: Duration) -> Sandbox {
        let waiting = Instant::now();
        let slot = self.inner.slots.take();
        // Waiting for a slot spends the evaluation's total deadline too.
        let remaining = remaining.saturating_sub(waiting.elapsed());
        let config = &self.inner.config;
        let deadline = if remaining < config.deadline {
            (Limit::TotalDeadline, remaining)
        } else {
            (Limit::Deadline, config.deadline)
        };
        let state = StoreState {
            config: config.clone(),
            limiter: Limiter::new(config),
            log: GuestLog::new(policy, config),
            deadline,
        };
        let mut store = Store::new(&self.inner.wasm, state);
        store.limiter(|state| &mut state.limiter);
        store.set_fuel(config.fuel.unwrap_or(u64::MAX)).expect("fuel is enabled on every engine");
        store.set_epoch_deadline(Config::ticks(deadline.1));
        store.epoch_deadline_trap();
        Sandbox { store, _slot: slot }
    }
}

/// A store and the slot it holds. The fields drop in order: the store gives its instances
/// back to the pool before the slot is free for another store.
pub(crate) struct Sandbox {
    store: Store<StoreState>,
    _slot: Slot,
}

impl Deref for Sandbox {
    type Target = Store<StoreState>;

    fn deref(&self) -> &Store<StoreState> {
        &self.store
    }
}

impl DerefMut for Sandbox {
    fn deref_mut(&mut self) -> &mut Store<StoreState> {
        &mut self.store
    }
}

/// Advances the engine's epoch every [`Config::EPOCH_TICK`] until the engine is dropped.
fn spawn_ticker(engine: wasmtime::EngineWeak, stop: Arc<AtomicBool>) -> std::io::Result<()> {
    thread::Builder::new().name("relgate-epoch".into()).spawn(move || {
        while !stop.load(Ordering::Relaxed) {
            thread::sleep(Config::EPOCH_TICK);
            match engine.upgrade() {
                Some(engine) => engine.increment_epoch(),
                None => break,
            }
        }
    })?;
    Ok(())
}
