;; The policy `a/b`, with the check `c`: see slash-check.wat.
(module
  (memory (export "memory") 1)
  (func (export "relgate_abi_version") (result i32) (i32.const 1))
  (func (export "relgate_alloc") (param i32) (result i32) (i32.const 8192))
  (data (i32.const 512) "{\"name\":\"a/b\",\"version\":\"1.0.0\"}")
  (data (i32.const 1024) "{\"decision\":\"deny\",\"reasons\":[{\"check\":\"c\",\"outcome\":\"fail\",\"message\":\"c failed\"}]}")
  ;; (512 << 32) | 32
  (func (export "relgate_metadata") (result i64) (i64.const 2199023255584))
  ;; (1024 << 32) | 83
  (func (export "relgate_evaluate") (param i32 i32) (result i64)
    (i64.const 4398046511187)))
