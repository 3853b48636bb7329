// tests-gate in TypeScript: denies a release whose tests failed or errored, or that has no
// test results; allows it otherwise. The same policy as policies/wat/tests-gate.wat, passing
// the same fixtures (policies/tests-gate.test.json). Compiled by tsc beside the SDK
// (relgate.js, typed by relgate.d.ts), then built into a component by
// sdk/js/componentize.mjs.

import { exportPolicy, type Input, log, Outcome, Reason, Verdict } from "./relgate.js";

export const gate = exportPolicy({
  name: "tests-gate",
  version: "1.0.0",
  language: "ts",
  description: "Denies a release whose tests failed or errored, or that has no test results.",
  evaluate(input: Input): Verdict {
    const tests = input.tests;
    if (tests === undefined) {
      return Verdict.cannotJudge("tests.present", "the input has no test results, and a release is not allowed without them");
    }
    const bad: number = (tests.failed ?? 0) + (tests.errors ?? 0);
    if (bad > 0) log("info", "denying: tests failed or errored");
    const reason = bad > 0
      ? new Reason("tests.failed", Outcome.Fail, "tests failed or errored")
      : new Reason("tests.failed", Outcome.Pass, "no test failed or errored");
    const verdict = bad > 0 ? Verdict.deny().withScore(0) : Verdict.allow().withScore(100);
    return verdict.withReason(reason.withObserved(bad).withThreshold(0));
  },
});
