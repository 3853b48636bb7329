;; Allows, and echoes the input it received as the `observed` value of its one reason. It
;; declares the config keys the CLI tests give it.
(module
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 4096))
  (data (i32.const 0) "{\"decision\":\"allow\",\"reasons\":[{\"check\":\"echo\",\"outcome\":\"info\",\"message\":\"the input as received\",\"observed\":")
  (data (i32.const 512) "}]}")
  (data (i32.const 1024) "{\"name\":\"echo\",\"config\":[\"threshold\",\"mode\",\"keep\"]}")
  (func (export "relgate_metadata") (result i64) (i64.const 4398046511156))
  (func (export "relgate_abi_version") (result i32) (i32.const 1))
  ;; A bump allocator that grows memory as needed.
  (func $alloc (export "relgate_alloc") (param $len i32) (result i32)
    (local $ptr i32) (local $end i32)
    (local.set $ptr (global.get $heap))
    (local.set $end (i32.add (local.get $ptr) (local.get $len)))
    (if (i32.gt_u (local.get $end) (i32.mul (memory.size) (i32.const 65536)))
      (then (drop (memory.grow
        (i32.sub (i32.shr_u (i32.add (local.get $end) (i32.const 65535)) (i32.const 16)) (memory.size))))))
    (global.set $heap (local.get $end))
    (local.get $ptr))
  ;; Output: prefix ++ input ++ suffix.
  (func (export "relgate_evaluate") (param $in i32) (param $len i32) (result i64)
    (local $out i32) (local $total i32)
    (local.set $total (i32.add (local.get $len) (i32.const 112)))
    (local.set $out (call $alloc (local.get $total)))
    (memory.copy (local.get $out) (i32.const 0) (i32.const 109))
    (memory.copy (i32.add (local.get $out) (i32.const 109)) (local.get $in) (local.get $len))
    (memory.copy (i32.add (local.get $out) (i32.add (i32.const 109) (local.get $len))) (i32.const 512) (i32.const 3))
    (i64.or (i64.shl (i64.extend_i32_u (local.get $out)) (i64.const 32)) (i64.extend_i32_u (local.get $total)))))
