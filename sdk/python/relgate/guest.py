"""The component glue: the host's ``log``, and `export`, which makes the class that
componentize-py exports as the ``gate`` interface of ``relgate:policy@1.0.0``
(sdk/wit/policy.wit).

The bindings (``wit_world``) exist only inside a component build; under plain CPython (a
policy's unit tests) `log` does nothing and `export` still makes a class whose methods can be
called, answering with the decision document as a dict.
"""

from __future__ import annotations

import enum
import json
import traceback
from typing import Any, Callable, Iterable, Optional, Union

from .input import Input
from .verdict import Verdict, json_value

try:  # Imported while componentize-py builds the component, so they are in its snapshot.
    from wit_world import exports as _exports
    from wit_world.exports import gate as _gate
    from wit_world.imports import host as _host
except ImportError:  # plain CPython
    _exports = _gate = _host = None


class Level(enum.Enum):
    """How loud a log message is."""

    ERROR = 0
    WARN = 1
    INFO = 2
    DEBUG = 3
    TRACE = 4


def log(level: Level, message: str) -> None:
    """Logs through the host: the message shows on relgate's stderr, tagged with the policy's
    name, subject to the host's limits (``--max-log-messages``, 1 KiB a message). Outside a
    component it does nothing. (``print`` has nowhere to go in a policy: it traps.)"""
    if _host is not None:
        _host.log(_host.Level[level.name], str(message))


def _json_text(value: Any) -> Optional[str]:
    if value is None:
        return None
    return json.dumps(json_value(value), allow_nan=False, ensure_ascii=False, separators=(",", ":"))


def _raised(error: BaseException) -> str:
    frames = traceback.extract_tb(error.__traceback__)
    where = f" (at {frames[-1].filename}:{frames[-1].lineno}, in {frames[-1].name})" if frames else ""
    return f"{type(error).__name__}: {error}{where}"


def _verdict(policy: Callable[[Input], Verdict], text: str) -> Verdict:
    try:
        input = Input.from_json(text)
    except ValueError as error:
        log(Level.ERROR, f"the input is not a release input this policy understands: {error}")
        raise
    try:
        verdict = policy(input)
        if not isinstance(verdict, Verdict):
            raise TypeError(f"the policy returned {type(verdict).__name__}, not a relgate.Verdict")
        verdict.validate()
    except BaseException as error:
        # The exception traps the evaluation; the log says why.
        log(Level.ERROR, f"policy raised {_raised(error)}")
        raise
    return verdict


def _output(verdict: Verdict) -> Any:
    reasons = [
        _gate.Reason(r.check, _gate.Outcome[r.outcome.name], r.message, _json_text(r.observed), _json_text(r.threshold))
        for r in verdict.reasons
    ]
    score = None if verdict.score is None else float(verdict.score)
    return _gate.Output_Verdict(_gate.Verdict(_gate.Decision[verdict.decision.name], score, reasons))


def export(
    evaluate: Callable[[Input], Verdict],
    *,
    name: str,
    version: str,
    description: str,
    config: Union[str, Iterable[str], None] = None,
    **metadata: Any,
) -> type:
    """The class componentize-py exports: assign it to ``Gate`` in the policy's module.

    ``evaluate`` takes an `Input` and returns a `Verdict`. The metadata document holds
    ``name`` (which names the policy in reports), ``version``, ``description``, ``config``
    (the sections of the input's ``config`` the policy reads: relgate refuses a config key no
    policy of an evaluation declares) and any other ``metadata`` keywords. An input that does
    not parse, an exception, or a return value that is not a valid `Verdict` is logged and
    traps the evaluation, which relgate reports as a fault.
    """
    document = {"name": name, "version": version, **metadata, "description": description}
    if config is not None:
        document["config"] = config if isinstance(config, str) else list(config)
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))

    class Gate(_exports.Gate if _exports is not None else object):  # type: ignore[misc]
        def metadata(self) -> str:
            return text

        def evaluate(self, input: str) -> Any:
            verdict = _verdict(evaluate, input)
            return _output(verdict) if _gate is not None else verdict.to_document()

    Gate.__doc__ = f"The relgate policy {name}."
    return Gate
