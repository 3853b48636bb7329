;; Allows on the first call into an instance and denies on any later one, so it shows whether
;; an instance (its globals and memory) is ever reused between evaluations.
(module
  (memory (export "memory") 1)
  (global $calls (mut i32) (i32.const 0))
  (data (i32.const 1024) "{\"decision\":\"allow\",\"reasons\":[{\"check\":\"first-call\",\"outcome\":\"pass\",\"message\":\"this instance is fresh\"}]}")
  (data (i32.const 2048) "{\"decision\":\"deny\",\"reasons\":[{\"check\":\"first-call\",\"outcome\":\"fail\",\"message\":\"state leaked from an earlier evaluation\"}]}")
  (func (export "relgate_abi_version") (result i32) (i32.const 1))
  (func (export "relgate_alloc") (param i32) (result i32) (i32.const 8192))
  (func (export "relgate_evaluate") (param i32 i32) (result i64)
    (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
    ;; Memory too: the first byte is 0 only in a fresh instance.
    (if (result i64) (i32.and (i32.eq (global.get $calls) (i32.const 1)) (i32.eqz (i32.load8_u (i32.const 0))))
      (then (i32.store8 (i32.const 0) (i32.const 1)) (i64.const 4398046511211))
      (else (i64.const 8796093022331)))))
