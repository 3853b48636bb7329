//! relgate.zig: a thin SDK for relgate policies in Zig (policy ABI v1, docs/abi.md).
//!
//! Importing it exports `relgate_abi_version` and `relgate_alloc`; the policy exports
//! `relgate_evaluate` (and optionally `relgate_metadata`) and builds its output with
//! `Output`. Build for wasm32-freestanding with -fno-entry -rdynamic, the SDK as module
//! `relgate` (scripts/build-policies does it for policies/zig/).

const std = @import("std");

/// Memory for the policy. Every evaluation runs in a fresh instance, so nothing needs
/// freeing, but this allocator frees properly anyway.
pub const allocator = std.heap.wasm_allocator;

pub const Level = enum(i32) { err = 0, warn = 1, info = 2, debug = 3, trace = 4 };

extern "relgate" fn log(level: i32, ptr: [*]const u8, len: usize) void;

/// Logs through the host (relgate::log).
pub fn logMessage(level: Level, message: []const u8) void {
    log(@intFromEnum(level), message.ptr, message.len);
}

export fn relgate_abi_version() i32 {
    return 1;
}

export fn relgate_alloc(len: i32) i32 {
    const buffer = allocator.alloc(u8, @intCast(len)) catch @trap();
    return @intCast(@intFromPtr(buffer.ptr));
}

/// The input the host wrote at ptr..ptr+len.
pub fn input(ptr: i32, len: i32) []const u8 {
    const start: [*]const u8 = @ptrFromInt(@as(usize, @intCast(ptr)));
    return start[0..@intCast(len)];
}

/// The packed location, (ptr << 32) | len, of an output document.
pub fn output(json: []const u8) i64 {
    const ptr: u64 = @intFromPtr(json.ptr);
    return @bitCast((ptr << 32) | @as(u64, json.len));
}

/// The index of the `{` of `"section":{` in the host's canonical compact JSON, if any.
pub fn findObject(json: []const u8, comptime section: []const u8) ?usize {
    const key = "\"" ++ section ++ "\":{";
    const at = std.mem.indexOf(u8, json, key) orelse return null;
    return at + key.len - 1;
}

/// The unsigned integer `"key":<digits>` inside the object `"section":{...}`, if any. A
/// section's own scalar fields come before its nested arrays in canonical order.
pub fn findCount(json: []const u8, comptime section: []const u8, comptime key: []const u8) ?u64 {
    const start = findObject(json, section) orelse return null;
    const needle = "\"" ++ key ++ "\":";
    var at = (std.mem.indexOfPos(u8, json, start, needle) orelse return null) + needle.len;
    const first = at;
    var value: u64 = 0;
    while (at < json.len and std.ascii.isDigit(json[at])) : (at += 1) {
        value = value * 10 + (json[at] - '0');
    }
    return if (at > first) value else null;
}
