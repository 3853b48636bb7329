;; Names itself with a control character in its metadata: refused, since the name would
;; reach terminals and logs.
(module
  (memory (export "memory") 1)
  (func (export "relgate_abi_version") (result i32) (i32.const 1))
  (func (export "relgate_alloc") (param i32) (result i32) (i32.const 8192))
  (data (i32.const 512) "{\"name\":\"gate\\u001b[2K\"}")
  (data (i32.const 1024) "{\"decision\":\"allow\"}")
  (func (export "relgate_metadata") (result i64) (i64.const 2199023255576))
  (func (export "relgate_evaluate") (param i32 i32) (result i64)
    (i64.const 4398046511124)))
