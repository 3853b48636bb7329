// tests-gate in AssemblyScript: denies a release whose tests failed or errored, or that
// has no test results; allows it otherwise. The same policy as policies/wat/tests-gate.wat,
// passing the same fixtures (policies/tests-gate.test.json).

import { alloc, findCount, findObject, INFO, jsonString, log, output, policyAbort as sdkAbort, readInput } from "./relgate";

export function relgate_abi_version(): i32 {
  return 1;
}

export function relgate_alloc(len: i32): i32 {
  return alloc(len);
}

export function relgate_metadata(): i64 {
  return output(
    '{"name":"tests-gate","version":"1.0.0","language":"assemblyscript",' +
      '"description":"Denies a release whose tests failed or errored, or that has no test results."}',
  );
}

export function relgate_evaluate(ptr: i32, len: i32): i64 {
  const input = readInput(ptr, len);
  if (findObject(input, "tests") < 0) {
    return output(
      '{"decision":"deny","score":0,"reasons":[{"check":"tests.present","outcome":"fail",' +
        '"message":"the input has no test results, and a release is not allowed without them"}]}',
    );
  }
  const failed = findCount(input, "tests", "failed");
  const errors = findCount(input, "tests", "errors");
  const bad = (failed > 0 ? failed : 0) + (errors > 0 ? errors : 0);
  if (bad > 0) log(INFO, "denying: tests failed or errored");
  const head = bad > 0 ? '{"decision":"deny","score":0,' : '{"decision":"allow","score":100,';
  const message = bad > 0 ? "tests failed or errored" : "no test failed or errored";
  return output(
    head +
      '"reasons":[{"check":"tests.failed","outcome":' +
      jsonString(bad > 0 ? "fail" : "pass") +
      ',"message":' +
      jsonString(message) +
      ',"observed":' +
      bad.toString() +
      ',"threshold":0}]}',
  );
}

// Wired in with `--use abort=assembly/index/policyAbort` (asconfig.json).
export function policyAbort(message: string | null, file: string | null, line: u32, column: u32): void {
  sdkAbort(message, file, line, column);
}
