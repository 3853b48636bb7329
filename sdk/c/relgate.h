/*
 * relgate.h: write relgate policies in C (policy ABI v1, docs/abi.md).
 *
 * A single header with no libc. In exactly one file, define RELGATE_IMPLEMENTATION before
 * including it; that file then exports relgate_abi_version and relgate_alloc (a bump
 * allocator: every evaluation runs in a fresh instance, so nothing is ever freed). The
 * policy defines relgate_evaluate itself, usually with RELGATE_EXPORT:
 *
 *     #define RELGATE_IMPLEMENTATION
 *     #include "relgate.h"
 *
 *     RELGATE_EXPORT("relgate_evaluate")
 *     int64_t evaluate(const char *input, int32_t len) {
 *         relgate_out out = relgate_out_begin();
 *         relgate_out_str(&out, "{\"decision\":\"allow\"}");
 *         return relgate_out_end(&out);
 *     }
 *
 * Build: clang --target=wasm32 -nostdlib -O2 -Wl,--no-entry -o policy.wasm policy.c
 * (scripts/build-policies does it for policies/c/).
 *
 * The input is the host's canonical compact JSON (docs/input.md), so simple scanning finds
 * a field: relgate_find_u64(input, len, "tests", "failed", &n).
 */
#ifndef RELGATE_H
#define RELGATE_H

#include <stddef.h>
#include <stdint.h>

#define RELGATE_ABI_VERSION 1
#define RELGATE_EXPORT(name) __attribute__((export_name(name)))

enum relgate_level { RELGATE_ERROR = 0, RELGATE_WARN = 1, RELGATE_INFO = 2, RELGATE_DEBUG = 3, RELGATE_TRACE = 4 };

/* The host's log (relgate::log). */
__attribute__((import_module("relgate"), import_name("log")))
void relgate_host_log(int32_t level, const char *message, int32_t len);

/* Memory from the bump allocator; never freed. Returns 0 when memory cannot grow. */
void *relgate_malloc(size_t size);

/* Logs a NUL-terminated message. */
void relgate_log(enum relgate_level level, const char *message);

/*
 * Finds the unsigned integer `"key":<digits>` inside the object `"section":{...}` of the
 * input. Returns 1 and sets *out when found, 0 when the section or key is absent.
 */
int relgate_find_u64(const char *input, size_t len, const char *section, const char *key, uint64_t *out);

/* Whether the input has an object `"section":{...}`. */
int relgate_has_section(const char *input, size_t len, const char *section);

/* An output document being written; grows as needed. */
typedef struct {
    char *data;
    size_t len;
    size_t cap;
} relgate_out;

relgate_out relgate_out_begin(void);
void relgate_out_str(relgate_out *out, const char *text);          /* raw text */
void relgate_out_json_string(relgate_out *out, const char *text);  /* a quoted, escaped JSON string */
void relgate_out_u64(relgate_out *out, uint64_t value);            /* a decimal number */
int64_t relgate_out_end(relgate_out *out);                         /* the packed (ptr << 32) | len */

#ifdef RELGATE_IMPLEMENTATION

extern unsigned char __heap_base;
static size_t relgate_heap_next;

void *relgate_malloc(size_t size) {
    if (relgate_heap_next == 0) relgate_heap_next = (size_t)&__heap_base;
    size_t start = (relgate_heap_next + 7) & ~(size_t)7;
    size_t end = start + size;
    size_t have = __builtin_wasm_memory_size(0) * 65536;
    if (end > have && __builtin_wasm_memory_grow(0, (end - have + 65535) / 65536) == (size_t)-1) return 0;
    relgate_heap_next = end;
    return (void *)start;
}

RELGATE_EXPORT("relgate_abi_version") int32_t relgate_abi_version(void) { return RELGATE_ABI_VERSION; }

RELGATE_EXPORT("relgate_alloc") int32_t relgate_alloc(int32_t len) { return (int32_t)(size_t)relgate_malloc((size_t)len); }

static size_t relgate_strlen(const char *s) {
    size_t n = 0;
    while (s[n]) n++;
    return n;
}

void relgate_log(enum relgate_level level, const char *message) {
    relgate_host_log(level, message, (int32_t)relgate_strlen(message));
}

/* The index just past `"name":` at or after `from`, or -1. */
static long relgate_find_key(const char *input, size_t len, size_t from, const char *name) {
    size_t n = relgate_strlen(name);
    for (size_t i = from; i + n + 3 <= len; i++) {
        if (input[i] != '"' || input[i + n + 1] != '"' || input[i + n + 2] != ':') continue;
        size_t j = 0;
        while (j < n && input[i + 1 + j] == name[j]) j++;
        if (j == n) return (long)(i + n + 3);
    }
    return -1;
}

/* The index of the `{` of the first `"section":{`, or -1. */
static long relgate_find_object(const char *input, size_t len, const char *section) {
    for (long at = relgate_find_key(input, len, 0, section); at >= 0; at = relgate_find_key(input, len, (size_t)at, section)) {
        if ((size_t)at < len && input[at] == '{') return at;
    }
    return -1;
}

int relgate_has_section(const char *input, size_t len, const char *section) {
    return relgate_find_object(input, len, section) >= 0;
}

int relgate_find_u64(const char *input, size_t len, const char *section, const char *key, uint64_t *out) {
    long at = relgate_find_object(input, len, section);
    if (at < 0) return 0;
    /* Keys of a section's own scalars come before its nested arrays in canonical order. */
    at = relgate_find_key(input, len, (size_t)at, key);
    if (at < 0 || (size_t)at >= len || input[at] < '0' || input[at] > '9') return 0;
    uint64_t value = 0;
    while ((size_t)at < len && input[at] >= '0' && input[at] <= '9') value = value * 10 + (uint64_t)(input[at++] - '0');
    *out = value;
    return 1;
}

relgate_out relgate_out_begin(void) {
    relgate_out out = {0, 0, 0};
    return out;
}

static void relgate_out_byte(relgate_out *out, char c) {
    if (out->len == out->cap) {
        size_t cap = out->cap ? out->cap * 2 : 256;
        char *data = relgate_malloc(cap);
        if (!data) __builtin_trap();
        for (size_t i = 0; i < out->len; i++) data[i] = out->data[i];
        out->data = data;
        out->cap = cap;
    }
    out->data[out->len++] = c;
}

void relgate_out_str(relgate_out *out, const char *text) {
    while (*text) relgate_out_byte(out, *text++);
}

void relgate_out_json_string(relgate_out *out, const char *text) {
    static const char hex[] = "0123456789abcdef";
    relgate_out_byte(out, '"');
    for (; *text; text++) {
        unsigned char c = (unsigned char)*text;
        if (c == '"' || c == '\\') {
            relgate_out_byte(out, '\\');
            relgate_out_byte(out, (char)c);
        } else if (c < 0x20) {
            relgate_out_str(out, "\\u00");
            relgate_out_byte(out, hex[c >> 4]);
            relgate_out_byte(out, hex[c & 15]);
        } else {
            relgate_out_byte(out, (char)c);
        }
    }
    relgate_out_byte(out, '"');
}

void relgate_out_u64(relgate_out *out, uint64_t value) {
    char digits[20];
    int n = 0;
    do {
        digits[n++] = (char)('0' + value % 10);
        value /= 10;
    } while (value);
    while (n) relgate_out_byte(out, digits[--n]);
}

int64_t relgate_out_end(relgate_out *out) {
    return (int64_t)(((uint64_t)(size_t)out->data << 32) | (uint64_t)out->len);
}

#endif /* RELGATE_IMPLEMENTATION */
#endif /* RELGATE_H */
