// relgate.ts: a thin SDK for relgate policies in AssemblyScript (policy ABI v1,
// docs/abi.md). Build with `--runtime stub` (a bump allocator: every evaluation runs in a
// fresh instance, so nothing needs freeing) and `--use abort=...` pointing at a function
// that calls `policyAbort` here, so the module imports nothing but relgate::log.

@external("relgate", "log")
declare function hostLog(level: i32, ptr: usize, len: i32): void;

export const ERROR: i32 = 0;
export const WARN: i32 = 1;
export const INFO: i32 = 2;
export const DEBUG: i32 = 3;

/** Logs through the host (relgate::log). */
export function log(level: i32, message: string): void {
  const utf8 = String.UTF8.encode(message);
  hostLog(level, changetype<usize>(utf8), utf8.byteLength);
}

/** A buffer of `len` bytes for the host to write the input into. */
export function alloc(len: i32): i32 {
  return <i32>heap.alloc(<usize>len);
}

/** The input the host wrote at ptr..ptr+len, as a string. */
export function readInput(ptr: i32, len: i32): string {
  return String.UTF8.decodeUnsafe(<usize>ptr, <usize>len);
}

/** Encodes a JSON document as UTF-8 and returns its packed location, (ptr << 32) | len. */
export function output(json: string): i64 {
  const utf8 = String.UTF8.encode(json);
  return (<i64>changetype<usize>(utf8) << 32) | <i64>utf8.byteLength;
}

/** A JSON string literal for `text`, quoted and escaped. */
export function jsonString(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c == 0x22) out += '\\"';
    else if (c == 0x5c) out += "\\\\";
    else if (c < 0x20) out += "\\u00" + (c < 0x10 ? "0" : "") + c.toString(16);
    else out += String.fromCharCode(c);
  }
  return out + '"';
}

/**
 * The index of the `{` of `"section":{` in the host's canonical compact JSON input, or -1.
 */
export function findObject(input: string, section: string): i32 {
  const key = '"' + section + '":{';
  const at = input.indexOf(key);
  return at < 0 ? -1 : at + key.length - 1;
}

/**
 * The unsigned integer `"key":<digits>` inside the object `"section":{...}`, or -1 when
 * absent. A section's own scalar fields come before its nested arrays in canonical order.
 */
export function findCount(input: string, section: string, key: string): i64 {
  const start = findObject(input, section);
  if (start < 0) return -1;
  const needle = '"' + key + '":';
  let at = input.indexOf(needle, start);
  if (at < 0) return -1;
  at += needle.length;
  let value: i64 = 0;
  let digits = 0;
  while (at < input.length) {
    const c = input.charCodeAt(at);
    if (c < 0x30 || c > 0x39) break;
    value = value * 10 + <i64>(c - 0x30);
    at++;
    digits++;
  }
  return digits > 0 ? value : -1;
}

/** Logs an assertion failure, then traps; wire it in with --use abort=. */
export function policyAbort(message: string | null, file: string | null, line: u32, column: u32): void {
  const what = message !== null ? message : "";
  const where = file !== null ? file : "?";
  log(ERROR, "abort: " + what + " at " + where + ":" + line.toString() + ":" + column.toString());
  unreachable();
}
