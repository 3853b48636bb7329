;; Hostile: relgate_evaluate never returns.
(module
  (memory (export "memory") 1)
  (func (export "relgate_abi_version") (result i32) (i32.const 1))
  (func (export "relgate_alloc") (param i32) (result i32) (i32.const 8192))
  (func $spin (export "relgate_evaluate") (param i32 i32) (result i64)
    (loop $forever (br $forever))
    (i64.const 0)))
