/*
 * A library scripts/build-policies preloads (LD_PRELOAD) into Wizer, the pre-initializer that
 * ComponentizeJS runs, so that a JavaScript policy's component is the same bytes on every
 * build. Wizer runs SpiderMonkey's start-up under WASI and snapshots its memory; the clock
 * and the random bytes WASI gives it come from the host's clock_gettime and getrandom, and
 * they shape the snapshot (hash seeds, GC timing). Here every clock reads one fixed instant
 * and every random buffer gets the same bytes, whichever thread asks and in whatever order.
 *
 * What this cannot fix: Wizer's WASI reads files' metadata with system calls of its own
 * (rustix), not through the C library, and the change time and (device, inode) hash of a
 * source file linger in the snapshot. scripts/build-policies says how it deals with that.
 *
 * This changes the build, never a policy's run: relgate gives policies no clock and no
 * randomness, and ComponentizeJS replaces both in the built component with constants.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <time.h>

/* Far ahead of any real CLOCK_MONOTONIC reading, so that a wait given a deadline from this
 * clock waits to be woken rather than timing out at once. */
static const time_t FIXED_SECONDS = 1700000000;

int clock_gettime(clockid_t clock, struct timespec *ts) {
    (void)clock;
    ts->tv_sec = FIXED_SECONDS;
    ts->tv_nsec = 0;
    return 0;
}

static void fill(void *buf, size_t len) {
    unsigned char *bytes = buf;
    for (size_t i = 0; i < len; i++) bytes[i] = (unsigned char)(i * 167 + 13);
}

ssize_t getrandom(void *buf, size_t len, unsigned int flags) {
    (void)flags;
    fill(buf, len);
    return (ssize_t)len;
}

int getentropy(void *buf, size_t len) {
    fill(buf, len);
    return 0;
}

/* Rust's standard library calls the getrandom system call through syscall(2); every other
 * system call passes through unchanged. */
long syscall(long number, ...) {
    va_list ap;
    va_start(ap, number);
    long a[6];
    for (int i = 0; i < 6; i++) a[i] = va_arg(ap, long);
    va_end(ap);
    if (number == SYS_getrandom) {
        fill((void *)a[0], (size_t)a[1]);
        return a[1];
    }
    static long (*next)(long, ...);
    if (!next) next = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
    return next(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}
