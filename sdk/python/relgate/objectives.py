"""Keptn-style objectives, as the Rust SDK's ``relgate_sdk::score::objectives``: each metric
is checked against pass and warning criteria, each objective earns its weight (pass), half of
it (warning) or nothing (fail), and the total score decides the gate: at least ``pass``
(default 90) passes, at least ``warning`` (default 75) warns, lower fails. A failing *key*
objective fails the gate whatever the score.

Criteria are strings: ``<=800``, ``<600``, ``>=0.99``, ``=0`` compare the value itself;
``<=+10%`` and ``>=-5%`` compare it with its baseline. A list of criteria passes when all of
them hold; a list of lists when any of its lists does. A metric without a finite value, or a
relative criterion without a baseline, is no data: ``no_data`` says what it counts as
(``fail``, the default, ``warn``, ``pass`` or ``ignore``).
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass, field
from typing import Any, List, Optional, Sequence, Union

from .input import Metric
from .verdict import Outcome

_OPS = [("<=", operator.le), (">=", operator.ge), ("<", operator.lt), (">", operator.gt), ("=", operator.eq)]


class InvalidObjective(ValueError):
    """A criterion that does not parse, a negative weight, or thresholds out of order."""


@dataclass(frozen=True)
class Criterion:
    """``<=800`` (``percent`` False) or ``<=+10%`` (``percent`` True: relative to the
    baseline)."""

    op: str
    number: float
    percent: bool

    @classmethod
    def parse(cls, text: str) -> "Criterion":
        t = text.strip()
        for op, _ in _OPS:
            if t.startswith(op):
                rest = t[len(op):].strip()
                percent = rest.endswith("%")
                try:
                    number = float(rest[:-1].strip().lstrip("+") if percent else rest)
                except ValueError:
                    break
                if math.isfinite(number):
                    return cls(op, number, percent)
                break
        raise InvalidObjective(
            f"invalid criterion `{text}`: expected an operator (<, <=, =, >=, >) and a number, "
            "optionally a signed percentage (<=+10%)")

    def check(self, value: float, baseline: Optional[float]) -> Optional[bool]:
        """Whether it holds; ``None`` when it cannot be decided (relative, no baseline)."""
        holds = dict(_OPS)[self.op]
        if not self.percent:
            return holds(value, self.number)
        if baseline is None or not math.isfinite(baseline):
            return None
        return holds(value, baseline * (1 + self.number / 100))

    def __str__(self) -> str:
        number = f"{self.number:+g}%" if self.percent else f"{self.number:g}"
        return self.op + number


Criteria = Union[Sequence[str], Sequence[Sequence[str]]]


def _sets(criteria: Criteria) -> List[List[Criterion]]:
    if not criteria:
        return []
    if all(isinstance(c, str) for c in criteria):
        return [[Criterion.parse(c) for c in criteria]]
    return [[Criterion.parse(c) for c in s] for s in criteria if s]


def _check(sets: List[List[Criterion]], value: float, baseline: Optional[float]) -> Optional[bool]:
    undecided = False
    for criteria in sets:
        results = [c.check(value, baseline) for c in criteria]
        if all(r is True for r in results):
            return True
        if False not in results:
            undecided = True
    return None if undecided else False


def _fields(data: Any, what: str, known: set) -> dict:
    if not isinstance(data, dict):
        raise InvalidObjective(f"{what} must be an object")
    unknown = sorted(set(data) - known)
    if unknown:
        raise InvalidObjective(f"{what} has an unknown field `{unknown[0]}`; the fields are {', '.join(sorted(known))}")
    return data


def _number(fields: dict, key: str, default: float, what: str) -> float:
    value = fields.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidObjective(f"{what}: `{key}` must be a number")
    return float(value)


def _describe(sets: List[List[Criterion]]) -> str:
    return " or ".join(" and ".join(str(c) for c in criteria) for criteria in sets)


@dataclass
class Objective:
    """One objective: a metric and its criteria. Without ``pass_`` criteria it is
    informational and not scored."""

    metric: str
    pass_: Criteria = ()
    warning: Criteria = ()
    weight: float = 1.0
    key: bool = False

    @classmethod
    def from_json(cls, data: Any) -> "Objective":
        """An objective as a config writes it: ``{"metric", "pass", "warning", "weight", "key"}``."""
        fields = _fields(data, "an objective", {"metric", "pass", "warning", "weight", "key"})
        if not isinstance(fields.get("metric"), str):
            raise InvalidObjective("an objective needs a `metric` name")
        objective = cls(fields["metric"], fields.get("pass", ()), fields.get("warning", ()),
                        _number(fields, "weight", 1.0, "an objective"), fields.get("key") is True)
        _sets(objective.pass_), _sets(objective.warning)  # parse now, to fail as a config error
        return objective


@dataclass
class ObjectiveResult:
    """One objective's result: ``status`` is ``pass``, ``warning``, ``fail``, ``no_data`` or
    ``info``."""

    metric: str
    value: Optional[float]
    baseline: Optional[float]
    status: str
    score: float
    weight: float
    key: bool
    message: str

    @property
    def outcome(self) -> Outcome:
        """The outcome of a reason reporting this objective."""
        if self.status == "no_data":
            if self.weight == 0:
                return Outcome.INFO
            return Outcome.WARN if self.score > 0 else Outcome.FAIL
        return {"pass": Outcome.PASS, "warning": Outcome.WARN, "fail": Outcome.FAIL}.get(self.status, Outcome.INFO)


@dataclass
class GateResult:
    """Every objective's result, the score (0 to 100; 100 when nothing was scored), the
    status (``pass``, ``warning`` or ``fail``) and the metrics of failed key objectives."""

    objectives: List[ObjectiveResult]
    score: float
    status: str
    failed_keys: List[str] = field(default_factory=list)


@dataclass
class Gate:
    """The gate's thresholds and what a metric without data counts as."""

    pass_: float = 90.0
    warning: float = 75.0
    no_data: str = "fail"

    @classmethod
    def from_json(cls, data: Any) -> "Gate":
        """A gate as a config writes it: ``{"pass", "warning", "no_data"}``, each optional."""
        fields = _fields(data, "the gate", {"pass", "warning", "no_data"})
        return cls(_number(fields, "pass", 90.0, "the gate"), _number(fields, "warning", 75.0, "the gate"),
                   fields.get("no_data", "fail"))

    def evaluate(self, objectives: Sequence[Objective], metrics: Sequence[Metric]) -> GateResult:
        """Scores ``objectives`` against ``metrics`` (by name; the first of a name wins).
        Raises `InvalidObjective` for a criterion that does not parse, a bad weight or
        thresholds out of order: answer it with ``Verdict.config_error``."""
        if not 0 <= self.warning <= self.pass_ <= 100:
            raise InvalidObjective(
                f"thresholds must satisfy 0 <= warning ({self.warning:g}) <= pass ({self.pass_:g}) <= 100")
        if self.no_data not in ("fail", "warn", "pass", "ignore"):
            raise InvalidObjective(f"no_data is `{self.no_data}`; it is fail, warn, pass or ignore")
        results = []
        for objective in objectives:
            if not (math.isfinite(objective.weight) and objective.weight >= 0):
                raise InvalidObjective(f"objective `{objective.metric}` has weight {objective.weight}; "
                                       "weights are non-negative numbers")
            metric = next((m for m in metrics if m.name == objective.metric), None)
            results.append(self._check(objective, metric))
        possible = sum(r.weight for r in results)
        score = sum(r.score for r in results) / possible * 100 if possible > 0 else 100.0
        failed_keys = [r.metric for r in results
                       if r.key and (r.status == "fail" or (r.status == "no_data" and self.no_data == "fail"))]
        if failed_keys or score < self.warning:
            status = "fail"
        else:
            status = "warning" if score < self.pass_ else "pass"
        return GateResult(results, score, status, failed_keys)

    def _check(self, objective: Objective, metric: Optional[Metric]) -> ObjectiveResult:
        value = metric.value if metric is not None else None
        value = value if value is not None and math.isfinite(value) else None
        baseline = metric.baseline if metric is not None else None
        shown = None if value is None else f"{round(value, 4):g}"
        name, weight = objective.metric, objective.weight
        passing, warning = _sets(objective.pass_), _sets(objective.warning)
        if not passing:
            message = f"{name} is {shown} (informational)" if shown else f"{name} has no value (informational)"
            return ObjectiveResult(name, value, baseline, "info", 0.0, 0.0, objective.key, message)
        status = None
        if value is not None:
            passed = _check(passing, value, baseline)
            warned = _check(warning, value, baseline) if warning else False
            if passed:
                status = "pass"
            elif warned:
                status = "warning"
            elif warned is False and passed is False:
                status = "fail"
        score = {"pass": weight, "warning": weight / 2, "fail": 0.0}.get(status)
        if status is None:
            status = "no_data"
            score = {"fail": 0.0, "warn": weight / 2, "pass": weight, "ignore": 0.0}[self.no_data]
            if self.no_data == "ignore":
                weight = 0.0
        criteria = _describe(passing)
        if status == "no_data":
            message = (f"{name} has no value (pass: {criteria})" if shown is None
                       else f"{name} is {shown} but has no baseline for the relative criteria {criteria}")
        elif status == "pass":
            message = f"{name} is {shown}, meeting {criteria}"
        elif status == "warning":
            message = f"{name} is {shown}, missing {criteria} but meeting the warning criteria {_describe(warning)}"
        else:
            message = f"{name} is {shown}, missing {criteria}"
        return ObjectiveResult(name, value, baseline, status, score, weight, objective.key, message)
