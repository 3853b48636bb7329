# relgate's built-in `readiness` policy (policies/readiness/src/lib.rs), ported to Rego.
#
# Written for the regorus comparison in benches: the same rules, read from the same input
# document the wasm policy gets (relgate's normalized input, serialized by the host), and
# answering the same decision document:
#
#     data.relgate.readiness.verdict ==
#         {"decision": "allow" | "deny", "score": n,
#          "reasons": [{"check", "outcome", "message", "observed"?, "threshold"?}]}
#
# The structure follows the Rust policy: the config (defaults, `config.readiness`
# overrides, validation), the objectives and the metrics they read, the Keptn-style gate
# (relgate_sdk::score::objectives), then the reasons. Criteria are parsed once into
# {"op", "rel", "v", "text"} objects; `text` is how the Rust policy prints them (its
# `threshold` and messages). Divergences from the Rust policy are listed in README.md.
package relgate.readiness

import rego.v1

# ---------------------------------------------------------------------------------------
# Config: `config.readiness`, with the Rust policy's defaults.

defaults := {
	"require_tests": true,
	"max_failed": 0,
	"max_errors": 0,
	"min_pass_rate": 99,
	"warn_pass_rate": 95,
	"max_flaky_rate": 5,
	"warn_flaky_rate": 10,
	"max_lines_changed": 1000,
	"warn_lines_changed": 2000,
	"max_files_changed": 50,
	"warn_files_changed": 100,
	"metric_tolerance": 10,
	"metric_warning_tolerance": 25,
	"objectives": null,
	"history": null,
	"gate": {},
	"quarantine": [],
}

# serde's field order, for its "expected one of" messages.
config_fields := [
	"require_tests", "max_failed", "max_errors", "min_pass_rate", "warn_pass_rate",
	"max_flaky_rate", "warn_flaky_rate", "max_lines_changed", "warn_lines_changed",
	"max_files_changed", "warn_files_changed", "metric_tolerance", "metric_warning_tolerance",
	"objectives", "history", "gate", "quarantine",
]

u64_fields := {"max_failed", "max_errors", "max_lines_changed", "warn_lines_changed", "max_files_changed", "warn_files_changed"}

f64_fields := {"min_pass_rate", "warn_pass_rate", "max_flaky_rate", "warn_flaky_rate", "metric_tolerance", "metric_warning_tolerance"}

history_defaults := {"metric_tolerance": 10, "metric_warning_tolerance": 25, "max_pass_rate_drop": 0, "warn_pass_rate_drop": 1}

history_fields := ["metric_tolerance", "metric_warning_tolerance", "max_pass_rate_drop", "warn_pass_rate_drop"]

gate_defaults := {"pass": 90, "warning": 75, "no_data": "fail"}

gate_fields := ["pass", "warning", "no_data"]

no_data_rules := ["fail", "warn", "pass", "ignore"]

objective_fields := ["metric", "pass", "warning", "weight", "key"]

raw := object.get(input, ["config", "readiness"], {})

config := object.union(defaults, raw)

gate := object.union(gate_defaults, config.gate)

# `history`, when set (null is unset, as serde's Option).
history_config := object.union(history_defaults, config.history) if config.history != null

quarantine := config.quarantine

# The quarantine globs for glob.match, with no delimiter (`*` crosses `/`, as in the Rust
# policy). glob.match (globset) also reads `\` escapes and `{a,b}` alternatives, which the
# Rust matcher takes literally: quote them.
quarantine_globs := [replace(replace(replace(g, "\\", "\\\\"), "{", "\\{"), "}", "\\}") | some g in quarantine]

# --- Validation: what serde refuses (`deny_unknown_fields`, types). serde stops at the first
# error in key order (serde_json's sorted map); so does `config_error`.

config_errors[key] := msg if {
	not is_object(raw)
	key := ""
	msg := sprintf("invalid type: %s, expected struct Config", [unexpected(raw)])
}

