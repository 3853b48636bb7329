//! Per-store state: the resource limiter that enforces the memory and table limits, and
//! remembers which limit was hit so the fault can say so.

use std::fmt;
use std::sync::Arc;

use wasmtime::ResourceLimiter;

use crate::abi::GuestLog;
use crate::{Config, Fault, FaultKind, Limit, LimitHit};

/// Everything one evaluation's `Store` carries.
pub(crate) struct StoreState {
    pub(crate) config: Arc<Config>,
    pub(crate) limiter: Limiter,
    pub(crate) log: GuestLog,
    /// The deadline in force: the policy's own, or what is left of the evaluation's total.
    pub(crate) deadline: (Limit, std::time::Duration),
}

/// A limit that was hit, raised as the error of the failing instruction or instantiation.
#[derive(Debug, Clone)]
pub(crate) struct LimitExceeded(pub(crate) Fault);

impl fmt::Display for LimitExceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.message)
    }
}

impl std::error::Error for LimitExceeded {}

/// Enforces [`Config::max_memory`] and [`Config::max_table_elements`]: growing past either
/// traps (fail-closed) rather than returning -1, so the report names the limit.
pub(crate) struct Limiter {
    max_memory: usize,
    max_table_elements: usize,
    /// Bytes of linear memory now, all memories together (a component may have several).
    memory: usize,
    /// Largest `memory` seen, in bytes.
    pub(crate) peak_memory: usize,
    /// The limit hit, if any.
    pub(crate) exceeded: Option<LimitExceeded>,
}

/// At most this many memories and tables per core module policy; toolchains emit one of each.
pub(crate) const MAX_MEMORIES: usize = 1;
pub(crate) const MAX_TABLES: usize = 4;
/// At most this many memories and tables per component policy (checked at load), and core
/// instances in one store. A component links several core modules (an interpreter, its
/// libraries, the canonical ABI's shims), each with its own instance and perhaps a table;
/// [`Config::max_memory`] bounds their memories together.
pub(crate) const MAX_COMPONENT_MEMORIES: usize = 4;
pub(crate) const MAX_COMPONENT_TABLES: usize = 32;
pub(crate) const MAX_INSTANCES: usize = 64;

impl Limiter {
    pub(crate) fn new(config: &Config) -> Self {
        Limiter {
            max_memory: config.max_memory,
            max_table_elements: config.max_table_elements,
            memory: 0,
            peak_memory: 0,
            exceeded: None,
        }
    }

    fn exceed(&mut self, message: String, limit: Limit, configured: usize, desired: usize) -> wasmtime::Error {
        let fault = Fault::limit(FaultKind::MemoryLimit, message, limit, configured as u64, Some(desired as u64));
        let exceeded = LimitExceeded(fault);
        self.exceeded = Some(exceeded.clone());
        wasmtime::Error::new(exceeded)
    }
}

impl ResourceLimiter for Limiter {
    fn memory_growing(&mut self, current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        // A new memory grows from 0; the others' bytes count too.
        let total = (self.memory - current.min(self.memory)).saturating_add(desired);
        if total > self.max_memory {
            let others = if total == desired { String::new() } else { format!(" ({total} with its other memories)") };
            let message = format!(
                "policy tried to grow its linear memory from {current} to {desired} bytes{others}, above \
                 the limit of {} bytes",
                self.max_memory
            );
            return Err(self.exceed(message, Limit::MaxMemory, self.max_memory, total));
        }
        self.memory = total;
        self.peak_memory = self.peak_memory.max(total);
        Ok(true)
    }

    fn table_growing(&mut self, current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        if desired > self.max_table_elements {
            let message = format!(
                "policy tried to grow a table from {current} to {desired} elements, above the \
                 limit of {} elements",
                self.max_table_elements
            );
            return Err(self.exceed(message, Limit::MaxTableElements, self.max_table_elements, desired));
        }
        Ok(true)
    }

    // Backstops: a core module's memories and tables are checked against MAX_MEMORIES and
    // MAX_TABLES at load, a component's against the component bounds.
    fn instances(&self) -> usize {
        MAX_INSTANCES
    }

    fn memories(&self) -> usize {
        MAX_COMPONENT_MEMORIES
    }

    fn tables(&self) -> usize {
        MAX_COMPONENT_TABLES
    }
}

/// Refuses a policy (`what`: "policy" or "component") with more memories or tables than a
/// store allows: at instantiation that would be a bare trap; said at load, it is the
/// documented `memory_limit`.
pub(crate) fn check_counts(
    resources: &wasmtime::ResourcesRequired,
    what: &str,
    max_memories: usize,
    max_tables: usize,
) -> Result<(), Fault> {
    for (kind, count, max) in
        [("memories", resources.num_memories, max_memories), ("tables", resources.num_tables, max_tables)]
    {
        if count as usize > max {
            let message = format!("{what} defines {count} {kind}; a {what} may have at most {max}");
            return Err(Fault::new(FaultKind::MemoryLimit, message));
        }
    }
    Ok(())
}

