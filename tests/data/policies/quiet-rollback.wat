;; Rolls back without a reason at all.
(module
  (memory (export "memory") 1)
  (func (export "relgate_abi_version") (result i32) (i32.const 1))
  (func (export "relgate_alloc") (param i32) (result i32) (i32.const 8192))
  (data (i32.const 1024) "{\"decision\":\"rollback\",\"reasons\":[]}")
  ;; (1024 << 32) | 36
  (func (export "relgate_evaluate") (param i32 i32) (result i64)
    (i64.const 4398046511140)))
