;; Hostile: relgate_evaluate never returns; its loop calls a function on every turn.
(module
  (memory (export "memory") 1)
  (func (export "relgate_abi_version") (result i32) (i32.const 1))
  (func (export "relgate_alloc") (param i32) (result i32) (i32.const 8192))
  (func $turn (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
  (func (export "relgate_evaluate") (param i32 i32) (result i64)
    (local $turns i32)
    (loop $forever
      (local.set $turns (call $turn (local.get $turns)))
      (br $forever))
    (i64.const 0)))
