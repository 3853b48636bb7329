//! What is recorded of one decision: the record, one JSON object, which is also a line of
//! the JSON Lines export (`docs/decision-log.md`).

use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use relgate::{Decision, Digest, Fault, Input, Loaded, PolicySet, Reason, Report};
use relgate_sdk::Release;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The version of the record's format: the `schema` field of every record and export line.
pub const RECORD_SCHEMA: u32 = 1;

/// A decision's id: a UUIDv7, so that ids sort by the time they were made, across replicas.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DecisionId(uuid::Uuid);

impl DecisionId {
    /// A new id, for a decision made now.
    pub fn new() -> DecisionId {
        DecisionId(uuid::Uuid::now_v7())
    }

    /// When the id was made, from its timestamp bits.
    pub fn time(&self) -> Option<Timestamp> {
        let (seconds, nanos) = self.0.get_timestamp()?.to_unix();
        Timestamp::new(i64::try_from(seconds).ok()?, i32::try_from(nanos).ok()?).ok()
    }
}

impl Default for DecisionId {
    fn default() -> Self {
        DecisionId::new()
    }
}

impl fmt::Display for DecisionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Lowercase and hyphenated: the form that sorts like the id itself.
        fmt::Display::fmt(&self.0.hyphenated(), f)
    }
}

impl fmt::Debug for DecisionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Why a text is not a decision id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a decision id: expected a UUIDv7 such as 0193a5c4-7f3e-7b2a-9c1d-2e4f6a8b0c1d")]
pub struct InvalidDecisionId {
    text: String,
}

impl FromStr for DecisionId {
    type Err = InvalidDecisionId;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid =
            || InvalidDecisionId { text: relgate::printable(&text.chars().take(64).collect::<String>()).into_owned() };
        let uuid = uuid::Uuid::try_parse(text).map_err(|_| invalid())?;
        if uuid.get_version_num() != 7 {
            return Err(invalid());
        }
        Ok(DecisionId(uuid))
    }
}

impl TryFrom<String> for DecisionId {
    type Error = InvalidDecisionId;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl From<DecisionId> for String {
    fn from(id: DecisionId) -> String {
        id.to_string()
    }
}

/// Who made a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// `relgate serve`.
    Serve,
    /// `relgate eval --log`.
    Eval,
}

/// One decision, as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Record {
    /// The record format's version, [`RECORD_SCHEMA`].
    pub schema: u32,
    /// The decision's id.
    pub id: DecisionId,
    /// When the decision was made.
    pub time: Timestamp,
    /// Who made it.
    pub origin: Origin,
    /// The gate that made it; none for `relgate eval` without `--gate`.
    pub gate: Option<String>,
    /// The release judged (the input's `release`).
    pub release: Release,
    /// The digest of `input`'s JSON, as the policies received it.
    pub input_digest: Digest,
    /// The input as judged: collected sources, config and `now` included. Replay evaluates it.
    pub input: Value,
    /// The combined decision.
    pub decision: Decision,
    /// The combined score, if any policy gave one.
    pub score: Option<f64>,
    /// Whether faults decided the decision (the CLI's exit code 4).
    pub decided_by_fault: bool,
    /// Each policy's part.
    pub policies: Vec<PolicyRecord>,
    /// Metrics a gate's source could not collect (a failed query), judged without data.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unavailable: Vec<Unavailable>,
    /// Wall-clock time of the decision, input collection included, in milliseconds.
    pub elapsed_ms: f64,
    /// Fuel the policies consumed, in all.
    pub fuel_used: u64,
}

/// A metric left without data, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unavailable {
    /// The metric.
    pub metric: String,
    /// Why it has no data.
    pub reason: String,
}

/// One policy's part of a recorded decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct PolicyRecord {
    /// The policy's name.
    pub name: String,
    /// The version its metadata declares, if any.
    pub version: Option<String>,
    /// The digest of its bytes.
    pub digest: Digest,
    /// Where it came from (a path, `builtin:<name>`, a name given with bytes).
    pub source: String,
    /// Its decision.
    pub decision: Decision,
    /// Its score, if it gave one.
    pub score: Option<f64>,
    /// Its reasons.
    pub reasons: Vec<Reason>,
    /// What went wrong, if it faulted.
    pub fault: Option<Fault>,
    /// Its evaluation's wall-clock time, in milliseconds.
    pub elapsed_ms: f64,
    /// Fuel it consumed.
    pub fuel_used: u64,
}

