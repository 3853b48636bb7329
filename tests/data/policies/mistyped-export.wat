;; Hostile: exports relgate_evaluate with the wrong signature.
(module
  (memory (export "memory") 1)
  (func (export "relgate_abi_version") (result i32) (i32.const 1))
  (func (export "relgate_alloc") (param i32) (result i32) (i32.const 8192))
  (func (export "relgate_evaluate") (param i32) (result i32) (i32.const 0)))
