;; Hostile: declares 128 MiB of initial memory, above the default limit.
(module
  (memory (export "memory") 2048)
  (func (export "relgate_abi_version") (result i32) (i32.const 1))
  (func (export "relgate_alloc") (param i32) (result i32) (i32.const 8192))
  (func (export "relgate_evaluate") (param i32 i32) (result i64) (i64.const 0)))
