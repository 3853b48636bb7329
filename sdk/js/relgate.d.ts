// Types of relgate.js, the SDK for relgate policies in JavaScript and TypeScript, and of the
// release input (docs/input.md). Every section of the input may be absent: read an absent
// section as no data, never as zero.

/** What may happen to the release. */
export type Decision = "allow" | "deny" | "rollback";
export declare const Decision: { readonly Allow: "allow"; readonly Deny: "deny"; readonly Rollback: "rollback" };

/** The outcome of one check. */
export type Outcome = "pass" | "info" | "warn" | "fail";
export declare const Outcome: { readonly Pass: "pass"; readonly Info: "info"; readonly Warn: "warn"; readonly Fail: "fail" };

/** A log level; anything else logs as "info". */
export type Level = "error" | "warn" | "info" | "debug" | "trace";

/** The check of the reason Verdict.configError gives. */
export declare const CONFIG_CHECK: "relgate.config";

/** Any JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A number where NaN and infinities travel as the strings "NaN", "+Inf" and "-Inf". */
export type Num = number | "NaN" | "+Inf" | "-Inf";

export interface Release {
  service?: string;
  version?: string;
  environment?: string;
  stage?: string;
  labels?: Record<string, string>;
}

export interface Suite {
  name: string;
  total?: number;
  failed?: number;
  errors?: number;
  skipped?: number;
  duration_ms?: number;
}

export interface Failure {
  suite?: string;
  name: string;
  kind?: "failure" | "error";
  message?: string;
}

/** Test results; counts default to 0 when the section is present. */
export interface Tests {
  total?: number;
  passed?: number;
  failed?: number;
  errors?: number;
  skipped?: number;
  flaky?: number;
  duration_ms?: number;
  suites?: Suite[];
  failures?: Failure[];
}

export interface Metric {
  name: string;
  /** Absent or null: no data. */
  value?: Num | null;
  unit?: string;
  baseline?: Num | null;
  samples?: Num[];
  baseline_samples?: Num[];
  /** Which change is a regression; absent means "either". */
  direction?: "increase" | "decrease" | "either";
  labels?: Record<string, string>;
}

export interface ChangedFile {
  path: string;
  previous_path?: string;
  status?: "added" | "modified" | "deleted" | "renamed" | "copied";
  binary?: boolean;
  lines_added?: number;
  lines_deleted?: number;
}

/** The change being released; counts default to 0 when the section is present. */
export interface Change {
  base?: string;
  head?: string;
  commits?: number;
  authors?: number;
  files_changed?: number;
  lines_added?: number;
  lines_deleted?: number;
  directories?: number;
  entropy?: number;
  sensitive?: string[];
  files?: ChangedFile[];
}

/** The release input (docs/input.md), canonical compact JSON parsed. */
export interface Input {
  release?: Release;
  /** The evaluation time, RFC 3339 in UTC: the only time a policy sees. */
  now?: string;
  tests?: Tests;
  metrics?: Metric[];
  change?: Change;
  history?: { [key: string]: Json }[];
  /** Policy settings, one section per top-level key; read yours with configSection. */
  config?: { [section: string]: Json };
}

/** Logs a message through the host, tagged with the policy's name. */
export declare function log(level: Level, message: string): void;

/** One check behind a decision. */
export declare class Reason {
  constructor(check: string, outcome: Outcome, message: string);
  /** A stable, dotted identifier (`tests.failed`); `relgate.` is the host's, but for relgate.config. */
  check: string;
  outcome: Outcome;
  /** A sentence for people. */
  message: string;
  /** What was measured. */
  observed?: Json;
  /** The bound it was held to. */
  threshold?: Json;
  withObserved(value: Json): this;
  withThreshold(value: Json): this;
}

/** The shape exportPolicy's `evaluate` may return: a Verdict, or a plain object like one. */
export interface VerdictLike {
  decision: Decision;
  /** 0 to 100, higher is healthier. */
  score?: number;
  reasons?: {
    check: string;
    outcome: Outcome;
    message: string;
    observed?: Json;
    threshold?: Json;
  }[];
}

/** A policy's answer. */
export declare class Verdict implements VerdictLike {
  constructor(decision: Decision);
  decision: Decision;
  score?: number;
  reasons: Reason[];
  static allow(): Verdict;
  static deny(): Verdict;
  static rollback(): Verdict;
  /** A deny with score 0 and one failing reason: when the policy cannot judge. */
  static cannotJudge(check: string, message: string): Verdict;
  /** A deny with score 0 and one failing relgate.config reason: relgate reports it as an input error. */
  static configError(message: string): Verdict;
  withScore(score: number): this;
  withReason(reason: Reason): this;
}

/** Thrown by configSection; exportPolicy answers it with Verdict.configError. */
export declare class ConfigError extends Error {
  constructor(message: string);
}

/**
 * The policy's settings: `defaults` overlaid with `input.config[name]`; a section that is not
 * an object, an unknown setting or one of another JSON type than its default throws a ConfigError.
 */
export declare function configSection<T extends { [key: string]: Json }>(input: Input, name: string, defaults: T): T;

/** A number of the input ("NaN", "+Inf", "-Inf" read as such); undefined for no value. */
export declare function numberOf(value: Num | null | undefined): number | undefined;

/** One criterion, `<=800` or `<=+10%` (relative to the baseline). */
export interface Criterion {
  text: string;
  /** undefined when it cannot be decided: a relative criterion without a baseline. */
  check(value: number, baseline?: number): boolean | undefined;
}

/** Parses a criterion; throws a ConfigError if it is not one. */
export declare function parseCriterion(text: string): Criterion;

/** Criteria: one set (all must hold), or several sets (any must hold entirely). */
export type Criteria = string[] | string[][];

export interface Objective {
  metric: string;
  /** Without pass criteria the objective is informational and not scored. */
  pass?: Criteria;
  warning?: Criteria;
  /** Default 1. */
  weight?: number;
  /** A failing key objective fails the gate whatever the score. */
  key?: boolean;
}

export interface Gate {
  /** Default 90. */
  pass?: number;
  /** Default 75. */
  warning?: number;
  /** What a metric without a value counts as; default "fail". */
  noData?: "fail" | "warn" | "pass" | "ignore";
}

export interface ObjectiveResult {
  metric: string;
  value?: number;
  status: "pass" | "warning" | "fail" | "no_data" | "info";
  score: number;
  weight: number;
  key: boolean;
  /** The outcome of a reason reporting it. */
  outcome: Outcome;
  message: string;
}

export interface GateResult {
  /** 0 to 100; 100 when nothing was scored. */
  score: number;
  status: "pass" | "warning" | "fail";
  failedKeys: string[];
  objectives: ObjectiveResult[];
}

/** Scores objectives against metrics, Keptn-style; throws a ConfigError for bad thresholds or weights. */
export declare function scoreObjectives(objectives: Objective[], metrics: Metric[] | undefined, gate?: Gate): GateResult;

export interface Policy {
  name: string;
  version: string;
  description: string;
  /** Conventional in relgate's examples: the language the policy is written in. */
  language?: string;
  /** The input config sections the policy reads. */
  config?: string | string[];
  evaluate(input: Input): VerdictLike;
}

/** The component's `gate` export (WIT interface relgate:policy/gate). */
export interface PolicyExport {
  metadata(): string;
  evaluate(input: string): unknown;
}

/** Makes the component's `gate` export: `export const gate = exportPolicy({...})`. */
export declare function exportPolicy(policy: Policy): PolicyExport;
