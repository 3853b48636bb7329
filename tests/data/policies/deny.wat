;; Always denies, with a score of 40 and a failing reason carrying observed and threshold.
(module
  (memory (export "memory") 1)
  (func (export "relgate_abi_version") (result i32) (i32.const 1))
  (func (export "relgate_alloc") (param i32) (result i32) (i32.const 8192))
  (data (i32.const 1024) "{\"decision\":\"deny\",\"score\":40,\"reasons\":[{\"check\":\"tests.failed\",\"outcome\":\"fail\",\"message\":\"3 tests failed\",\"observed\":3,\"threshold\":0}]}")
  (func (export "relgate_evaluate") (param i32 i32) (result i64)
    (i64.const 4398046511242)))
