//! The server's own metrics, served at `/metrics` in the Prometheus (OpenMetrics) text format.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use relgate::Report;

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PolicyLabels {
    gate: String,
    policy: String,
    decision: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct GateLabels {
    gate: String,
    decision: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct FaultLabels {
    kind: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RejectedLabels {
    reason: String,
}

/// Counters, gauges and histograms of the server.
pub(crate) struct Metrics {
    registry: Registry,
    evaluations: Family<GateLabels, Counter>,
    policy_decisions: Family<PolicyLabels, Counter>,
    faults: Family<FaultLabels, Counter>,
    rejected: Family<RejectedLabels, Counter>,
    latency: Family<GateLabels, Histogram>,
    pub(crate) in_flight: Gauge,
}

impl Metrics {
    pub(crate) fn new() -> Metrics {
        let mut registry = Registry::with_prefix("relgate");
        let evaluations = Family::<GateLabels, Counter>::default();
        registry.register("evaluations", "Gate evaluations, by gate and combined decision", evaluations.clone());
        let policy_decisions = Family::<PolicyLabels, Counter>::default();
        registry.register(
            "policy_decisions",
            "Policy decisions, by gate, policy and decision",
            policy_decisions.clone(),
        );
        let faults = Family::<FaultLabels, Counter>::default();
        registry.register("faults", "Policy faults, by kind", faults.clone());
        let rejected = Family::<RejectedLabels, Counter>::default();
        registry.register("rejected_requests", "Requests refused before evaluation, by reason", rejected.clone());
        let latency = Family::<GateLabels, Histogram>::new_with_constructor(|| {
            // 0.5 ms to about 16 s.
            Histogram::new(exponential_buckets(0.0005, 2.0, 16))
        });
        registry.register("evaluation_seconds", "Time to assemble and judge one gate evaluation", latency.clone());
        let in_flight = Gauge::default();
        registry.register("in_flight_evaluations", "Evaluations admitted and not yet answered", in_flight.clone());
        Metrics { registry, evaluations, policy_decisions, faults, rejected, latency, in_flight }
    }

    pub(crate) fn record(&self, gate: &str, report: &Report, seconds: f64) {
        // Gate names are plain by construction; policy names come from policies.
        let labels = GateLabels { gate: gate.to_owned(), decision: report.decision.to_string() };
        self.evaluations.get_or_create(&labels).inc();
        self.latency.get_or_create(&labels).observe(seconds);
        for policy in &report.policies {
            let labels = PolicyLabels {
                gate: gate.to_owned(),
                policy: label_value(&policy.policy),
                decision: policy.decision.to_string(),
            };
            self.policy_decisions.get_or_create(&labels).inc();
            if let Some(fault) = &policy.fault {
                self.faults.get_or_create(&FaultLabels { kind: fault.kind.as_str().to_owned() }).inc();
            }
        }
    }

    pub(crate) fn rejected(&self, reason: &str) {
        self.rejected.get_or_create(&RejectedLabels { reason: reason.to_owned() }).inc();
    }

    pub(crate) fn encode(&self) -> String {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry).expect("writing to a String cannot fail");
        out
    }
}

/// A label value as the text format needs it: prometheus-client writes values as they are, so
/// a policy named `x",decision="allow` could forge a series and a backslash break the scrape.
fn label_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_names_cannot_forge_series_or_break_the_scrape() {
        let metrics = Metrics::new();
        let name = "x\",decision=\"allow\"} 999 # {a=\"\\s\n";
        let labels = PolicyLabels { gate: "g".into(), policy: label_value(name), decision: "deny".into() };
        metrics.policy_decisions.get_or_create(&labels).inc();
        let text = metrics.encode();
        let line = text.lines().find(|l| l.starts_with("relgate_policy_decisions_total")).unwrap();
        assert_eq!(
            line,
            r#"relgate_policy_decisions_total{gate="g",policy="x\",decision=\"allow\"} 999 # {a=\"\\s\n",decision="deny"} 1"#
        );
    }
}
