//! Instance slots. A store's instances, memories and tables live in slots of wasmtime's
//! pooling allocator, mapped once per engine. An evaluation takes a slot whose memory is
//! already mapped (and, for the same policy, already holds its initial image), and giving
//! the slot back resets it to that image. On Linux 6.7 and later only the pages the
//! evaluation dirtied are rewritten (`PAGEMAP_SCAN`); on older kernels the first
//! `MEMORY_KEEP_RESIDENT` bytes are, every time. Mapping fresh memory for every instance,
//! faulting it in and unmapping it again cost about half of a small evaluation, most of it
//! in the kernel (README, "Performance").
//!
//! The pool has room for [`Config::instances`] stores. [`Slots`] counts them, so a store
//! beyond them waits for a slot rather than failing to instantiate.

use std::sync::{Arc, Condvar, Mutex, PoisonError};

use crate::Config;
use crate::limits::{MAX_COMPONENT_MEMORIES, MAX_COMPONENT_TABLES, MAX_INSTANCES};

/// Bytes of a memory slot reset by rewriting the pages an evaluation dirtied (found with
/// Linux's `PAGEMAP_SCAN`) and kept resident; dirty pages beyond it are given back to the
/// kernel, and fault in again next time. The default gate dirties under 64 KiB on the
/// passing example, and its memory grows to 4 MiB on 10,000 test failures.
const MEMORY_KEEP_RESIDENT: usize = 8 << 20;
/// The same for a table slot.
const TABLE_KEEP_RESIDENT: usize = 64 << 10;
/// The most state (wasmtime's `VMContext`) one instance, or all of a component's, may have.
const INSTANCE_STATE: usize = 256 << 20;
/// The largest memory a slot holds: all of 32-bit wasm's. Slots cost address space, not
/// memory, and the resource limiter enforces [`Config::max_memory`] with its own fault.
const SLOT_MEMORY: usize = 1 << 32;

/// The pooling allocator's settings for `config`: room for [`Config::instances`] stores,
/// each holding one core module, or one component of up to [`MAX_INSTANCES`] core
/// instances, [`MAX_COMPONENT_MEMORIES`] memories and [`MAX_COMPONENT_TABLES`] tables (the
/// bounds checked at load, which then refuses more with its own `memory_limit` fault).
pub(crate) fn pooling(config: &Config) -> wasmtime::PoolingAllocationConfig {
    let stores = u32::try_from(config.instances).unwrap_or(u32::MAX);
    let per_store = |n: usize| stores.saturating_mul(n as u32);
    let mut pool = wasmtime::PoolingAllocationConfig::new();
    pool.total_component_instances(stores)
        .total_core_instances(per_store(MAX_INSTANCES))
        .total_memories(per_store(MAX_COMPONENT_MEMORIES))
        .total_tables(per_store(MAX_COMPONENT_TABLES))
        .max_memories_per_module(MAX_COMPONENT_MEMORIES as u32)
        .max_tables_per_module(MAX_COMPONENT_TABLES as u32)
        // Checked, not reserved: instances' own state is allocated as they need it, and
        // the defaults (1 MiB) refuse a module of some 33,000 exported functions.
        .max_core_instance_size(INSTANCE_STATE)
        .max_component_instance_size(INSTANCE_STATE)
        .max_memory_size(SLOT_MEMORY)
        .table_elements(config.max_table_elements)
        .linear_memory_keep_resident(MEMORY_KEEP_RESIDENT)
        .table_keep_resident(TABLE_KEEP_RESIDENT)
        .pagemap_scan(wasmtime::Enabled::Auto);
    pool
}

/// The count of free slots.
pub(crate) struct Slots {
    free: Mutex<usize>,
    freed: Condvar,
}

/// A taken slot, given back when dropped.
pub(crate) struct Slot(Arc<Slots>);

impl Slots {
    pub(crate) fn new(count: usize) -> Arc<Slots> {
        Arc::new(Slots { free: Mutex::new(count), freed: Condvar::new() })
    }

    /// Takes a slot, waiting for one while all are taken.
    pub(crate) fn take(self: &Arc<Self>) -> Slot {
        let mut free = self.free.lock().unwrap_or_else(PoisonError::into_inner);
        while *free == 0 {
            free = self.freed.wait(free).unwrap_or_else(PoisonError::into_inner);
        }
        *free -= 1;
        Slot(self.clone())
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        *self.0.free.lock().unwrap_or_else(PoisonError::into_inner) += 1;
        self.0.freed.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;
    use std::thread;
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_store_beyond_the_slots_waits_for_one() {
        let slots = Slots::new(1);
        let first = slots.take();
        let (sent, received) = mpsc::channel();
        let waiter = {
            let slots = slots.clone();
            thread::spawn(move || {
                let _second = slots.take();
                sent.send(()).unwrap();
            })
        };
        assert!(received.recv_timeout(Duration::from_millis(100)).is_err(), "took a slot that was not free");
        drop(first);
        received.recv_timeout(Duration::from_secs(10)).expect("the freed slot was not taken");
        waiter.join().unwrap();
        assert_eq!(*slots.free.lock().unwrap(), 1);
    }
}
