"""The Python SDK under plain CPython: `python3 -B sdk/python/tests/test_relgate.py`
(tests/authoring.rs runs it). Inside a component the same code talks to the host instead."""

import json
import math
import pathlib
import sys
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

import relgate  # noqa: E402
from relgate import Decision, Input, InvalidInput, InvalidVerdict, Outcome, Reason, Verdict  # noqa: E402
from relgate.objectives import Gate, InvalidObjective, Objective  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[3]


class InputTests(unittest.TestCase):
    def test_reads_the_example_release(self):
        input = Input.from_json((ROOT / "tests/data/inputs/passing.json").read_text())
        self.assertEqual(input.release.service, "checkout")
        self.assertEqual(input.release.labels, {"team": "payments"})
        self.assertEqual((input.tests.total, input.tests.failed, input.tests.skipped), (412, 0, 3))
        self.assertEqual(input.tests.duration_ms, 81234.5)
        self.assertEqual([m.name for m in input.metrics], ["http_error_rate", "p99_latency_ms"])
        self.assertEqual(input.metrics[1].value, 212.0)
        self.assertEqual(input.change.lines_added + input.change.lines_deleted, 1037)
        self.assertIsNone(input.config)
        self.assertIsNone(input.history)

    def test_absent_sections_are_none_and_counts_default_to_zero(self):
        input = Input.from_json('{"tests": {"total": 3}}')
        self.assertIsNone(input.metrics)
        self.assertIsNone(input.change)
        self.assertEqual((input.tests.total, input.tests.failed, input.tests.errors), (3, 0, 0))

    def test_non_finite_numbers_arrive_as_strings(self):
        input = Input.from_json('{"metrics": [{"name": "m", "value": "NaN", "baseline": "+Inf", "samples": [1, "-Inf"]}]}')
        metric = input.metrics[0]
        self.assertTrue(math.isnan(metric.value))
        self.assertEqual((metric.baseline, metric.samples), (math.inf, [1.0, -math.inf]))

    def test_unknown_fields_are_skipped(self):
        self.assertEqual(Input.from_json('{"tests": {"failed": 1, "later": true}, "later": {}}').tests.failed, 1)

    def test_wrong_types_name_the_field(self):
        cases = [
            ('{"tests": {"failed": "3"}}', "tests.failed: expected an unsigned integer"),
            ('{"tests": {"failed": -1}}', "tests.failed: expected an unsigned integer"),
            ('{"metrics": [{"name": "m", "value": true}]}', "metrics[0].value: expected a number"),
            ('{"change": {"files": [{"path": 3}]}}', "change.files[0].path: expected a string"),
            ('{"release": []}', "release: expected an object"),
            ("[]", "input: expected an object"),
        ]
        for text, words in cases:
            with self.assertRaises(InvalidInput, msg=text) as raised:
                Input.from_json(text)
            self.assertIn(words, str(raised.exception), text)

    def test_config_section_defaults_when_absent(self):
        self.assertEqual(Input.from_json("{}").config_section("my_gate", {"max": 1}), {"max": 1})
        input = Input.from_json('{"config": {"my_gate": {"max": 2}}}')
        self.assertEqual(input.config_section("my_gate", {}), {"max": 2})


class VerdictTests(unittest.TestCase):
    def test_document(self):
        verdict = Verdict(Decision.DENY).with_score(40).with_reason(
            Reason("tests.failed", Outcome.FAIL, "3 tests failed", observed=3, threshold=0))
        self.assertEqual(verdict.to_document(), {
            "decision": "deny", "score": 40.0,
            "reasons": [{"check": "tests.failed", "outcome": "fail", "message": "3 tests failed",
                         "observed": 3, "threshold": 0}],
        })

    def test_cannot_judge_and_config_error(self):
        self.assertEqual(Verdict.cannot_judge("tests.present", "no tests").to_document(), {
            "decision": "deny", "score": 0.0,
            "reasons": [{"check": "tests.present", "outcome": "fail", "message": "no tests"}]})
        self.assertEqual(Verdict.config_error("bad").reasons[0].check, relgate.CONFIG_CHECK)
        self.assertEqual(relgate.CONFIG_CHECK, "relgate.config")

    def test_invalid_verdicts_are_refused(self):
        for verdict in [Verdict(Decision.ALLOW, 100.5), Verdict(Decision.ALLOW, -1), Verdict(Decision.ALLOW, True),
                        Verdict(Decision.ALLOW, math.nan), Verdict("allow"),
                        Verdict(Decision.ALLOW, reasons=[Reason("a", "pass", "m")])]:
            with self.assertRaises(InvalidVerdict, msg=repr(verdict)):
                verdict.validate()
        Verdict(Decision.ROLLBACK, 0).validate()
        Verdict(Decision.ALLOW, 100).validate()

    def test_non_finite_observations_are_written_as_input_writes_them(self):
        reason = Reason("m", Outcome.FAIL, "m", observed=[math.nan, math.inf, -math.inf, 1.5], threshold=Outcome.PASS)
        document = Verdict(Decision.DENY, reasons=[reason]).to_document()
        self.assertEqual(document["reasons"][0]["observed"], ["NaN", "+Inf", "-Inf", 1.5])
        self.assertEqual(document["reasons"][0]["threshold"], "pass")
        json.dumps(document, allow_nan=False)

    def test_strictness(self):
        self.assertEqual(max([Decision.DENY, Decision.ROLLBACK, Decision.ALLOW], key=lambda d: d.strictness),
                         Decision.ROLLBACK)


