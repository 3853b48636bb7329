;; The policy `a`, with the check `b/c`: with slash-name.wat (the policy `a/b` with the check
;; `c`), two checks whose `<policy>/<check>` would be the same. And the checks `x`, `x` and
;; `x (2)`, whose JUnit case names must still be three.
(module
  (memory (export "memory") 1)
  (func (export "relgate_abi_version") (result i32) (i32.const 1))
  (func (export "relgate_alloc") (param i32) (result i32) (i32.const 8192))
  (data (i32.const 512) "{\"name\":\"a\",\"version\":\"1.0.0\"}")
  (data (i32.const 1024) "{\"decision\":\"deny\",\"reasons\":[{\"check\":\"b/c\",\"outcome\":\"fail\",\"message\":\"b/c failed\"},{\"check\":\"x\",\"outcome\":\"warn\",\"message\":\"x once\"},{\"check\":\"x\",\"outcome\":\"warn\",\"message\":\"x twice\"},{\"check\":\"x (2)\",\"outcome\":\"warn\",\"message\":\"x (2) once\"}]}")
  ;; (512 << 32) | 30
  (func (export "relgate_metadata") (result i64) (i64.const 2199023255582))
  ;; (1024 << 32) | 246
  (func (export "relgate_evaluate") (param i32 i32) (result i64)
    (i64.const 4398046511350)))
