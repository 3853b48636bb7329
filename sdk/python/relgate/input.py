"""The release input (docs/input.md), typed.

Every section may be absent (``None``): read an absent section as no data, never as zero.
Fields this SDK does not know are skipped, so a policy keeps working when a later relgate
adds fields; the host is the strict one and refuses unknown fields before a policy runs.
Numbers that are not finite arrive as the strings ``"NaN"``, ``"+Inf"`` and ``"-Inf"`` and
are read as floats here.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, TypeVar

T = TypeVar("T")


class InvalidInput(ValueError):
    """The input is not a release input: a section or field of the wrong type."""


def _object(value: Any, where: str) -> dict:
    if not isinstance(value, dict):
        raise InvalidInput(f"{where}: expected an object")
    return value


def _count(data: dict, key: str, where: str) -> int:
    value = data.get(key, 0)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInput(f"{where}.{key}: expected an unsigned integer")
    return value


def _number(value: Any, where: str) -> Optional[float]:
    if value is None:
        return None
    if isinstance(value, str):
        named = {"nan": math.nan, "+inf": math.inf, "inf": math.inf, "infinity": math.inf, "-inf": -math.inf}
        if value.lower() in named:
            return named[value.lower()]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidInput(f"{where}: expected a number")
    return float(value)


def _text(data: dict, key: str, where: str) -> Optional[str]:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise InvalidInput(f"{where}.{key}: expected a string")
    return value


def _labels(data: dict, where: str) -> Dict[str, str]:
    labels = _object(data.get("labels", {}), f"{where}.labels")
    if not all(isinstance(v, str) for v in labels.values()):
        raise InvalidInput(f"{where}.labels: expected strings")
    return dict(labels)


def _list(data: dict, key: str, where: str) -> list:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise InvalidInput(f"{where}.{key}: expected an array")
    return value


@dataclass
class Release:
    """What is being released, and where."""

    service: Optional[str] = None
    version: Optional[str] = None
    environment: Optional[str] = None
    stage: Optional[str] = None
    labels: Dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: Any, where: str = "release") -> "Release":
        data = _object(data, where)
        return cls(*(_text(data, k, where) for k in ("service", "version", "environment", "stage")),
                   labels=_labels(data, where))


@dataclass
class Suite:
    """One test suite's counts."""

    name: str
    total: int = 0
    failed: int = 0
    errors: int = 0
    skipped: int = 0
    duration_ms: Optional[float] = None


@dataclass
class Failure:
    """One failed (``kind == "failure"``) or errored (``"error"``) test case."""

    name: str
    kind: str
    suite: str = ""
    message: str = ""

    @property
    def id(self) -> str:
        """``suite::name``, or ``name`` without a suite: how people name the test."""
        return f"{self.suite}::{self.name}" if self.suite else self.name


@dataclass
class Tests:
    """Aggregated test results; counts are 0 when the section is present without them."""

    total: int = 0
    passed: int = 0
    failed: int = 0
    errors: int = 0
    skipped: int = 0
    flaky: int = 0
    duration_ms: Optional[float] = None
    suites: List[Suite] = field(default_factory=list)
    failures: List[Failure] = field(default_factory=list)

    @classmethod
    def from_json(cls, data: Any, where: str = "tests") -> "Tests":
        data = _object(data, where)
        counts = {k: _count(data, k, where) for k in ("total", "passed", "failed", "errors", "skipped", "flaky")}
        suites = []
        for i, s in enumerate(_list(data, "suites", where)):
            at = f"{where}.suites[{i}]"
            s = _object(s, at)
            suites.append(Suite(_text(s, "name", at) or "",
                                *(_count(s, k, at) for k in ("total", "failed", "errors", "skipped")),
                                duration_ms=_number(s.get("duration_ms"), f"{at}.duration_ms")))
        failures = []
        for i, f in enumerate(_list(data, "failures", where)):
            at = f"{where}.failures[{i}]"
            f = _object(f, at)
            failures.append(Failure(_text(f, "name", at) or "", _text(f, "kind", at) or "failure",
                                    _text(f, "suite", at) or "", _text(f, "message", at) or ""))
        return cls(**counts, duration_ms=_number(data.get("duration_ms"), f"{where}.duration_ms"),
                   suites=suites, failures=failures)