config_errors[key] := msg if {
	is_object(raw)
	some key, value in raw
	msg := field_error(key, value)
}

field_error(key, _) := msg if {
	not key in config_fields
	msg := unknown_field(key, config_fields)
}

field_error("require_tests", v) := type_error(v, "a boolean") if not is_boolean(v)

field_error(key, v) := msg if {
	key in u64_fields
	msg := u64_error(v)
}

field_error(key, v) := type_error(v, "f64") if {
	key in f64_fields
	not is_number(v)
}

field_error("quarantine", v) := msg if {
	msg := sequence_of_strings_error(v)
}

field_error("gate", v) := msg if msg := struct_type_error(v, "Gate")

field_error("gate", v) := msg if {
	is_object(v)
	errors := [e | some k, x in v; e := gate_field_error(k, x)]
	msg := errors[0]
}

field_error("history", v) := msg if {
	v != null
	msg := struct_type_error(v, "HistoryConfig")
}

field_error("history", v) := msg if {
	is_object(v)
	errors := [e | some k, x in v; e := history_field_error(k, x)]
	msg := errors[0]
}

field_error("objectives", v) := type_error(v, "a sequence") if {
	v != null
	not is_array(v)
}

field_error("objectives", v) := msg if {
	is_array(v)
	errors := [e | some o in v; e := objective_error(o)]
	msg := errors[0]
}

gate_field_error(k, _) := unknown_field(k, gate_fields) if not k in gate_fields

gate_field_error("no_data", v) := msg if {
	not v in no_data_rules
	msg := variant_error(v)
}

gate_field_error(key, v) := type_error(v, "f64") if {
	key in {"pass", "warning"}
	not is_number(v)
}

history_field_error(k, _) := unknown_field(k, history_fields) if not k in history_fields

history_field_error(k, v) := type_error(v, "f64") if {
	k in history_fields
	not is_number(v)
}

struct_type_error(v, name) := sprintf("invalid type: %s, expected struct %s", [unexpected(v), name]) if not is_object(v)

objective_error(o) := sprintf("invalid type: %s, expected struct Objective", [unexpected(o)]) if not is_object(o)

objective_error(o) := msg if {
	is_object(o)
	errors := [e | some k, x in o; e := objective_field_error(k, x)]
	msg := errors[0]
}

objective_error(o) := "missing field `metric`" if {
	is_object(o)
	every k, x in o { not objective_field_error(k, x) }
	not "metric" in object.keys(o)
}

objective_field_error(k, _) := unknown_field(k, objective_fields) if not k in objective_fields

objective_field_error("metric", v) := type_error(v, "a string") if not is_string(v)

objective_field_error(k, v) := "data did not match any variant of untagged enum Criteria" if {
	k in {"pass", "warning"}
	not criteria_sets(v)
}

objective_field_error("weight", v) := type_error(v, "f64") if not is_number(v)

objective_field_error("key", v) := type_error(v, "a boolean") if not is_boolean(v)

u64_error(v) := type_error(v, "u64") if not is_number(v)

u64_error(v) := sprintf("invalid value: integer `%v`, expected u64", [v]) if {
	is_number(v)
	v < 0
	v == floor(v)
}

u64_error(v) := sprintf("invalid type: floating point `%v`, expected u64", [v]) if {
	is_number(v)
	v != floor(v)
}

sequence_of_strings_error(v) := type_error(v, "a sequence") if not is_array(v)

sequence_of_strings_error(v) := msg if {
	is_array(v)
	errors := [type_error(s, "a string") | some s in v; not is_string(s)]
	msg := errors[0]
}

unknown_field(key, fields) := sprintf("unknown field `%s`, expected one of %s", [key, concat(", ", [sprintf("`%s`", [f]) | some f in fields])])

variant_error(v) := sprintf("unknown variant `%s`, expected one of `fail`, `warn`, `pass`, `ignore`", [v]) if is_string(v)

