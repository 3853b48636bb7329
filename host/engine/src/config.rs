//! Engine configuration: the sandbox limits, the fault decision and the compile cache.

use std::path::PathBuf;
use std::time::Duration;

use crate::{Decision, Error};

/// How relgate runs policies. Every limit is explicit; each field documents its default.
///
/// ```
/// use std::time::Duration;
/// let config = relgate::Config::default()
///     .with_fuel(Some(10_000_000))
///     .with_deadline(Duration::from_millis(500));
/// config.validate().unwrap();
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Config {
    /// Fuel per evaluation: a deterministic CPU budget, roughly one unit per wasm
    /// instruction, shared by instantiation and every call. `None` means unlimited.
    /// Default: 500,000,000 units.
    pub fuel: Option<u64>,
    /// Wall-clock deadline per evaluation, covering instantiation (a start function too) and
    /// every call. Enforced by epoch interruption with a resolution of [`Config::EPOCH_TICK`].
    /// Default: 5 s.
    pub deadline: Duration,
    /// Wall-clock deadline for one [`crate::Engine::evaluate`] of a whole policy set: a
    /// policy still running when it passes stops with a `timeout` fault, and one not yet
    /// started does not start (it faults alike). Twenty looping policies then cost this
    /// long, not twenty per-policy deadlines. Default: 30 s.
    pub total_deadline: Duration,
    /// Largest linear memory a policy may have, in bytes. Default: 64 MiB.
    pub max_memory: usize,
    /// Largest table a policy may have, in elements. Default: 10,000.
    pub max_table_elements: usize,
    /// Wasm stack available to a policy, in bytes: at least 16 KiB, at most 2 MiB (what
    /// wasmtime allows without async support). Default: 512 KiB.
    pub max_stack: usize,
    /// Largest policy, in bytes of wasm or WAT, checked before it is compiled. Default: 32 MiB.
    pub max_module_size: usize,
    /// Most functions a policy may define, checked before it is compiled: compiling costs
    /// time and memory per function. Default: 100,000.
    pub max_functions: u32,
    /// Deepest nesting of blocks, loops and ifs in one function, checked before compiling.
    /// Default: 1,000.
    pub max_nesting: u32,
    /// Largest input document, in bytes of JSON. Default: 16 MiB.
    pub max_input: usize,
    /// Largest output document, in bytes of JSON. Default: 1 MiB.
    pub max_output: usize,
    /// Log messages a policy may emit per evaluation; later ones are dropped and counted.
    /// Default: 100.
    pub max_log_messages: u32,
    /// Longest log message, in bytes; longer ones are truncated. Default: 1 KiB.
    pub max_log_message: usize,
    /// Most policies of one [`crate::Engine::evaluate`] that run at once, each in its own
    /// instance: on the caller's thread and `threads - 1` threads of the engine's pool; 1
    /// runs them one after another on the caller's thread. Side by side pays where policies
    /// take long (a medium input, in `benches/readiness.rs`). Default: 1.
    pub threads: usize,
    /// Policy instances that may exist at once across the engine (every evaluation of a
    /// policy, and its first load, takes one), each in a slot of wasmtime's pooling
    /// allocator that the next evaluation reuses instead of mapping fresh memory. An
    /// evaluation that finds every slot taken waits for one. A slot costs address space (up
    /// to 4 memories of 4 GiB each, reserved, not allocated: about 1 TiB at the default,
    /// so [`crate::Engine::new`] fails where the address space is smaller, as under a low
    /// `ulimit -v`) and, once used, up to 8 MiB per memory kept resident for the next
    /// evaluation. Default: 64; at most 1,024.
    pub instances: usize,
    /// The decision a fault yields (a trap, a limit hit, a broken ABI or output).
    /// Default: [`Decision::Deny`] (fail-closed).
    pub on_fault: Decision,
    /// Where compiled policies are cached. `None` disables the cache.
    /// Default: `relgate/modules` under the user's cache directory (`$XDG_CACHE_HOME`,
    /// `~/.cache`), or no cache where there is none.
    pub cache_dir: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            fuel: Some(500_000_000),
            deadline: Duration::from_secs(5),
            total_deadline: Duration::from_secs(30),
            max_memory: 64 << 20,
            max_table_elements: 10_000,
            max_stack: crate::wasm_config::DEFAULT_MAX_STACK,
            max_module_size: 32 << 20,
            max_functions: 100_000,
            max_nesting: 1_000,
            max_input: 16 << 20,
            max_output: 1 << 20,
            max_log_messages: 100,
            max_log_message: 1 << 10,
            threads: 1,
            instances: 64,
            on_fault: Decision::Deny,
            cache_dir: dirs::cache_dir().map(|d| d.join("relgate").join("modules")),
        }
    }
}

