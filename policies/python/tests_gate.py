"""tests-gate in Python: denies a release whose tests failed or errored, or that has no test
results; allows it otherwise. The same policy as policies/wat/tests-gate.wat, passing the
same fixtures (policies/tests-gate.test.json), built by componentize-py into a component
with the SDK of sdk/python.
"""

import relgate
from relgate import Decision, Input, Outcome, Reason, Verdict


def evaluate(input: Input) -> Verdict:
    if input.tests is None:
        return Verdict.cannot_judge(
            "tests.present", "the input has no test results, and a release is not allowed without them"
        )
    bad = input.tests.failed + input.tests.errors
    if bad:
        relgate.log(relgate.Level.INFO, "denying: tests failed or errored")
        outcome, message = Outcome.FAIL, "tests failed or errored"
    else:
        outcome, message = Outcome.PASS, "no test failed or errored"
    reason = Reason("tests.failed", outcome, message, observed=bad, threshold=0)
    return Verdict(Decision.DENY if bad else Decision.ALLOW, 0 if bad else 100, [reason])


Gate = relgate.export(
    evaluate,
    name="tests-gate",
    version="1.0.0",
    language="python",
    description="Denies a release whose tests failed or errored, or that has no test results.",
)
