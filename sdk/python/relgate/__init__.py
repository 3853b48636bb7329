"""relgate's guest SDK for Python: policies built by componentize-py into WebAssembly
components of the world ``relgate:policy@1.0.0`` (sdk/wit/policy.wit, docs/authoring.md).

A policy is a function from the release input to a verdict, exported as ``Gate``::

    import relgate
    from relgate import Decision, Input, Outcome, Reason, Verdict

    def evaluate(input: Input) -> Verdict:
        if input.tests is None:
            return Verdict.cannot_judge("tests.present", "the input has no test results")
        bad = input.tests.failed + input.tests.errors
        return Verdict(Decision.DENY if bad else Decision.ALLOW, 0 if bad else 100, [
            Reason("tests.failed", Outcome.FAIL if bad else Outcome.PASS, f"{bad} tests failed or errored",
                   observed=bad, threshold=0),
        ])

    Gate = relgate.export(evaluate, name="my-gate", version="1.0.0", description="Denies failed tests.")

Everything the policy imports is imported at build time: a component has no file system, so
import at the top of the module, never inside a function.
"""

from . import objectives
from .guest import Level, export, log
from .input import Change, ChangedFile, Failure, Input, InvalidInput, Metric, Release, Suite, Tests
from .verdict import CONFIG_CHECK, Decision, InvalidVerdict, Outcome, Reason, Verdict

__version__ = "1.0.0"

__all__ = [
    "CONFIG_CHECK", "Change", "ChangedFile", "Decision", "Failure", "Input", "InvalidInput", "InvalidVerdict",
    "Level", "Metric", "Outcome", "objectives", "Reason", "Release", "Suite", "Tests", "Verdict", "export", "log",
]
