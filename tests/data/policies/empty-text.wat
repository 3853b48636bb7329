;; Denies with a failing and a warning reason whose checks and messages are empty: every CI
;; format shows them as `(unnamed check)` and `(no message)`, which GitHub's SARIF rules and
;; JUnit readers need.
(module
  (memory (export "memory") 1)
  (func (export "relgate_abi_version") (result i32) (i32.const 1))
  (func (export "relgate_alloc") (param i32) (result i32) (i32.const 8192))
  (data (i32.const 1024) "{\"decision\":\"deny\",\"reasons\":[{\"check\":\"\",\"outcome\":\"fail\",\"message\":\"\"},{\"check\":\"\",\"outcome\":\"warn\",\"message\":\"\"}]}")
  ;; (1024 << 32) | 117
  (func (export "relgate_evaluate") (param i32 i32) (result i64)
    (i64.const 4398046511221)))