variant_error(v) := type_error(v, "string or map") if not is_string(v)

type_error(v, expected) := sprintf("invalid type: %s, expected %s", [unexpected(v), expected])

# serde's words for a JSON value (serde::de::Unexpected). Rego numbers do not say whether
# they were written as integers or floats: integral ones are called integers.
unexpected(v) := "null" if v == null

unexpected(v) := sprintf("boolean `%v`", [v]) if is_boolean(v)

unexpected(v) := sprintf("integer `%v`", [v]) if {
	is_number(v)
	v == floor(v)
}

unexpected(v) := sprintf("floating point `%v`", [v]) if {
	is_number(v)
	v != floor(v)
}

unexpected(v) := sprintf("string %s", [json.marshal(v)]) if is_string(v)

unexpected(v) := "sequence" if is_array(v)

unexpected(v) := "map" if is_object(v)

config_error := sprintf("config.readiness is invalid: %s", [config_errors[min(object.keys(config_errors))]]) if count(config_errors) > 0

# Gate::evaluate's checks, made after the cannot-judge ones as in the Rust policy.
gate_error := sprintf(
	"config.readiness is invalid: thresholds must satisfy 0 <= warning (%v) <= pass (%v) <= 100",
	[gate.warning, gate.pass],
) if not valid_thresholds

gate_error := sprintf("config.readiness is invalid: objective `%s` has weight %v; weights are non-negative numbers", [o.metric, o.weight]) if {
	valid_thresholds
	negative := [o | some o in objectives; o.weight < 0]
	o := negative[0]
}

valid_thresholds if {
	0 <= gate.warning
	gate.warning <= 100
	gate.warning <= gate.pass
	gate.pass <= 100
}

# ---------------------------------------------------------------------------------------
# Criteria: `<=800` (absolute) or `<=+10%` (relative to the baseline), parsed into
# {"op", "rel", "v", "text"}; a criteria value is a list of sets (all of a set must hold,
# any set may).

# The sets of a config criteria value (null: none; ["<1", ">0"]: one set; [["<1"], [">0"]]:
# several), undefined when it does not parse.
criteria_sets(null) := []

criteria_sets([]) := []

criteria_sets(v) := [set] if {
	is_array(v)
	count(v) > 0
	set := string_set(v)
}

criteria_sets(v) := sets if {
	is_array(v)
	count(v) > 0
	every s in v { is_array(s) }
	sets := [set | some s in v; set := string_set(s)]
	count(sets) == count(v)
}

# A list of criterion strings, parsed; undefined unless each parses.
string_set(v) := set if {
	is_array(v)
	every c in v { is_string(c) }
	set := [parse_criterion(c) | some c in v]
	count(set) == count(v)
}

# The criteria as the Rust policy serializes them (its reasons' `threshold`).
criteria_json(null) := null

criteria_json(v) := [c.text | some c in string_set(v)] if {
	is_array(v)
	every c in v { is_string(c) }
}

criteria_json(v) := [[c.text | some c in set] | some set in criteria_sets(v)] if {
	is_array(v)
	count(v) > 0
	every s in v { is_array(s) }
}

ops := ["<=", ">=", "<", ">", "="]

parse_criterion(s) := c if {
	t := trim_space(s)
	prefixes := [op | some op in ops; startswith(t, op)]
	op := prefixes[0]
	rest := trim_space(substring(t, count(op), -1))
	c := parse_bound(op, rest)
}

parse_bound(op, rest) := relative(op, v) if {
	endswith(rest, "%")
	v := parse_f64(trim_left(trim_space(trim_suffix(rest, "%")), "+"))
}

parse_bound(op, rest) := absolute(op, v) if {
	not endswith(rest, "%")
	v := parse_f64(rest)
}

