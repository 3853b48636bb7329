// relgate.js: a thin SDK for relgate policies in JavaScript and TypeScript, built as
// WebAssembly components of the world relgate:policy/policy (sdk/wit/policy.wit) by
// componentize.mjs. Types for TypeScript are in relgate.d.ts, beside this file.
//
// A policy module exports `gate = exportPolicy({name, version, description, evaluate})`;
// `evaluate` gets the parsed release input (docs/input.md) and returns a Verdict. Policies
// have no clock, no randomness, no filesystem and no network: time is the input's `now`.

import { log as hostLog } from "relgate:policy/host@1.0.0";

/** What may happen to the release. */
export const Decision = Object.freeze({ Allow: "allow", Deny: "deny", Rollback: "rollback" });

/** The outcome of one check. */
export const Outcome = Object.freeze({ Pass: "pass", Info: "info", Warn: "warn", Fail: "fail" });

/** The check of the reason Verdict.configError gives: the policy rejects its config. */
export const CONFIG_CHECK = "relgate.config";

const LEVELS = ["error", "warn", "info", "debug", "trace"];

/**
 * Logs a message through the host, tagged with the policy's name. `level` is "error",
 * "warn", "info", "debug" or "trace" (anything else is "info"). The host keeps at most
 * --max-log-messages per evaluation and truncates messages over 1 KiB.
 */
export function log(level, message) {
  hostLog(LEVELS.includes(level) ? level : "info", String(message));
}

/** One check behind a decision. */
export class Reason {
  constructor(check, outcome, message) {
    this.check = check;
    this.outcome = outcome;
    this.message = message;
    this.observed = undefined;
    this.threshold = undefined;
  }

  /** Sets what was measured: any JSON value. */
  withObserved(value) {
    this.observed = value;
    return this;
  }

  /** Sets the bound it was held to: any JSON value. */
  withThreshold(value) {
    this.threshold = value;
    return this;
  }
}

/** A policy's answer: a decision, an optional score (0 to 100) and the reasons behind it. */
export class Verdict {
  constructor(decision) {
    this.decision = decision;
    this.score = undefined;
    this.reasons = [];
  }

  static allow() {
    return new Verdict(Decision.Allow);
  }

  static deny() {
    return new Verdict(Decision.Deny);
  }

  static rollback() {
    return new Verdict(Decision.Rollback);
  }

  /**
   * A deny with score 0 and one failing reason: what a policy answers when it cannot judge
   * (a section it requires is missing, too little data).
   */
  static cannotJudge(check, message) {
    return Verdict.deny().withScore(0).withReason(new Reason(check, Outcome.Fail, message));
  }

  /**
   * A deny with score 0 and one failing `relgate.config` reason: what a policy answers when
   * its own config section is invalid. relgate reports it as an input error (relgate eval
   * exits 2), since nothing was judged.
   */
  static configError(message) {
    return Verdict.cannotJudge(CONFIG_CHECK, message);
  }

  withScore(score) {
    this.score = score;
    return this;
  }

  withReason(reason) {
    this.reasons.push(reason);
    return this;
  }
}

/** Thrown by configSection, and turned into Verdict.configError by exportPolicy. */
export class ConfigError extends Error {
  constructor(message) {
    super(message);
    this.name = "ConfigError";
  }
}

const isObject = (value) => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The policy's settings: `defaults` overlaid with the input's `config[name]`. Throws a
 * ConfigError for a section that is not an object, a setting `defaults` does not have, or a
 * setting of another JSON type than its default. Declare `name` in exportPolicy's `config`.
 */
export function configSection(input, name, defaults) {
  const section = input.config?.[name];
  if (section === undefined) return { ...defaults };
  if (!isObject(section)) throw new ConfigError(`config.${name} must be an object`);
  const kind = (value) => (value === null ? "null" : Array.isArray(value) ? "array" : typeof value);
  for (const [key, value] of Object.entries(section)) {
    if (!Object.hasOwn(defaults, key)) {
      const known = Object.keys(defaults).join(", ");
      throw new ConfigError(`config.${name} has an unknown setting \`${key}\` (the settings: ${known})`);
    }
    if (kind(value) !== kind(defaults[key])) {
      throw new ConfigError(`config.${name}.${key} must be ${kind(defaults[key])}, not ${kind(value)}`);
    }
  }
  return { ...defaults, ...section };
}

/**
 * A number of the input, where NaN and infinities travel as the strings "NaN", "+Inf" and
 * "-Inf" (docs/input.md); undefined for no value. Not finite means no data to judge.
 */