@dataclass
class Metric:
    """One metric: a value and optionally a baseline, as single values and as samples.
    ``value`` may be NaN or infinite; ``direction`` is ``"increase"``, ``"decrease"`` or
    ``"either"`` (``None`` means either)."""

    name: str
    value: Optional[float] = None
    unit: Optional[str] = None
    baseline: Optional[float] = None
    samples: List[float] = field(default_factory=list)
    baseline_samples: List[float] = field(default_factory=list)
    direction: Optional[str] = None
    labels: Dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: Any, where: str) -> "Metric":
        data = _object(data, where)
        samples = {k: [_number(v, f"{where}.{k}[{i}]") for i, v in enumerate(_list(data, k, where))]
                   for k in ("samples", "baseline_samples")}
        return cls(_text(data, "name", where) or "", _number(data.get("value"), f"{where}.value"),
                   _text(data, "unit", where), _number(data.get("baseline"), f"{where}.baseline"),
                   **samples, direction=_text(data, "direction", where), labels=_labels(data, where))


@dataclass
class ChangedFile:
    """One changed file; ``status`` is ``added``, ``modified``, ``deleted``, ``renamed`` or
    ``copied`` when known."""

    path: str
    previous_path: Optional[str] = None
    status: Optional[str] = None
    binary: bool = False
    lines_added: int = 0
    lines_deleted: int = 0


@dataclass
class Change:
    """The change being released, between two revisions."""

    base: Optional[str] = None
    head: Optional[str] = None
    commits: int = 0
    authors: int = 0
    files_changed: int = 0
    lines_added: int = 0
    lines_deleted: int = 0
    directories: Optional[int] = None
    entropy: Optional[float] = None
    sensitive: List[str] = field(default_factory=list)
    files: List[ChangedFile] = field(default_factory=list)

    @classmethod
    def from_json(cls, data: Any, where: str = "change") -> "Change":
        data = _object(data, where)
        counts = {k: _count(data, k, where)
                  for k in ("commits", "authors", "files_changed", "lines_added", "lines_deleted")}
        files = []
        for i, f in enumerate(_list(data, "files", where)):
            at = f"{where}.files[{i}]"
            f = _object(f, at)
            files.append(ChangedFile(_text(f, "path", at) or "", _text(f, "previous_path", at),
                                     _text(f, "status", at), f.get("binary") is True,
                                     _count(f, "lines_added", at), _count(f, "lines_deleted", at)))
        sensitive = _list(data, "sensitive", where)
        if not all(isinstance(s, str) for s in sensitive):
            raise InvalidInput(f"{where}.sensitive: expected strings")
        directories = _count(data, "directories", where) if "directories" in data else None
        return cls(_text(data, "base", where), _text(data, "head", where), **counts, directories=directories,
                   entropy=_number(data.get("entropy"), f"{where}.entropy"), sensitive=list(sensitive), files=files)


@dataclass
class Input:
    """The release input a policy evaluates. ``now`` is RFC 3339 in UTC: a policy's only
    clock. ``history`` and ``config`` stay free-form JSON (lists, dicts)."""

    release: Optional[Release] = None
    now: Optional[str] = None
    tests: Optional[Tests] = None
    metrics: Optional[List[Metric]] = None
    change: Optional[Change] = None
    history: Optional[List[Any]] = None
    config: Optional[Dict[str, Any]] = None

    @classmethod
    def from_json(cls, text: str) -> "Input":
        """Parses the input document; raises `InvalidInput` (or `ValueError` for JSON that
        does not parse) on anything that is not a release input."""
        data = _object(json.loads(text), "input")
        metrics = data.get("metrics")
        if metrics is not None:
            metrics = [Metric.from_json(m, f"metrics[{i}]") for i, m in enumerate(_list(data, "metrics", "input"))]

        def present(key: str, read: Callable[[Any], Any]) -> Any:
            return None if data.get(key) is None else read(data[key])

        return cls(
            release=present("release", Release.from_json),
            now=_text(data, "now", "input"),
            tests=present("tests", Tests.from_json),
            metrics=metrics,
            change=present("change", Change.from_json),
            history=None if data.get("history") is None else _list(data, "history", "input"),
            config=present("config", lambda c: dict(_object(c, "config"))),
        )

    def config_section(self, key: str, default: T) -> Any:
        """This policy's section of ``config`` (``config[key]``), or ``default`` when the
        section (or config) is absent. Check what you read: answer a bad section with
        ``Verdict.config_error(...)``."""
        if self.config is None or key not in self.config:
            return default
        return self.config[key]