# Rust's f64 parse, as far as to_number (JSON numbers) allows: a leading `+`, `.5` and `5.`
# are accepted; `inf`, `nan` and leading zeros (`05`) are not (an invalid criterion, where
# the Rust policy takes them).
parse_f64(s) := to_number(n) if {
	n := json_number(trim_prefix(s, "+"))
	# to_number fails the evaluation on anything else: check first.
	regex.match(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`, n)
}

json_number(s) := concat("", ["-0", substring(s, 1, -1)]) if startswith(s, "-.")

json_number(s) := concat("", ["0", s]) if startswith(s, ".")

json_number(s) := concat("", [s, "0"]) if {
	endswith(s, ".")
	not startswith(s, ".")
	not startswith(s, "-.")
}

json_number(s) := s if {
	not startswith(s, ".")
	not startswith(s, "-.")
	not endswith(s, ".")
}

absolute(op, v) := {"op": op, "rel": false, "v": v, "text": sprintf("%s%v", [op, v])}

relative(op, p) := {"op": op, "rel": true, "v": p, "text": sprintf("%s%s%%", [op, signed(p)])}

# `{:+}`: the sign always shown.
signed(p) := sprintf("+%v", [p]) if p >= 0

signed(p) := sprintf("%v", [p]) if p < 0

# Relative criteria for a metric with a baseline, in its bad direction (`tolerance`).
# The Rust policy negates the tolerance for the decrease side: -0.0 prints as `-0`.
tolerance("increase", p) := [[relative("<=", p)]]

tolerance("decrease", p) := [[down(p)]]

tolerance("either", p) := [[relative("<=", p), down(p)]]

down(p) := relative(">=", 0 - p) if p != 0

down(0) := {"op": ">=", "rel": true, "v": 0, "text": ">=-0%"}

# Tri-state results: "t" holds, "f" fails, "u" cannot be decided (a relative criterion
# without a finite baseline).
criterion(c, v, b) := "u" if {
	c.rel
	not is_number(b)
} else := "t" if {
	holds(c.op, v, bound(c, b))
} else := "f"

bound(c, b) := b * (1 + c.v / 100) if c.rel

bound(c, _) := c.v if not c.rel

holds("<", a, b) if a < b

holds("<=", a, b) if a <= b

holds("=", a, b) if a == b

holds(">=", a, b) if a >= b

holds(">", a, b) if a > b

# A set holds when all its criteria do.
set_result(set, v, b) := all_of({criterion(c, v, b) | some c in set})

all_of(rs) := "f" if {
	"f" in rs
} else := "u" if {
	"u" in rs
} else := "t"

# Criteria hold when any set does.
criteria_result(sets, v, b) := any_of({set_result(s, v, b) | some s in sets})

any_of(rs) := "t" if {
	"t" in rs
} else := "u" if {
	"u" in rs
} else := "f"

describe(sets) := concat(" or ", [concat(" and ", [c.text | some c in set]) | some set in sets])

# ---------------------------------------------------------------------------------------
# Tests, quarantine and failures.

tests := input.tests

count_of(t, key) := object.get(t, key, 0)

failures := object.get(input, ["tests", "failures"], [])

failure_id(f) := f.name if object.get(f, "suite", "") == ""

failure_id(f) := concat("::", [f.suite, f.name]) if object.get(f, "suite", "") != ""

is_quarantined(f) if {
	some g in quarantine_globs
	glob.match(g, null, failure_id(f))
}

is_quarantined(f) if {
	some g in quarantine_globs
	glob.match(g, null, f.name)
}

# Matched once: the indexes of the quarantined failures.
quarantined_indexes := {i | some i, f in failures; is_quarantined(f)}

quarantined := [f | some i, f in failures; quarantined_indexes[i]]

counted := [f | some i, f in failures; not quarantined_indexes[i]] if count(quarantined) > 0

counted := failures if count(quarantined) == 0

quarantined_of(kind) := count([f | some f in quarantined; f.kind == kind])

sub(a, b) := max([a - b, 0])

percent(_, 0) := 100

percent(part, whole) := (part / whole) * 100 if whole != 0

# ---------------------------------------------------------------------------------------
# Objectives and the metrics they read, in the Rust policy's order: tests, change, metrics
# (derived or explicit), history. Each objective: {"metric", "pass", "warning" (lists of
# sets), "threshold" (the pass criteria as serialized, null for none), "weight", "key"}.

objective(metric, pass, warning, key) := {
	"metric": metric, "pass": pass, "warning": warning,
	"threshold": [c.text | some c in pass[0]],
	"weight": 1, "key": key,
}

test_metrics := [
	{"name": "tests.failed", "value": sub(count_of(tests, "failed"), quarantined_of("failure"))},
	{"name": "tests.errors", "value": sub(count_of(tests, "errors"), quarantined_of("error"))},
	{"name": "tests.pass_rate", "value": percent(count_of(tests, "passed"), run)},
	# Of the tests run, as the pass rate: skipped tests must not dilute it.
	{"name": "tests.flaky_rate", "value": percent(count_of(tests, "flaky"), run)},
] if tests

test_metrics := [] if not tests

# Quarantined failures count as tests not run.
run := sub(count_of(tests, "total"), (count_of(tests, "skipped") + count(quarantined)))

test_objectives := [
	objective("tests.failed", [[absolute("<=", config.max_failed)]], [], true),
	objective("tests.errors", [[absolute("<=", config.max_errors)]], [], true),
	objective("tests.pass_rate", [[absolute(">=", config.min_pass_rate)]], [[absolute(">=", config.warn_pass_rate)]], false),
	objective("tests.flaky_rate", [[absolute("<=", config.max_flaky_rate)]], [[absolute("<=", config.warn_flaky_rate)]], false),
] if tests

test_objectives := [] if not tests

change_metrics := [
	{"name": "change.lines", "value": count_of(input.change, "lines_added") + count_of(input.change, "lines_deleted")},
	{"name": "change.files", "value": count_of(input.change, "files_changed")},
] if input.change

change_metrics := [] if not input.change

change_objectives := [
	objective("change.lines", [[absolute("<=", config.max_lines_changed)]], [[absolute("<=", config.warn_lines_changed)]], false),
	objective("change.files", [[absolute("<=", config.max_files_changed)]], [[absolute("<=", config.warn_files_changed)]], false),
] if input.change

change_objectives := [] if not input.change

input_metrics := object.get(input, "metrics", [])

direction(m) := object.get(m, "direction", "either")

# The criteria depend on the direction only: built once per direction, not per metric.
metric_tolerances := {d: [tolerance(d, config.metric_tolerance), tolerance(d, config.metric_warning_tolerance)] |
	some d in ["increase", "decrease", "either"]
}

metric_objectives := [objective(m.name, t[0], t[1], false) |
	some m in input_metrics
	object.get(m, "baseline", null) != null
	t := metric_tolerances[direction(m)]
] if config.objectives == null

# Explicit Keptn-style objectives replace the derived ones.
metric_objectives := [explicit(o) | some o in config.objectives] if config.objectives != null

explicit(o) := {
	"metric": o.metric,
	"pass": criteria_sets(object.get(o, "pass", null)),
	"warning": criteria_sets(object.get(o, "warning", null)),
	"threshold": criteria_json(object.get(o, "pass", null)),
	"weight": object.get(o, "weight", 1),
	"key": object.get(o, "key", false),
}

# History: against the newest allowed release in the input's history.
last_pass := allowed[0] if {
	history_config
	allowed := [e | some e in input.history; e.decision == "allow"]
}

# The pass rate of a `tests` object, if it has counts (as_u64: non-negative integers).
history_pass_rate(t) := percent(u64_or_zero(t, "passed"), sub(t.total, u64_or_zero(t, "skipped"))) if is_u64(t.total)

is_u64(v) if {
	is_number(v)
	v >= 0
	v == floor(v)
}

u64_or_zero(t, key) := t[key] if is_u64(t[key])

u64_or_zero(t, key) := 0 if not is_u64(t[key])

history_pass_rate_before := history_pass_rate(last_pass.tests) if tests

history_pass_rate_parts := [{
	"metric": {
		"name": "history.tests.pass_rate",
		"value": percent(count_of(tests, "passed"), sub(count_of(tests, "total"), count_of(tests, "skipped"))),
		"baseline": history_pass_rate_before,
	},
	"objective": objective(
		"history.tests.pass_rate",
		[[absolute(">=", history_pass_rate_before - history_config.max_pass_rate_drop)]],
		[[absolute(">=", history_pass_rate_before - history_config.warn_pass_rate_drop)]],
		false,
	),
}] if history_pass_rate_before

history_pass_rate_parts := [] if not history_pass_rate_before

earlier_metrics := [m | some m in object.get(last_pass, "metrics", []); is_string(m.name); is_number(m.value)] if is_array(object.get(last_pass, "metrics", []))

earlier_metrics := [] if not is_array(object.get(last_pass, "metrics", []))

history_metric_parts := [{
	"metric": {"name": name, "value": m.value, "baseline": before[0]},
	"objective": objective(name, t[0], t[1], false),
} |
	some m in input_metrics
	object.get(m, "value", null) != null
	before := [e.value | some e in earlier_metrics; e.name == m.name]
	count(before) > 0
	name := concat(".", ["history", m.name])
	t := history_tolerances[direction(m)]
]

history_tolerances := {d: [tolerance(d, history_config.metric_tolerance), tolerance(d, history_config.metric_warning_tolerance)] |
	some d in ["increase", "decrease", "either"]
}

history_parts := array.concat(history_pass_rate_parts, history_metric_parts) if last_pass

history_parts := [] if not last_pass

objectives := array.concat(
	array.concat(test_objectives, change_objectives),
	array.concat(metric_objectives, [p.objective | some p in history_parts]),
)

metrics := array.concat(
	array.concat(test_metrics, change_metrics),
	array.concat(input_metrics, [p.metric | some p in history_parts]),
)

# Metrics by name, the first of a name winning: a plain object when names are unique.
metric_names := {m.name | some m in metrics}

metric_by_name := {m.name: m | some m in metrics} if {
	count(metric_names) == count(metrics)
} else := {name: ms[0] | some name in metric_names; ms := [m | some m in metrics; m.name == name]}

# ---------------------------------------------------------------------------------------
# The gate: every objective's result, the score, the status.

results := [result(o, object.get(metric_by_name, o.metric, {})) | some o in objectives]

# A metric's value or baseline, if a finite number (NaN and infinities are strings).
finite(m, key) := object.get(m, key, null) if is_number(object.get(m, key, null))

finite(m, key) := null if not is_number(object.get(m, key, null))

result(o, m) := r if {
	count(o.pass) == 0
	v := finite(m, "value")
	r := {
		"metric": o.metric, "value": v, "status": "info", "score": 0, "weight": 0, "key": o.key,
		"message": informational(o.metric, v),
	}
}

result(o, m) := r if {
	count(o.pass) > 0
	v := finite(m, "value")
	status := objective_status(o, v, finite(m, "baseline"))
	scored := score_of(status, o.weight)
	r := {
		"metric": o.metric, "value": v, "status": status, "score": scored[0], "weight": scored[1],
		"key": o.key, "message": objective_message(o, status, v),
	}
}

objective_status(_, null, _) := "no_data"

objective_status(o, v, b) := s if {
	v != null
	s := after_pass(criteria_result(o.pass, v, b), o, v, b)
}

after_pass("t", _, _, _) := "pass"

after_pass(p, o, v, b) := s if {
	p != "t"
	s := after_warning(p, warning_result(o, v, b))
}

warning_result(o, _, _) := "f" if count(o.warning) == 0

warning_result(o, v, b) := criteria_result(o.warning, v, b) if count(o.warning) > 0

after_warning(_, "t") := "warning"

after_warning("f", "f") := "fail"

after_warning(p, w) := "no_data" if {
	w != "t"
	[p, w] != ["f", "f"]
}

# [points earned, points possible]: a warning earns half the weight; no data what the gate's
# `no_data` says (`ignore` leaves it out of the score).
score_of("no_data", w) := [w * no_data_earns[gate.no_data], w] if gate.no_data != "ignore"

score_of("no_data", _) := [0, 0] if gate.no_data == "ignore"

score_of(status, w) := [w * status_earns[status], w] if status != "no_data"

status_earns := {"pass": 1, "warning": 0.5, "fail": 0}

no_data_earns := {"fail": 0, "warn": 0.5, "pass": 1}

# Values are shown to 4 decimals.
shown(v) := round(v * 10000) / 10000

informational(metric, null) := sprintf("%s has no value (informational)", [metric])

informational(metric, v) := sprintf("%s is %v (informational)", [metric, shown(v)]) if v != null

objective_message(o, "no_data", null) := sprintf("%s has no value (pass: %s)", [o.metric, describe(o.pass)])

objective_message(o, "no_data", v) := sprintf("%s is %v but has no baseline for the relative criteria %s", [o.metric, shown(v), describe(o.pass)]) if v != null

objective_message(o, "pass", v) := sprintf("%s is %v, meeting %s", [o.metric, shown(v), describe(o.pass)])

objective_message(o, "warning", v) := sprintf(
	"%s is %v, missing %s but meeting the warning criteria %s",
	[o.metric, shown(v), describe(o.pass), describe(o.warning)],
)

objective_message(o, "fail", v) := sprintf("%s is %v, missing %s", [o.metric, shown(v), describe(o.pass)])

possible := sum([r.weight | some r in results])

earned := sum([r.score | some r in results])

score := (earned / possible) * 100 if possible > 0

score := 100 if possible <= 0

failed_keys := [r.metric |
	some r in results
	r.key
	key_failed(r.status)
]

key_failed("fail") := true

key_failed("no_data") if gate.no_data == "fail"

status := "fail" if {
	count(failed_keys) > 0
} else := "fail" if {
	score < gate.warning
} else := "warning" if {
	score < gate.pass
} else := "pass"

# ---------------------------------------------------------------------------------------
# The reasons.

outcome(r) := o if {
	o := status_outcomes[r.status]
} else := "info" if {
	r.weight == 0
} else := "warn" if {
	r.score > 0
} else := "fail"

status_outcomes := {"pass": "pass", "warning": "warn", "fail": "fail", "info": "info"}

check_name(metric) := metric if {
	startswith(metric, "tests.")
} else := metric if {
	startswith(metric, "change.")
} else := metric if {
	startswith(metric, "history.")
} else := concat(".", ["metrics", metric])

failure_kinds := {"tests.failed": "failure", "tests.errors": "error"}

# A failing tests.failed or tests.errors names the first failing tests of its kind.
named_message(r, "pass") := r.message

named_message(r, outcome) := r.message if {
	outcome != "pass"
	not failure_kinds[r.metric]
}

named_message(r, outcome) := concat("", [r.message, name_failures([f | some f in counted; f.kind == kind])]) if {
	outcome != "pass"
	kind := failure_kinds[r.metric]
}

# `: a::b (message), c::d (message) and 3 more`.
name_failures([]) := ""

name_failures(fs) := concat("", [": ", concat(", ", [named(f) | some f in array.slice(fs, 0, 5)]), more(count(fs) - 5)]) if count(fs) > 0

more(n) := sprintf(" and %d more", [n]) if n > 0

more(n) := "" if n <= 0

named(f) := failure_id(f) if excerpt(object.get(f, "message", "")) == ""

named(f) := sprintf("%s (%s)", [failure_id(f), e]) if {
	e := excerpt(object.get(f, "message", ""))
	e != ""
}

# The first line (Rust's str::lines: `\r\n` ends a line too), cut at 80 characters.
excerpt(message) := cut(first_line(message))

first_line(message) := line if {
	lines := split(message, "\n")
	count(lines) > 1
	line := trim_suffix(lines[0], "\r")
}

first_line(message) := message if not contains(message, "\n")

cut(line) := concat("", [substring(line, 0, 80), "…"]) if substring(line, 80, 1) != ""

cut(line) := line if substring(line, 80, 1) == ""

objective_reasons := [reason(check_name(r.metric), out, named_message(r, out), r.value, objectives[i].threshold) |
	some i, r in results
	out := outcome(r)
]

reason(check, out, message, observed, threshold) := {k: v |
	some k, v in {"check": check, "outcome": out, "message": message, "observed": observed, "threshold": threshold}
	v != null
}

no_history_reasons := [reason(
	"history.last_pass", "info",
	"no earlier allowed release in the input's history: nothing to compare with", null, null,
)] if {
	history_config
	not last_pass
}

no_history_reasons := [] if not history_config

no_history_reasons := [] if last_pass

quarantine_reasons := [reason(
	"tests.quarantined", "warn",
	sprintf("%d quarantined (known-flaky) tests failed and were not counted%s", [count(quarantined), name_failures(quarantined)]),
	count(quarantined), quarantine,
)] if count(quarantined) > 0

quarantine_reasons := [] if count(quarantined) == 0

status_outcome := {"pass": "pass", "warning": "warn", "fail": "fail"}

# Rust's `{:.1}`: the exact value rounded to one decimal, an exact tie to even. Scores (sums
# of weights and half weights over a total) often end in .25 or .75, the only exact ties;
# others are rounded from x * 10, which can differ from Rust's exact rounding when x is
# within an ulp of a tie (not seen with scores).
one_decimal(x) := tenths(n + (n % 2)) if {
	q := x * 4
	q == floor(q)
	q % 2 == 1
	n := floor(x * 10)
} else := tenths(round(x * 10))

tenths(n) := sprintf("%d.%d", [floor(n / 10), n % 10])

summary := concat("", [
	sprintf("score %s of 100 is a %s (pass at %v, warning at %v)", [one_decimal(score), status, gate.pass, gate.warning]),
	keys_failed_summary,
])

keys_failed_summary := sprintf("; key objectives failed: %s", [concat(", ", failed_keys)]) if count(failed_keys) > 0

keys_failed_summary := "" if count(failed_keys) == 0

# ---------------------------------------------------------------------------------------
# The verdict.

cannot_judge(check, message) := {
	"decision": "deny",
	"score": 0,
	"reasons": [{"check": check, "outcome": "fail", "message": message}],
}

verdict := cannot_judge("relgate.config", config_error) if {
	config_error
} else := cannot_judge(
	"tests.present",
	"the input has no test results; set config.readiness.require_tests to false to gate without them",
) if {
	not tests
	config.require_tests
} else := cannot_judge(
	"history.present",
	"config.readiness.history compares with earlier releases, but the input has no history; give the gate `history = N` (docs/decision-log.md)",
) if {
	history_config
	not input.history
} else := cannot_judge("relgate.config", gate_error) if {
	gate_error
} else := {
	"decision": decision,
	"score": round(score * 100) / 100,
	"reasons": array.concat(
		array.concat(objective_reasons, no_history_reasons),
		array.concat(quarantine_reasons, [reason("readiness.score", status_outcome[status], summary, score, null)]),
	),
}

decision := "allow" if status == "pass"

decision := "deny" if status != "pass"
