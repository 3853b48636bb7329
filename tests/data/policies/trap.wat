;; Hostile: hits `unreachable` two calls deep, so the backtrace has frames.
(module
  (memory (export "memory") 1)
  (func (export "relgate_abi_version") (result i32) (i32.const 1))
  (func (export "relgate_alloc") (param i32) (result i32) (i32.const 8192))
  (func $check_invariants (unreachable))
  (func $judge (call $check_invariants))
  (func (export "relgate_evaluate") (param i32 i32) (result i64)
    (call $judge)
    (i64.const 0)))
