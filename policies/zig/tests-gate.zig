//! tests-gate in Zig: denies a release whose tests failed or errored, or that has no test
//! results; allows it otherwise. The same policy as policies/wat/tests-gate.wat, passing the
//! same fixtures (policies/tests-gate.test.json).

const std = @import("std");
const relgate = @import("relgate");

comptime {
    // Pull in the SDK's exports (relgate_abi_version, relgate_alloc).
    _ = relgate;
}

export fn relgate_metadata() i64 {
    return relgate.output(
        \\{"name":"tests-gate","version":"1.0.0","language":"zig","description":"Denies a release whose tests failed or errored, or that has no test results."}
    );
}

export fn relgate_evaluate(ptr: i32, len: i32) i64 {
    const json = relgate.input(ptr, len);
    if (relgate.findObject(json, "tests") == null) {
        return relgate.output(
            \\{"decision":"deny","score":0,"reasons":[{"check":"tests.present","outcome":"fail","message":"the input has no test results, and a release is not allowed without them"}]}
        );
    }
    const bad = (relgate.findCount(json, "tests", "failed") orelse 0) + (relgate.findCount(json, "tests", "errors") orelse 0);
    if (bad > 0) relgate.logMessage(.info, "denying: tests failed or errored");
    const out = std.fmt.allocPrint(
        relgate.allocator,
        \\{{"decision":"{s}","score":{d},"reasons":[{{"check":"tests.failed","outcome":"{s}","message":"{s}","observed":{d},"threshold":0}}]}}
    ,
        if (bad > 0)
            .{ "deny", @as(u32, 0), "fail", "tests failed or errored", bad }
        else
            .{ "allow", @as(u32, 100), "pass", "no test failed or errored", bad },
    ) catch @trap();
    return relgate.output(out);
}
