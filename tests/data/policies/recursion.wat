;; Hostile: recurses without end.
(module
  (memory (export "memory") 1)
  (func (export "relgate_abi_version") (result i32) (i32.const 1))
  (func (export "relgate_alloc") (param i32) (result i32) (i32.const 8192))
  (func $down (param i32) (result i32)
    (i32.add (call $down (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))
  (func (export "relgate_evaluate") (param i32 i32) (result i64)
    (i64.extend_i32_u (call $down (i32.const 0)))))
