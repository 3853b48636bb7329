;; tests-gate: a release policy hand-written in WebAssembly text, implementing relgate's
;; policy ABI v1 (docs/abi.md) with no toolchain at all.
;;
;; It denies a release whose tests failed or errored, or whose input has no test results,
;; and allows it otherwise. Rather than parse JSON in full, it scans the input for the
;; `"tests":{` section and then for the `"failed":` and `"errors":` counts in it; that is
;; sound because the host hands policies its input in canonical compact JSON, with the
;; fields of `tests` in the documented order (docs/input.md).
;;
;; Memory layout (page 0 is static data and scratch; inputs are allocated from page 1 on):
;;     0  needles            64  metadata        512  allow output
;;  1024  deny prefix      1536  deny suffix    1792  no-data output     2304  log message
;;  4064  digit scratch    8192  output buffer 65536  heap (relgate_alloc)
(module
  (import "relgate" "log" (func $log (param $level i32) (param $ptr i32) (param $len i32)))
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 65536))

  (data (i32.const 0) "\"tests\":{")
  (data (i32.const 16) "\"failed\":")
  (data (i32.const 32) "\"errors\":")
  (data (i32.const 64) "{\"name\":\"tests-gate\",\"version\":\"1.0.0\",\"description\":\"Denies a release whose tests failed or errored, or that has no test results.\",\"language\":\"wat\"}")
  (data (i32.const 512) "{\"decision\":\"allow\",\"score\":100,\"reasons\":[{\"check\":\"tests.failed\",\"outcome\":\"pass\",\"message\":\"no test failed or errored\",\"observed\":0,\"threshold\":0}]}")
  (data (i32.const 1024) "{\"decision\":\"deny\",\"score\":0,\"reasons\":[{\"check\":\"tests.failed\",\"outcome\":\"fail\",\"message\":\"tests failed or errored\",\"observed\":")
  (data (i32.const 1536) ",\"threshold\":0}]}")
  (data (i32.const 1792) "{\"decision\":\"deny\",\"score\":0,\"reasons\":[{\"check\":\"tests.present\",\"outcome\":\"fail\",\"message\":\"the input has no test results, and a release is not allowed without them\"}]}")
  (data (i32.const 2304) "denying: tests failed or errored")

  (func (export "relgate_abi_version") (result i32) (i32.const 1))

  (func (export "relgate_metadata") (result i64) (i64.const 274877907093))

  ;; A bump allocator; memory grows as inputs need it. Each evaluation gets a fresh
  ;; instance, so nothing is ever freed.
  (func $alloc (export "relgate_alloc") (param $len i32) (result i32)
    (local $ptr i32) (local $end i32)
    (local.set $ptr (global.get $heap))
    (local.set $end (i32.add (local.get $ptr) (local.get $len)))
    (if (i32.gt_u (local.get $end) (i32.mul (memory.size) (i32.const 65536)))
      (then (drop (memory.grow
        (i32.sub (i32.shr_u (i32.add (local.get $end) (i32.const 65535)) (i32.const 16)) (memory.size))))))
    (global.set $heap (local.get $end))
    (local.get $ptr))

  ;; The address just past the first occurrence of the needle in [at, end), or -1.
  (func $find (param $at i32) (param $end i32) (param $needle i32) (param $len i32) (result i32)
    (local $j i32)
    (block $absent
      (loop $scan
        (br_if $absent (i32.gt_u (i32.add (local.get $at) (local.get $len)) (local.get $end)))
        (local.set $j (i32.const 0))
        (block $mismatch
          (loop $compare
            (br_if $mismatch (i32.ne (i32.load8_u (i32.add (local.get $at) (local.get $j)))
                                     (i32.load8_u (i32.add (local.get $needle) (local.get $j)))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br_if $compare (i32.lt_u (local.get $j) (local.get $len))))
          (return (i32.add (local.get $at) (local.get $len))))
        (local.set $at (i32.add (local.get $at) (i32.const 1)))
        (br $scan)))
    (i32.const -1))

  ;; The unsigned decimal number at [at, end).
  (func $number (param $at i32) (param $end i32) (result i64)
    (local $n i64) (local $digit i32)
    (block $done
      (loop $digits
        (br_if $done (i32.ge_u (local.get $at) (local.get $end)))
        (local.set $digit (i32.sub (i32.load8_u (local.get $at)) (i32.const 48)))
        (br_if $done (i32.gt_u (local.get $digit) (i32.const 9)))
        (local.set $n (i64.add (i64.mul (local.get $n) (i64.const 10)) (i64.extend_i32_u (local.get $digit))))
        (local.set $at (i32.add (local.get $at) (i32.const 1)))
        (br $digits)))
    (local.get $n))

  ;; The count after the 9-byte key at $key, searching from $at; 0 when it is absent.
  (func $count (param $at i32) (param $end i32) (param $key i32) (result i64)
    (local.set $at (call $find (local.get $at) (local.get $end) (local.get $key) (i32.const 9)))
    (if (result i64) (i32.eq (local.get $at) (i32.const -1))
      (then (i64.const 0))
      (else (call $number (local.get $at) (local.get $end)))))

  ;; Writes $n in decimal at $dst; returns the address after the last digit.
  (func $write_number (param $dst i32) (param $n i64) (result i32)
    (local $digits i32) (local $len i32)
    (local.set $digits (i32.const 4096))
    (loop $next
      (local.set $digits (i32.sub (local.get $digits) (i32.const 1)))
      (i32.store8 (local.get $digits)
        (i32.add (i32.const 48) (i32.wrap_i64 (i64.rem_u (local.get $n) (i64.const 10)))))
      (local.set $n (i64.div_u (local.get $n) (i64.const 10)))
      (br_if $next (i64.ne (local.get $n) (i64.const 0))))
    (local.set $len (i32.sub (i32.const 4096) (local.get $digits)))
    (memory.copy (local.get $dst) (local.get $digits) (local.get $len))
    (i32.add (local.get $dst) (local.get $len)))

  (func (export "relgate_evaluate") (param $input i32) (param $len i32) (result i64)
    (local $end i32) (local $tests i32) (local $bad i64) (local $out i32)
    (local.set $end (i32.add (local.get $input) (local.get $len)))
    (local.set $tests (call $find (local.get $input) (local.get $end) (i32.const 0) (i32.const 9)))
    (if (i32.eq (local.get $tests) (i32.const -1))
      (then (return (i64.const 7696581394601))))
    (local.set $bad (i64.add
      (call $count (local.get $tests) (local.get $end) (i32.const 16))
      (call $count (local.get $tests) (local.get $end) (i32.const 32))))
    (if (i64.eqz (local.get $bad))
      (then (return (i64.const 2199023255703))))
    (call $log (i32.const 2) (i32.const 2304) (i32.const 32))
    ;; {"decision":"deny",...,"observed":<failed + errors>,"threshold":0}]}
    (memory.copy (i32.const 8192) (i32.const 1024) (i32.const 128))
    (local.set $out (call $write_number (i32.const 8320) (local.get $bad)))
    (memory.copy (local.get $out) (i32.const 1536) (i32.const 17))
    (local.set $out (i32.add (local.get $out) (i32.const 17)))
    (i64.or (i64.const 35184372088832) (i64.extend_i32_u (i32.sub (local.get $out) (i32.const 8192))))))
