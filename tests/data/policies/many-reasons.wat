;; Denies with 12 failing and 3 warning reasons: more failing checks than GitHub annotates in
;; one step (10 of each level).
(module
  (memory (export "memory") 1)
  (func (export "relgate_abi_version") (result i32) (i32.const 1))
  (func (export "relgate_alloc") (param i32) (result i32) (i32.const 8192))
  (data (i32.const 1024) "{\"decision\":\"deny\",\"score\":20,\"reasons\":[{\"check\":\"check.01\",\"outcome\":\"fail\",\"message\":\"check 1 failed\"},{\"check\":\"check.02\",\"outcome\":\"fail\",\"message\":\"check 2 failed\"},{\"check\":\"check.03\",\"outcome\":\"fail\",\"message\":\"check 3 failed\"},{\"check\":\"check.04\",\"outcome\":\"fail\",\"message\":\"check 4 failed\"},{\"check\":\"check.05\",\"outcome\":\"fail\",\"message\":\"check 5 failed\"},{\"check\":\"check.06\",\"outcome\":\"fail\",\"message\":\"check 6 failed\"},{\"check\":\"check.07\",\"outcome\":\"fail\",\"message\":\"check 7 failed\"},{\"check\":\"check.08\",\"outcome\":\"fail\",\"message\":\"check 8 failed\"},{\"check\":\"check.09\",\"outcome\":\"fail\",\"message\":\"check 9 failed\"},{\"check\":\"check.10\",\"outcome\":\"fail\",\"message\":\"check 10 failed\"},{\"check\":\"check.11\",\"outcome\":\"fail\",\"message\":\"check 11 failed\"},{\"check\":\"check.12\",\"outcome\":\"fail\",\"message\":\"check 12 failed\"},{\"check\":\"warn.01\",\"outcome\":\"warn\",\"message\":\"warning 1\"},{\"check\":\"warn.02\",\"outcome\":\"warn\",\"message\":\"warning 2\"},{\"check\":\"warn.03\",\"outcome\":\"warn\",\"message\":\"warning 3\"}]}")
  ;; (1024 << 32) | 1002
  (func (export "relgate_evaluate") (param i32 i32) (result i64)
    (i64.const 4398046512106)))
