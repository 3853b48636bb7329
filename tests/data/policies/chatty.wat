;; Logs 150 messages, more than the default 100 allowed, then allows.
(module
  (import "relgate" "log" (func $log (param i32 i32 i32)))
  (memory (export "memory") 1)
  (func (export "relgate_abi_version") (result i32) (i32.const 1))
  (func (export "relgate_alloc") (param i32) (result i32) (i32.const 8192))
  (data (i32.const 256) "hello from chatty")
  (data (i32.const 1024) "{\"decision\":\"allow\"}")
  (func (export "relgate_evaluate") (param i32 i32) (result i64)
    (local $i i32)
    (loop $again
      (call $log (i32.const 1) (i32.const 256) (i32.const 17))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $again (i32.lt_u (local.get $i) (i32.const 150))))
    (i64.const 4398046511124)))