/// Checks a policy's shape against the compile limits before it is compiled: its size, its
/// number of functions, the nesting of blocks in each function, and the initial size of its
/// tables ([`Config::max_table_elements`]). A module whose shape cannot be read is left for
/// the compiler to reject with its own message.
pub(crate) fn check_shape(binary: &[u8], config: &Config) -> Result<(), (LimitHit, String)> {
    use wasmparser::{Operator, Parser, Payload};
    let over = |limit, configured: u64, observed: u64, what: String| {
        Err((LimitHit { limit, configured, observed: Some(observed) }, what))
    };
    let mut functions = 0u64;
    for payload in Parser::new(0).parse_all(binary) {
        let Ok(payload) = payload else { return Ok(()) };
        if let Payload::TableSection(tables) = &payload {
            // A table is made at its initial size in a slot of that many elements, so a
            // larger one is refused here rather than by the pooling allocator.
            for (index, table) in tables.clone().into_iter().enumerate() {
                let Ok(table) = table else { return Ok(()) };
                let max = config.max_table_elements as u64;
                if table.ty.initial > max {
                    let what = format!("starts table {index} with {} elements", table.ty.initial);
                    return over(Limit::MaxTableElements, max, table.ty.initial, what);
                }
            }
        }
        let Payload::CodeSectionEntry(body) = payload else { continue };
        functions += 1;
        if functions > u64::from(config.max_functions) {
            let what = format!("defines more than {} functions", config.max_functions);
            return over(Limit::MaxFunctions, config.max_functions.into(), functions, what);
        }
        let Ok(mut operators) = body.get_operators_reader() else { return Ok(()) };
        let mut depth = 0u64;
        while !operators.eof() {
            let Ok(operator) = operators.read() else { return Ok(()) };
            match operator {
                Operator::Block { .. }
                | Operator::Loop { .. }
                | Operator::If { .. }
                | Operator::Try { .. }
                | Operator::TryTable { .. } => {
                    depth += 1;
                    if depth > u64::from(config.max_nesting) {
                        let what =
                            format!("nests blocks deeper than {} in function {}", config.max_nesting, functions - 1);
                        return over(Limit::MaxNesting, config.max_nesting.into(), depth, what);
                    }
                }
                Operator::End => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module(functions: usize, nesting: usize) -> Vec<u8> {
        let body = "(block ".repeat(nesting) + &")".repeat(nesting);
        let funcs: String = (0..functions).map(|_| format!("(func {body})")).collect();
        wat::parse_str(format!("(module {funcs})")).unwrap()
    }

    #[test]
    fn shapes_past_the_compile_limits_are_refused() {
        let config = Config::default().with_max_functions(10).with_max_nesting(20);
        assert!(check_shape(&module(10, 20), &config).is_ok());
        let (hit, what) = check_shape(&module(11, 1), &config).unwrap_err();
        assert_eq!((hit.limit, hit.configured, hit.observed), (Limit::MaxFunctions, 10, Some(11)));
        assert_eq!(what, "defines more than 10 functions");
        let (hit, what) = check_shape(&module(2, 21), &config).unwrap_err();
        assert_eq!((hit.limit, hit.configured), (Limit::MaxNesting, 20));
        assert_eq!(what, "nests blocks deeper than 20 in function 0");
        let tables = wat::parse_str("(module (table 5 funcref) (table 11 funcref))").unwrap();
        let (hit, what) = check_shape(&tables, &Config::default().with_max_table_elements(10)).unwrap_err();
        assert_eq!((hit.limit, hit.configured, hit.observed), (Limit::MaxTableElements, 10, Some(11)));
        assert_eq!(what, "starts table 1 with 11 elements");
    }

    #[test]
    fn growth_within_the_limit_is_allowed_and_tracked() {
        let mut limiter = Limiter::new(&Config::default().with_max_memory(1 << 20));
        assert!(limiter.memory_growing(0, 65536, None).unwrap());
        assert!(limiter.memory_growing(65536, 1 << 20, None).unwrap());
        assert_eq!(limiter.peak_memory, 1 << 20);
        assert!(limiter.exceeded.is_none());
    }

    #[test]
    fn memories_of_a_component_count_together() {
        let mut limiter = Limiter::new(&Config::default().with_max_memory(3 << 20));
        assert!(limiter.memory_growing(0, 2 << 20, None).unwrap());
        assert!(limiter.memory_growing(0, 1 << 20, None).unwrap());
        let err = limiter.memory_growing(1 << 20, (1 << 20) + 65536, None).unwrap_err();
        let LimitExceeded(fault) = err.downcast_ref::<LimitExceeded>().unwrap();
        let hit = fault.limit.unwrap();
        assert_eq!((hit.limit, hit.observed), (Limit::MaxMemory, Some((3 << 20) + 65536)));
        assert!(
            fault.message.contains(&format!("({} with its other memories)", (3 << 20) + 65536)),
            "{}",
            fault.message
        );
        assert_eq!(limiter.peak_memory, 3 << 20);
    }

    #[test]
    fn growth_past_the_limit_fails_and_is_remembered() {
        let mut limiter = Limiter::new(&Config::default().with_max_memory(1 << 20));
        let err = limiter.memory_growing(1 << 20, 2 << 20, None).unwrap_err();
        let LimitExceeded(fault) = err.downcast_ref::<LimitExceeded>().unwrap();
        assert_eq!(fault.kind, FaultKind::MemoryLimit);
        let hit = fault.limit.unwrap();
        assert_eq!((hit.limit, hit.configured, hit.observed), (Limit::MaxMemory, 1 << 20, Some(2 << 20)));
        assert!(!fault.message.contains("--"), "the engine names no front end's flags: {}", fault.message);
        assert!(limiter.exceeded.is_some());
    }
}
