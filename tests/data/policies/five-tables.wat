;; Defines five tables: more than a policy may have, a `memory_limit` fault at load.
(module
  (memory (export "memory") 1)
  (table 1 funcref) (table 1 funcref) (table 1 funcref) (table 1 funcref) (table 1 funcref)
  (func (export "relgate_abi_version") (result i32) (i32.const 1))
  (func (export "relgate_alloc") (param i32) (result i32) (i32.const 8192))
  (data (i32.const 1024) "{\"decision\":\"allow\"}")
  (func (export "relgate_evaluate") (param i32 i32) (result i64) (i64.const 4398046511124)))
