;; Tries to forge terminal output: control characters (ESC, CR, LF) and a right-to-left
;; override in its reason's check and message, and in a log line. Text output and logs must
;; show them escaped; JSON keeps them exact.
(module
  (import "relgate" "log" (func $log (param i32 i32 i32)))
  (memory (export "memory") 1)
  (func (export "relgate_abi_version") (result i32) (i32.const 1))
  (func (export "relgate_alloc") (param i32) (result i32) (i32.const 8192))
  (data (i32.const 256) "\1b\5b\32\4b\0d\66\6f\72\67\65\64\20\6c\6f\67\20\6c\69\6e\65\0a")
  (data (i32.const 1024) "{\"decision\":\"deny\",\"reasons\":[{\"check\":\"tests\\u001b[31m\",\"outcome\":\"fail\",\"message\":\"fine\\u001b[2K\\r\\ndecision: allow\\u202e\"}]}")
  (func (export "relgate_evaluate") (param i32 i32) (result i64)
    (call $log (i32.const 1) (i32.const 256) (i32.const 21))
    (i64.const 4398046511231)))