impl Config {
    /// The largest [`Config::max_stack`] there can be: wasmtime's async stack size, which
    /// bounds the wasm stack even for synchronous calls.
    pub const MAX_STACK: usize = 2 << 20;

    /// The stack a thread that evaluates policies should have: wasm runs on the calling
    /// thread's stack, [`Config::max_stack`] of it (at most [`Config::MAX_STACK`]) above the
    /// host's own frames. The engine's threads have it, as does a process's main thread;
    /// give it to threads of your own that call [`crate::Engine::evaluate`] (Rust's and
    /// tokio's default, 2 MiB, leaves no room above the largest wasm stack).
    pub const THREAD_STACK: usize = 8 << 20;

    /// The most [`Config::instances`] there can be: each slot reserves about 16 GiB of
    /// address space.
    pub const MAX_INSTANCES: usize = 1024;

    /// How often the engine's epoch advances; the deadline's resolution.
    pub const EPOCH_TICK: Duration = Duration::from_millis(10);

    /// Whether whatever passes `other`'s compile limits (module size, functions, nesting,
    /// initial table sizes) passes these too.
    pub(crate) fn compile_limits_cover(&self, other: &Config) -> bool {
        self.max_module_size >= other.max_module_size
            && self.max_functions >= other.max_functions
            && self.max_table_elements >= other.max_table_elements
            && self.max_nesting >= other.max_nesting
    }

    /// Sets [`Config::fuel`].
    pub fn with_fuel(mut self, fuel: Option<u64>) -> Self {
        self.fuel = fuel;
        self
    }

    /// Sets [`Config::deadline`].
    pub fn with_deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// Sets [`Config::total_deadline`].
    pub fn with_total_deadline(mut self, deadline: Duration) -> Self {
        self.total_deadline = deadline;
        self
    }

    /// Sets [`Config::max_memory`].
    pub fn with_max_memory(mut self, bytes: usize) -> Self {
        self.max_memory = bytes;
        self
    }

    /// Sets [`Config::max_table_elements`].
    pub fn with_max_table_elements(mut self, elements: usize) -> Self {
        self.max_table_elements = elements;
        self
    }

    /// Sets [`Config::max_stack`].
    pub fn with_max_stack(mut self, bytes: usize) -> Self {
        self.max_stack = bytes;
        self
    }

    /// Sets [`Config::max_module_size`].
    pub fn with_max_module_size(mut self, bytes: usize) -> Self {
        self.max_module_size = bytes;
        self
    }

    /// Sets [`Config::max_functions`].
    pub fn with_max_functions(mut self, functions: u32) -> Self {
        self.max_functions = functions;
        self
    }

    /// Sets [`Config::max_nesting`].
    pub fn with_max_nesting(mut self, depth: u32) -> Self {
        self.max_nesting = depth;
        self
    }

    /// Sets [`Config::max_input`].
    pub fn with_max_input(mut self, bytes: usize) -> Self {
        self.max_input = bytes;
        self
    }

    /// Sets [`Config::max_output`].
    pub fn with_max_output(mut self, bytes: usize) -> Self {
        self.max_output = bytes;
        self
    }

    /// Sets [`Config::max_log_messages`].
    pub fn with_max_log_messages(mut self, messages: u32) -> Self {
        self.max_log_messages = messages;
        self
    }

    /// Sets [`Config::max_log_message`].
    pub fn with_max_log_message(mut self, bytes: usize) -> Self {
        self.max_log_message = bytes;
        self
    }

