//! The guest side of ABI v1 for policies built for `wasm32`: a bump allocator, a panic
//! handler that logs before trapping, the `relgate::log` import, and the glue that
//! [`export_policy!`](crate::export_policy) expands to. This is the only `unsafe` code a
//! Rust policy links; authors write none.

use alloc::string::String;
use alloc::vec::Vec;
use core::alloc::{GlobalAlloc, Layout};
use core::cell::Cell;

use crate::{Input, Level, Verdict};

const PAGE: usize = 65536;

/// A bump allocator. Every evaluation runs in a fresh instance, so memory is never reused
/// and freeing is pointless; growing the most recent allocation happens in place.
#[cfg_attr(not(feature = "runtime"), allow(dead_code))]
struct Bump {
    next: Cell<usize>,
    last: Cell<usize>,
}

// SAFETY: wasm32 guests are single-threaded (relgate gives policies no threads).
unsafe impl Sync for Bump {}

unsafe extern "C" {
    static __heap_base: u8;
}

impl Bump {
    fn start(&self) -> usize {
        if self.next.get() == 0 {
            // Only the address of the linker-provided symbol is taken, never its value.
            self.next.set(core::ptr::addr_of!(__heap_base) as usize);
        }
        self.next.get()
    }

    /// Makes `[.., end)` addressable, growing memory if needed.
    fn reserve(end: usize) -> bool {
        let have = core::arch::wasm32::memory_size(0) * PAGE;
        if end <= have {
            return true;
        }
        let pages = (end - have).div_ceil(PAGE);
        core::arch::wasm32::memory_grow(0, pages) != usize::MAX
    }
}

unsafe impl GlobalAlloc for Bump {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let start = self.start().next_multiple_of(layout.align());
        let Some(end) = start.checked_add(layout.size()) else {
            return core::ptr::null_mut();
        };
        if !Self::reserve(end) {
            return core::ptr::null_mut();
        }
        self.last.set(start);
        self.next.set(end);
        start as *mut u8
    }

    unsafe fn dealloc(&self, _ptr: *mut u8, _layout: Layout) {}

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let start = ptr as usize;
        if start == self.last.get() {
            let Some(end) = start.checked_add(new_size) else {
                return core::ptr::null_mut();
            };
            if !Self::reserve(end) {
                return core::ptr::null_mut();
            }
            self.next.set(end.max(self.next.get()));
            return ptr;
        }
        // SAFETY: the caller upholds `realloc`'s contract; `alloc` returns fresh memory.
        unsafe {
            let new = self.alloc(Layout::from_size_align_unchecked(new_size, layout.align()));
            if !new.is_null() {
                core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
            }
            new
        }
    }
}

#[cfg(feature = "runtime")]
#[global_allocator]
static ALLOCATOR: Bump = Bump { next: Cell::new(0), last: Cell::new(0) };

#[cfg(feature = "runtime")]
#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    log(Level::Error, &alloc::format!("policy panicked: {info}"));
    core::arch::wasm32::unreachable()
}

#[link(wasm_import_module = "relgate")]
unsafe extern "C" {
    #[link_name = "log"]
    fn host_log(level: i32, ptr: *const u8, len: usize);
}

/// Sends a message to the host's log.
pub(crate) fn log(level: Level, message: &str) {
    // SAFETY: the pointer and length describe a live string; the host only reads them.
    unsafe { host_log(level as i32, message.as_ptr(), message.len()) }
}

fn pack(bytes: Vec<u8>) -> i64 {
    let bytes = bytes.leak();
    (((bytes.as_ptr() as usize as u64) << 32) | bytes.len() as u64) as i64
}

/// `relgate_alloc`: a buffer the host fills with the input.
#[doc(hidden)]
pub fn alloc(len: i32) -> i32 {
    Vec::<u8>::with_capacity(len as u32 as usize).leak().as_mut_ptr() as usize as i32
}

/// `relgate_evaluate`: parses the input, calls the policy, serializes its verdict. An input
/// that does not parse is logged and traps, so the host reports a fault that says why.
#[doc(hidden)]
pub fn evaluate(ptr: i32, len: i32, policy: fn(&Input) -> Verdict) -> i64 {
    // SAFETY: the host wrote `len` bytes at `ptr`, the buffer `alloc` handed out.
    let bytes = unsafe { core::slice::from_raw_parts(ptr as u32 as usize as *const u8, len as u32 as usize) };
    let input: Input = match serde_json::from_slice(bytes) {
        Ok(input) => input,
        Err(e) => {
            log(Level::Error, &alloc::format!("the input is not a release input this policy understands: {e}"));
            core::arch::wasm32::unreachable()
        }
    };
    let verdict = policy(&input);
    pack(serde_json::to_vec(&verdict).unwrap_or_else(|e| panic!("cannot serialize the verdict: {e}")))
}

/// `relgate_metadata`: `config` lists the top-level keys of the input's `config` the policy
/// reads (its sections); the host refuses a config key no policy of an evaluation reads.
#[doc(hidden)]
pub fn metadata(name: &str, version: &str, description: &str, config: &[&str]) -> i64 {
    let mut object = serde_json::Map::new();
    for (key, value) in [("name", name), ("version", version), ("description", description)] {
        object.insert(String::from(key), serde_json::Value::from(value));
    }
    if !config.is_empty() {
        object.insert(String::from("config"), config.iter().map(|s| serde_json::Value::from(*s)).collect());
    }
    object.insert(String::from("sdk"), serde_json::Value::from(alloc::format!("rust/{}", env!("CARGO_PKG_VERSION"))));
    pack(serde_json::to_vec(&object).unwrap_or_default())
}
