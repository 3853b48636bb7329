//! The wasmtime settings every engine runs with. The build script (`build.rs`) compiles this
//! file too, and precompiles the built-in policies with exactly these settings; code compiled
//! under any other settings is refused by wasmtime when it is loaded.

use std::num::NonZeroUsize;

/// Frames kept in a fault's backtrace; a stack overflow would otherwise list thousands.
const MAX_BACKTRACE_FRAMES: usize = 32;

/// [`crate::Config::max_stack`]'s default, in bytes.
pub(crate) const DEFAULT_MAX_STACK: usize = 512 << 10;

/// The settings of an engine whose policies get `max_stack` bytes of wasm stack.
pub(crate) fn wasmtime_config(max_stack: usize) -> wasmtime::Config {
    let mut config = wasmtime::Config::new();
    // Fuel is the deterministic budget and epochs enforce the deadlines; neither can stand in
    // for the other. They cost a small evaluation of the default gate about 16 % and 6 % of
    // its time (README, "What the sandbox's limits cost").
    config
        .consume_fuel(true)
        .epoch_interruption(true)
        .max_wasm_stack(max_stack)
        .wasm_backtrace_max_frames(NonZeroUsize::new(MAX_BACKTRACE_FRAMES))
        // The same policy gives the same answer on every machine.
        .cranelift_nan_canonicalization(true)
        .relaxed_simd_deterministic(true);
    config
}
