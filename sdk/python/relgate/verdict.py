"""A policy's answer: a decision, an optional score, and the reasons behind it."""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field
from typing import Any, List, Optional

#: The check of the reason `Verdict.config_error` gives: the policy rejects its config.
CONFIG_CHECK = "relgate.config"


class Decision(enum.Enum):
    """What may happen to the release, from least to most strict."""

    ALLOW = "allow"
    DENY = "deny"
    ROLLBACK = "rollback"

    @property
    def strictness(self) -> int:
        """0, 1, 2: the strictest of several decisions has the highest."""
        return ("allow", "deny", "rollback").index(self.value)


class Outcome(enum.Enum):
    """The outcome of one check."""

    PASS = "pass"
    INFO = "info"
    WARN = "warn"
    FAIL = "fail"


@dataclass
class Reason:
    """One check behind a decision.

    ``check`` is a stable dotted identifier (``tests.failed``; ``relgate.`` is the host's, but
    for ``relgate.config``), ``message`` a sentence for people. ``observed`` and ``threshold``
    are any JSON values (numbers, strings, lists, dicts); they reach the host as JSON text.
    """

    check: str
    outcome: Outcome
    message: str
    observed: Any = None
    threshold: Any = None


class InvalidVerdict(ValueError):
    """A verdict the host would refuse (a score outside 0..=100)."""


@dataclass
class Verdict:
    """A policy's answer, built with the constructor or the ``with_*`` methods:
    ``Verdict(Decision.DENY).with_score(0).with_reason(Reason("tests.failed", Outcome.FAIL, "3 failed"))``.
    """

    decision: Decision
    score: Optional[float] = None
    reasons: List[Reason] = field(default_factory=list)

    @classmethod
    def cannot_judge(cls, check: str, message: str) -> "Verdict":
        """A deny with score 0 and one failing reason: what a policy answers when it cannot
        judge (a section it requires is missing, too little data)."""
        return cls(Decision.DENY, 0.0, [Reason(check, Outcome.FAIL, message)])

    @classmethod
    def config_error(cls, message: str) -> "Verdict":
        """What a policy answers when its own config section is invalid: relgate reports it as
        an input error (``relgate eval`` exits 2), since nothing was judged."""
        return cls.cannot_judge(CONFIG_CHECK, message)

    def with_score(self, score: float) -> "Verdict":
        """Sets the score (0 to 100, higher is healthier)."""
        self.score = float(score)
        return self

    def with_reason(self, reason: Reason) -> "Verdict":
        """Appends a reason."""
        self.reasons.append(reason)
        return self

    def validate(self) -> None:
        """Raises `InvalidVerdict` unless the decision and outcomes are the enums' and the
        score is a number from 0 to 100."""
        if not isinstance(self.decision, Decision):
            raise InvalidVerdict(f"decision {self.decision!r} is not a relgate.Decision")
        if self.score is not None:
            score = self.score
            if isinstance(score, bool) or not isinstance(score, (int, float)) or not 0 <= score <= 100:
                raise InvalidVerdict(f"score {score!r} is not a number from 0 to 100")
        for reason in self.reasons:
            if not isinstance(reason.outcome, Outcome):
                raise InvalidVerdict(f"reason {reason.check!r}: outcome {reason.outcome!r} is not a relgate.Outcome")

    def to_document(self) -> dict:
        """The decision document of docs/decision.md, as a dict."""
        self.validate()
        document: dict = {"decision": self.decision.value}
        if self.score is not None:
            document["score"] = float(self.score)
        reasons = []
        for reason in self.reasons:
            item = {"check": reason.check, "outcome": reason.outcome.value, "message": reason.message}
            if reason.observed is not None:
                item["observed"] = json_value(reason.observed)
            if reason.threshold is not None:
                item["threshold"] = json_value(reason.threshold)
            reasons.append(item)
        document["reasons"] = reasons
        return document


def json_value(value: Any) -> Any:
    """`value` as JSON can carry it: NaN and infinities become the strings ``"NaN"``,
    ``"+Inf"`` and ``"-Inf"`` (as in the input, docs/input.md), enums their values, tuples
    lists."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("+Inf" if value > 0 else "-Inf")
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    return value
