;; Hostile: its start function never returns, so instantiation must be stopped.
(module
  (memory (export "memory") 1)
  (func (export "relgate_abi_version") (result i32) (i32.const 1))
  (func (export "relgate_alloc") (param i32) (result i32) (i32.const 8192))
  (func $start (loop $forever (br $forever)))
  (start $start)
  (func (export "relgate_evaluate") (param i32 i32) (result i64) (i64.const 0)))