    /// Sets [`Config::on_fault`].
    pub fn with_on_fault(mut self, decision: Decision) -> Self {
        self.on_fault = decision;
        self
    }

    /// Sets [`Config::threads`].
    pub fn with_threads(mut self, threads: usize) -> Self {
        self.threads = threads;
        self
    }

    /// Sets [`Config::instances`].
    pub fn with_instances(mut self, instances: usize) -> Self {
        self.instances = instances;
        self
    }

    /// Sets [`Config::cache_dir`].
    pub fn with_cache_dir(mut self, dir: Option<PathBuf>) -> Self {
        self.cache_dir = dir;
        self
    }

    /// Checks that every limit is usable.
    pub fn validate(&self) -> Result<(), Error> {
        let invalid =
            |option: &'static str, reason: &str| Err(Error::InvalidConfig { option, reason: reason.to_owned() });
        if self.fuel == Some(0) {
            return invalid("fuel", "must be at least 1 unit (`None` is no fuel limit)");
        }
        if self.deadline < Self::EPOCH_TICK {
            return invalid("deadline", "must be at least 10 ms, the epoch tick");
        }
        if self.total_deadline < Self::EPOCH_TICK {
            return invalid("total_deadline", "must be at least 10 ms, the epoch tick");
        }
        if self.max_memory < 64 << 10 {
            return invalid("max_memory", "must be at least 64 KiB, one wasm page");
        }
        if self.max_stack < 16 << 10 {
            return invalid("max_stack", "must be at least 16 KiB");
        }
        if self.max_stack > Self::MAX_STACK {
            return invalid("max_stack", "must be at most 2 MiB, the largest wasm stack wasmtime allows here");
        }
        if self.threads == 0 {
            return invalid("threads", "must be at least 1");
        }
        if !(1..=Self::MAX_INSTANCES).contains(&self.instances) {
            return invalid("instances", "must be between 1 and 1,024");
        }
        if self.max_memory > 1 << 32 {
            return invalid("max_memory", "must be at most 4 GiB, all of a 32-bit wasm memory");
        }
        if self.max_input == 0 || self.max_output == 0 {
            return invalid("max_input/max_output", "must be at least 1 byte");
        }
        if u32::try_from(self.max_output).is_err() || u32::try_from(self.max_input).is_err() {
            return invalid("max_input/max_output", "must fit a 32-bit length (below 4 GiB)");
        }
        Ok(())
    }

    /// A deadline in epoch ticks, rounded up, plus one for the tick already under way.
    pub(crate) fn ticks(deadline: Duration) -> u64 {
        let tick = Self::EPOCH_TICK.as_nanos();
        (deadline.as_nanos().div_ceil(tick) as u64).saturating_add(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        Config::default().validate().unwrap();
    }

    #[test]
    fn unusable_limits_are_rejected_by_name() {
        let cases: [(Config, &str); 9] = [
            (Config::default().with_fuel(Some(0)), "fuel"),
            (Config::default().with_deadline(Duration::from_millis(1)), "deadline"),
            (Config::default().with_max_memory(1024), "max_memory"),
            (Config::default().with_max_stack(10), "max_stack"),
            (Config::default().with_max_stack(Config::MAX_STACK + 1), "max_stack"),
            (Config::default().with_threads(0), "threads"),
            (Config::default().with_instances(0), "instances"),
            (Config::default().with_instances(Config::MAX_INSTANCES + 1), "instances"),
            (Config::default().with_max_memory((1 << 32) + 65536), "max_memory"),
        ];
        for (config, option) in cases {
            match config.validate() {
                Err(Error::InvalidConfig { option: o, .. }) => assert_eq!(o, option),
                other => panic!("{option}: expected InvalidConfig, got {other:?}"),
            }
        }
    }

    #[test]
    fn deadline_rounds_up_to_ticks() {
        assert_eq!(Config::ticks(Duration::from_millis(100)), 11);
        assert_eq!(Config::ticks(Duration::from_millis(105)), 12);
    }
}
