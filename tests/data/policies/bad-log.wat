;; Hostile: passes relgate::log a message outside its memory.
(module
  (import "relgate" "log" (func $log (param i32 i32 i32)))
  (memory (export "memory") 1)
  (func (export "relgate_abi_version") (result i32) (i32.const 1))
  (func (export "relgate_alloc") (param i32) (result i32) (i32.const 8192))
  (func (export "relgate_evaluate") (param i32 i32) (result i64)
    (call $log (i32.const 2) (i32.const 0x7fff0000) (i32.const 64))
    (i64.const 0)))