impl Record {
    /// The record of `report`, the decision `set` made on `input`, `elapsed` after it began.
    pub fn new(
        origin: Origin,
        gate: Option<String>,
        input: &Input,
        set: &PolicySet,
        report: &Report,
        elapsed: std::time::Duration,
    ) -> Record {
        let id = DecisionId::new();
        // The record's time is its id's, to the millisecond: one clock for both orders.
        let time = id.time().unwrap_or_else(Timestamp::now);
        // serde_json writes what an Input holds (non-finite numbers as null) without error.
        let json = serde_json::to_value(input).expect("an input serializes");
        let policies = report
            .policies
            .iter()
            .map(|part| {
                let version = set.members().iter().find_map(|member| match member {
                    Loaded::Policy(policy) if policy.digest() == part.digest => policy.version().map(str::to_owned),
                    _ => None,
                });
                PolicyRecord {
                    name: part.policy.clone(),
                    version,
                    digest: part.digest,
                    source: part.source.to_string(),
                    decision: part.decision,
                    score: part.score,
                    reasons: part.reasons.clone(),
                    fault: part.fault.clone(),
                    elapsed_ms: part.elapsed_ms,
                    fuel_used: part.fuel_used,
                }
            })
            .collect();
        Record {
            schema: RECORD_SCHEMA,
            id,
            time,
            origin,
            gate,
            release: input.release.clone().unwrap_or_default(),
            input_digest: digest(&json),
            input: json,
            decision: report.decision,
            score: report.score,
            decided_by_fault: report.decided_by_fault,
            policies,
            unavailable: Vec::new(),
            elapsed_ms: elapsed.as_secs_f64() * 1000.0,
            fuel_used: report.policies.iter().map(|p| p.fuel_used).sum(),
        }
    }

    /// Whether `input_digest` is the digest of `input`.
    pub fn input_matches_digest(&self) -> bool {
        digest(&self.input) == self.input_digest
    }

    /// The recorded input, as the policies received it.
    pub fn input(&self) -> Result<Input, serde_json::Error> {
        serde_json::from_value(self.input.clone())
    }

    /// The entry a gate's `history` holds for this decision (`docs/decision-log.md`): what
    /// was decided of which version, with the test counts and metric values judged; no
    /// samples, failures or config.
    pub fn history_entry(&self) -> Value {
        let mut tests = self.input.get("tests").cloned().unwrap_or(Value::Null);
        if let Some(tests) = tests.as_object_mut() {
            tests.remove("failures");
            tests.remove("suites");
        }
        let metrics: Vec<Value> = self
            .input
            .get("metrics")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|m| Some(serde_json::json!({"name": m.get("name")?, "value": m.get("value")?})))
            .collect();
        serde_json::json!({
            "decision_id": self.id,
            "time": self.time,
            "gate": self.gate,
            "version": self.release.version,
            "decision": self.decision,
            "score": self.score,
            "tests": tests,
            "metrics": metrics,
        })
    }

    /// The record without its input: what a listing shows of a decision.
    pub fn summary(&self) -> Value {
        let mut value = serde_json::to_value(self).expect("a record always serializes");
        if let Some(object) = value.as_object_mut() {
            object.remove("input");
        }
        value
    }

    /// The record's JSON: one line of the export.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a record always serializes")
    }

    /// A record read back from storage or an export line, strictly; errors name the field.
    pub fn from_json(json: &str) -> Result<Record, serde_path_to_error::Error<serde_json::Error>> {
        let record: Record = serde_path_to_error::deserialize(&mut serde_json::Deserializer::from_str(json))?;
        Ok(record)
    }
}

/// The digest of an input: sha256 of its canonical JSON (keys sorted, no whitespace), so
/// that anyone can check it against the recorded input.
fn digest(input: &Value) -> Digest {
    Digest::of(&serde_json::to_vec(input).expect("a JSON value serializes"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_sort_by_time_and_parse_back() {
        let a = DecisionId::new();
        let b = DecisionId::new();
        assert!(a < b);
        assert!(a.to_string() < b.to_string(), "the text form sorts like the id");
        assert_eq!(a.to_string().parse::<DecisionId>().unwrap(), a);
        let age = Timestamp::now().duration_since(a.time().unwrap());
        assert!(age.as_secs() < 60, "{age:?}");
    }

    #[test]
    fn an_input_digest_survives_storage_whatever_its_numbers() {
        let input: Input = serde_json::from_str(
            r#"{"tests": {"total": 3, "passed": 3}, "metrics": [
                {"name": "a", "value": 0.30000000000000004, "baseline": 1e-7, "samples": [2.2250738585072014e-308, 123456789.12345679, 5e-324]},
                {"name": "b", "value": 1.7976931348623157e308}]}"#,
        )
        .unwrap();
        let engine = relgate::Engine::new(relgate::Config::default().with_cache_dir(None)).unwrap();
        let set: PolicySet = engine.load_set(&[relgate::PolicyRef::builtin("readiness")]).unwrap();
        let report = engine.evaluate(&set, &input);
        let record = Record::new(Origin::Eval, None, &input, &set, &report, std::time::Duration::ZERO);
        let back = Record::from_json(&record.to_json()).unwrap();
        assert!(back.input_matches_digest());
        assert_eq!(back, record);
    }

    #[test]
    fn only_a_uuid_v7_is_an_id() {
        for text in
            ["", "x", "00000000-0000-0000-0000-000000000000", "67e55044-10b1-426f-9247-bb680e5fe0c8", "\u{1b}[2K"]
        {
            assert!(text.parse::<DecisionId>().is_err(), "{text:?}");
        }
        let error = "\u{1b}[2K".parse::<DecisionId>().unwrap_err().to_string();
        assert!(error.contains("\\u{1b}"), "{error}");
    }
}
