;; Always allows, with a score and a passing reason; names itself in its metadata.
(module
  (memory (export "memory") 1)
  (func (export "relgate_abi_version") (result i32) (i32.const 1))
  (func (export "relgate_alloc") (param i32) (result i32) (i32.const 8192))
  (data (i32.const 1024) "{\"decision\":\"allow\",\"score\":100,\"reasons\":[{\"check\":\"always\",\"outcome\":\"pass\",\"message\":\"nothing to object to\"}]}")
  (func (export "relgate_evaluate") (param i32 i32) (result i64)
    (i64.const 4398046511217))
  (data (i32.const 512) "{\"name\":\"always-allow\",\"version\":\"1.0.0\",\"description\":\"allows every release\"}")
  (func (export "relgate_metadata") (result i64) (i64.const 2199023255630)))
