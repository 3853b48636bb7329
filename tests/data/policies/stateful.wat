;; Allows on the first call into an instance and denies on any later one, so it shows whether
;; an instance (its globals, memory and table) is ever reused between evaluations. Instances
;; live in reused slots of wasmtime's pooling allocator: the memory must come back as the
;; module declares it, whichever way the slot was reset (pages within the 8 MiB kept
;; resident rewritten, those above it given back to the kernel, the data segment restored,
;; the size shrunk back), and the table emptied.
(module
  (memory (export "memory") 160)
  (table 1 funcref)
  (global $calls (mut i32) (i32.const 0))
  (data (i32.const 1024) "{\"decision\":\"allow\",\"reasons\":[{\"check\":\"first-call\",\"outcome\":\"pass\",\"message\":\"this instance is fresh\"}]}")
  (data (i32.const 2048) "{\"decision\":\"deny\",\"reasons\":[{\"check\":\"first-call\",\"outcome\":\"fail\",\"message\":\"state leaked from an earlier evaluation\"}]}")
  (data (i32.const 4096) "A")
  (elem declare func $mark)
  (func $mark)
  (func (export "relgate_abi_version") (result i32) (i32.const 1))
  (func (export "relgate_alloc") (param i32) (result i32) (i32.const 8192))
  (func (export "relgate_evaluate") (param i32 i32) (result i64)
    (local $fresh i32)
    (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
    (local.set $fresh
      (i32.and
        (i32.and
          (i32.and (i32.eq (global.get $calls) (i32.const 1)) (i32.eq (memory.size) (i32.const 160)))
          (ref.is_null (table.get (i32.const 0))))
        (i32.and
          (i32.and (i32.eqz (i32.load8_u (i32.const 0))) (i32.eqz (i32.load8_u (i32.const 1572864))))
          (i32.and (i32.eqz (i32.load8_u (i32.const 9437184))) (i32.eq (i32.load8_u (i32.const 4096)) (i32.const 65))))))
    ;; Leave every kind of trace for the next evaluation to find.
    (i32.store8 (i32.const 0) (i32.const 1))
    (i32.store8 (i32.const 1572864) (i32.const 1))
    (i32.store8 (i32.const 9437184) (i32.const 1))
    (i32.store8 (i32.const 4096) (i32.const 66))
    (table.set (i32.const 0) (ref.func $mark))
    (drop (memory.grow (i32.const 1)))
    (if (result i64) (local.get $fresh)
      (then (i64.const 4398046511211))
      (else (i64.const 8796093022331)))))
