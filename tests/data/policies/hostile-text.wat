;; Hostile text in every field a report shows, and no control character in its name (which
;; relgate refuses): pipes and a table row, HTML and XML markup, a CDATA end, workflow commands,
;; `%` sequences, Markdown links and images, a CR LF, ESC, BEL, a right-to-left override and the
;; XML noncharacter U+FFFE. Every CI format must keep it inert.
(module
  (memory (export "memory") 1)
  (func (export "relgate_abi_version") (result i32) (i32.const 1))
  (func (export "relgate_alloc") (param i32) (result i32) (i32.const 8192))
  (data (i32.const 512) "{\"name\":\"gate|<b>::%,\",\"version\":\"1.0.0\",\"description\":\"Hostile text everywhere: <i>|%::,\\u001b[2K\"}")
  (data (i32.const 2048) "{\"decision\":\"deny\",\"score\":12.5,\"reasons\":[{\"check\":\"pipe|table\\n| --- |\",\"outcome\":\"fail\",\"message\":\"<script>alert(1)</script> & </failure><testcase name=\\\"forged\\\"> ]]> 100% done\\r\\n::error title=forged::owned %0A\",\"observed\":\"a|b\\u001b[31m\",\"threshold\":{\"max\":\"<1>\"}},{\"check\":\"x,y:z::warning\",\"outcome\":\"warn\",\"message\":\"`code` *bold* [link](https://evil.test) ![img](https://evil.test/p.png) @here #1 $x$ \\u202eevil \\u0007 \\ufffe end\",\"observed\":3},{\"check\":\"info.check\",\"outcome\":\"info\",\"message\":\"line one\\nline two | pipe\"},{\"check\":\"pass.check\",\"outcome\":\"pass\",\"message\":\"fine\"}]}")
  ;; (512 << 32) | 100
  (func (export "relgate_metadata") (result i64) (i64.const 2199023255652))
  ;; (2048 << 32) | 590
  (func (export "relgate_evaluate") (param i32 i32) (result i64)
    (i64.const 8796093022798)))