class ExportTests(unittest.TestCase):
    def test_metadata_and_evaluation(self):
        def evaluate(input):
            bad = input.tests.failed if input.tests else 0
            return Verdict(Decision.DENY if bad else Decision.ALLOW, 0 if bad else 100)

        gate = relgate.export(evaluate, name="g", version="1.2.3", description="d", config="g_config",
                              language="python")()
        self.assertEqual(json.loads(gate.metadata()), {"name": "g", "version": "1.2.3", "language": "python",
                                                       "description": "d", "config": "g_config"})
        self.assertEqual(gate.evaluate('{"tests": {"failed": 2}}'), {"decision": "deny", "score": 0.0, "reasons": []})

    def test_bad_input_and_bad_answers_raise(self):
        gate = relgate.export(lambda input: "allow", name="g", version="1", description="d")()
        with self.assertRaises(TypeError):
            gate.evaluate("{}")
        with self.assertRaises(ValueError):
            gate.evaluate("{not json")

    def test_the_example_policy(self):
        sys.path.insert(0, str(ROOT / "policies/python"))
        import tests_gate

        gate = tests_gate.Gate()
        self.assertEqual(json.loads(gate.metadata())["name"], "tests-gate")
        failing = gate.evaluate((ROOT / "tests/data/inputs/failing.json").read_text())
        self.assertEqual((failing["decision"], failing["reasons"][0]["outcome"]), ("deny", "fail"))
        self.assertEqual(gate.evaluate("{}")["reasons"][0]["check"], "tests.present")


def metric(name, value, baseline=None):
    return relgate.Metric(name, value=value, baseline=baseline)


class ObjectiveTests(unittest.TestCase):
    # The Rust SDK's worked example (relgate_sdk::score::objectives): the same scores.
    def test_worked_example_scores(self):
        objectives = [
            Objective.from_json({"metric": "response_time_p95", "pass": ["<=+10%", "<600"], "warning": ["<=800"]}),
            Objective.from_json({"metric": "error_rate", "pass": ["<=1"], "key": True}),
            Objective.from_json({"metric": "throughput"}),
        ]
        cases = [  # (p95, baseline, error rate) -> (p95 status, score, gate status)
            (540, 500, 0.5, "pass", 100.0, "pass"),
            (560, 500, 0.5, "warning", 75.0, "warning"),
            (900, 500, 0.5, "fail", 50.0, "fail"),
            (540, 500, 2.0, "pass", 50.0, "fail"),
        ]
        for p95, baseline, errors, p95_status, score, status in cases:
            metrics = [metric("response_time_p95", p95, baseline), metric("error_rate", errors),
                       metric("throughput", 120)]
            result = Gate().evaluate(objectives, metrics)
            label = f"p95 {p95}, errors {errors}"
            self.assertEqual(result.objectives[0].status, p95_status, label)
            self.assertEqual(result.objectives[2].status, "info", label)
            self.assertEqual((result.score, result.status), (score, status), label)
        self.assertEqual(result.failed_keys, ["error_rate"])
        self.assertEqual(result.objectives[0].message, "response_time_p95 is 540, meeting <=+10% and <600")

    def test_no_data_rules(self):
        objectives = [Objective("present", ["<10"]), Objective("missing", ["<10"])]
        metrics = [metric("present", 1.0), metric("missing", math.nan)]
        for no_data, score, status, outcome in [("fail", 50.0, "fail", Outcome.FAIL), ("warn", 75.0, "warning", Outcome.WARN),
                                                ("pass", 100.0, "pass", Outcome.WARN), ("ignore", 100.0, "pass", Outcome.INFO)]:
            result = Gate(no_data=no_data).evaluate(objectives, metrics)
            self.assertEqual(result.objectives[1].status, "no_data", no_data)
            self.assertEqual(result.objectives[1].outcome, outcome, no_data)
            self.assertEqual((result.score, result.status), (score, status), no_data)

    def test_either_sets_and_weights(self):
        objectives = [Objective("a", [["<100"], ["<=+5%"]], weight=3), Objective("b", ["<1"])]
        result = Gate().evaluate(objectives, [metric("a", 150, 145), metric("b", 2)])
        self.assertEqual((result.objectives[0].status, result.score, result.status), ("pass", 75.0, "warning"))

    def test_invalid_objectives_are_config_errors(self):
        for bad in [lambda: Objective.from_json({"metric": "a", "pass": ["800"]}),
                    lambda: Objective.from_json({"metric": "a", "pas": ["<1"]}),
                    lambda: Objective.from_json({"metric": "a", "weight": "1"}),
                    lambda: Gate.from_json({"pass": 70, "warning": 80}).evaluate([], []),
                    lambda: Gate().evaluate([Objective("a", ["<1"], weight=-1)], [])]:
            with self.assertRaises(InvalidObjective):
                bad()


if __name__ == "__main__":
    unittest.main()