export function numberOf(value) {
  if (typeof value === "number") return value;
  if (typeof value !== "string") return undefined;
  const special = { nan: NaN, inf: Infinity, "+inf": Infinity, infinity: Infinity, "-inf": -Infinity };
  return special[value.toLowerCase()];
}

// Keptn-style criteria and objectives, as relgate_sdk::score::objectives in Rust.

const OPERATORS = [
  ["<=", (a, b) => a <= b],
  [">=", (a, b) => a >= b],
  ["<", (a, b) => a < b],
  [">", (a, b) => a > b],
  ["=", (a, b) => a === b],
];

/**
 * Parses one criterion: `<=800` compares the value itself, `<=+10%` compares it with its
 * baseline (at most 10 % above it). Throws a ConfigError for anything else.
 */
export function parseCriterion(text) {
  const t = String(text).trim();
  const found = OPERATORS.find(([op]) => t.startsWith(op));
  const invalid = () =>
    new ConfigError(
      `invalid criterion \`${t}\`: expected an operator (<, <=, =, >=, >) and a number, optionally a signed percentage (<=+10%)`,
    );
  if (!found) throw invalid();
  const [op, holds] = found;
  let rest = t.slice(op.length).trim();
  const relative = rest.endsWith("%");
  if (relative) rest = rest.slice(0, -1).trim().replace(/^\+/, "");
  if (!/^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(rest)) throw invalid();
  const bound = Number(rest);
  const shown = relative ? `${op}${bound >= 0 ? "+" : ""}${bound}%` : `${op}${bound}`;
  return {
    text: shown,
    /** true or false; undefined when it cannot be decided (relative, without a baseline). */
    check(value, baseline) {
      if (!relative) return holds(value, bound);
      if (!Number.isFinite(baseline)) return undefined;
      return holds(value, baseline * (1 + bound / 100));
    },
  };
}

// ["<=+10%", "<600"] is one set (all must hold); [["<500"], ["<=+5%"]] is two (any may).
function criteriaSets(criteria) {
  if (criteria === undefined || criteria.length === 0) return [];
  const sets = criteria.every(Array.isArray) ? criteria : [criteria];
  return sets.map((set) => set.map(parseCriterion));
}

function checkSets(sets, value, baseline) {
  let undecided = false;
  for (const set of sets) {
    const results = set.map((c) => c.check(value, baseline));
    if (results.every((r) => r === true)) return true;
    if (!results.includes(false)) undecided = true;
  }
  return undecided ? undefined : false;
}

const describe = (sets) => sets.map((set) => set.map((c) => c.text).join(" and ")).join(" or ");

/**
 * Scores objectives against the input's metrics, as Keptn does: each objective
 * (`{metric, pass, warning, weight = 1, key = false}`) earns its weight on pass, half on
 * warning, nothing on fail; the gate passes at `gate.pass` (90) percent of the points,
 * warns at `gate.warning` (75), and fails below, or when a key objective fails. A metric
 * without a finite value (or a relative criterion without a baseline) counts as
 * `gate.noData`: "fail" (the default), "warn", "pass" or "ignore". Returns
 * `{score, status, failedKeys, objectives: [{metric, status, score, weight, key, outcome, message}]}`,
 * status being "pass", "warning" or "fail" ("no_data" and "info" for objectives too).
 */
