;; Denies with a passing and a warning reason only: no failing check explains the stop, so
;; each CI format adds a failing `relgate.decision`.
(module
  (memory (export "memory") 1)
  (func (export "relgate_abi_version") (result i32) (i32.const 1))
  (func (export "relgate_alloc") (param i32) (result i32) (i32.const 8192))
  (data (i32.const 1024) "{\"decision\":\"deny\",\"reasons\":[{\"check\":\"looks.fine\",\"outcome\":\"pass\",\"message\":\"ok\"},{\"check\":\"looks.odd\",\"outcome\":\"warn\",\"message\":\"odd\"}]}")
  ;; (1024 << 32) | 141
  (func (export "relgate_evaluate") (param i32 i32) (result i64)
    (i64.const 4398046511245)))