export function scoreObjectives(objectives, metrics, gate = {}) {
  const { pass = 90, warning = 75, noData = "fail" } = gate;
  if (!(warning >= 0 && warning <= pass && pass <= 100)) {
    throw new ConfigError(`thresholds must satisfy 0 <= warning (${warning}) <= pass (${pass}) <= 100`);
  }
  const results = objectives.map((objective) => {
    const { metric: name, weight = 1, key = false } = objective;
    if (!(Number.isFinite(weight) && weight >= 0)) {
      throw new ConfigError(`objective \`${name}\` has weight ${weight}; weights are non-negative numbers`);
    }
    const metric = (metrics ?? []).find((m) => m.name === name);
    const value = numberOf(metric?.value);
    const finite = Number.isFinite(value) ? value : undefined;
    const shown = finite === undefined ? undefined : Math.round(finite * 1e4) / 1e4;
    const baseline = numberOf(metric?.baseline);
    const passSets = criteriaSets(objective.pass);
    const warnSets = criteriaSets(objective.warning);
    const result = { metric: name, value: finite, status: "info", score: 0, weight, key, outcome: Outcome.Info };
    if (passSets.length === 0) {
      result.weight = 0;
      result.message = `${name} ${shown === undefined ? "has no value" : `is ${shown}`} (informational)`;
      return result;
    }
    let status;
    if (finite !== undefined) {
      const passed = checkSets(passSets, finite, baseline);
      const warned = passed === true || warnSets.length === 0 ? false : checkSets(warnSets, finite, baseline);
      if (passed === true) status = "pass";
      else if (warned === true) status = "warning";
      else if (passed === false && warned === false) status = "fail";
    }
    const criteria = describe(passSets);
    if (status === undefined) {
      result.status = "no_data";
      result.score = { fail: 0, warn: weight / 2, pass: weight, ignore: 0 }[noData] ?? 0;
      if (noData === "ignore") result.weight = 0;
      result.outcome = result.weight === 0 ? Outcome.Info : result.score > 0 ? Outcome.Warn : Outcome.Fail;
      result.message =
        shown === undefined
          ? `${name} has no value (pass: ${criteria})`
          : `${name} is ${shown} but has no baseline for the relative criteria ${criteria}`;
      return result;
    }
    result.status = status;
    result.score = { pass: weight, warning: weight / 2, fail: 0 }[status];
    result.outcome = { pass: Outcome.Pass, warning: Outcome.Warn, fail: Outcome.Fail }[status];
    result.message =
      status === "pass"
        ? `${name} is ${shown}, meeting ${criteria}`
        : status === "warning"
          ? `${name} is ${shown}, missing ${criteria} but meeting the warning criteria ${describe(warnSets)}`
          : `${name} is ${shown}, missing ${criteria}`;
    return result;
  });
  const possible = results.reduce((sum, r) => sum + r.weight, 0);
  const earned = results.reduce((sum, r) => sum + r.score, 0);
  const score = possible > 0 ? (earned / possible) * 100 : 100;
  const failedKeys = results
    .filter((r) => r.key && (r.status === "fail" || (r.status === "no_data" && noData === "fail")))
    .map((r) => r.metric);
  const status = failedKeys.length > 0 || score < warning ? "fail" : score < pass ? "warning" : "pass";
  return { score, status, failedKeys, objectives: results };
}

// The component's side: the verdict checked and typed for the WIT `output`.

const DECISIONS = Object.values(Decision);
const OUTCOMES = Object.values(Outcome);

function json(value, what) {
  if (value === undefined) return undefined;
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError(`${what} is not a JSON value`);
  return text;
}

function toOutput(verdict) {
  if (!isObject(verdict)) throw new TypeError("evaluate must return a Verdict");
  const { decision, score, reasons = [] } = verdict;
  if (!DECISIONS.includes(decision)) throw new TypeError(`decision must be one of ${DECISIONS.join(", ")}`);
  if (score !== undefined && score !== null && !(typeof score === "number" && score >= 0 && score <= 100)) {
    throw new TypeError(`score must be a number from 0 to 100, not ${score}`);
  }
  if (!Array.isArray(reasons)) throw new TypeError("reasons must be an array");
  return {
    tag: "verdict",
    val: {
      decision,
      score: score ?? undefined,
      reasons: reasons.map((r, i) => {
        if (!OUTCOMES.includes(r?.outcome)) throw new TypeError(`reasons[${i}].outcome must be one of ${OUTCOMES.join(", ")}`);
        return {
          check: String(r.check),
          outcome: r.outcome,
          message: String(r.message),
          observed: json(r.observed, `reasons[${i}].observed`),
          threshold: json(r.threshold, `reasons[${i}].threshold`),
        };
      }),
    },
  };
}

/**
 * Makes the component's `gate` export from a policy: `export const gate = exportPolicy({...})`.
 * `name`, `version` and `description` go into the metadata (with `language`, if given), and
 * so does `config`: the input config sections the policy reads (a string or an array), which
 * relgate requires to be declared. `evaluate(input)` gets the parsed input and returns a
 * Verdict (or an object of its shape); a ConfigError it throws becomes
 * Verdict.configError, and anything else it throws is logged and traps: a fault, which
 * relgate reports and which fails closed.
 */
export function exportPolicy({ name, version, description, language, config, evaluate }) {
  const metadata = JSON.stringify({ name, version, language, description, config });
  return {
    metadata: () => metadata,
    evaluate(input) {
      try {
        let verdict;
        try {
          verdict = evaluate(JSON.parse(input));
        } catch (error) {
          if (!(error instanceof ConfigError)) throw error;
          verdict = Verdict.configError(error.message);
        }
        return toOutput(verdict);
      } catch (error) {
        // SpiderMonkey's stack leaves the message out.
        log("error", `${error}${error?.stack ? `\n${error.stack}` : ""}`);
        throw error;
      }
    },
  };
}
