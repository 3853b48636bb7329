//! Entry points for the fuzz targets in `fuzz/`, behind the `fuzzing` feature: the report
//! readers on bytes, with no file between, each followed by what [`crate::Sources::collect`]
//! does with what it read. Not part of the API.

use std::path::Path;

use relgate_sdk::Input;
use serde_json::{Map, Value};

use crate::prometheus::{Collected, MetricsFile, Side};
use crate::{Error, junit};

/// Reads a JUnit report as `--junit` reads one, and makes the release input of its tests.
pub fn junit(bytes: &[u8]) -> Result<Input, Error> {
    let path = Path::new("report.xml");
    let mut report = junit::Report::default();
    report.read_bytes(path, bytes)?;
    derived("tests", crate::to_value(&report.tests())?, path)
}

/// Reads a saved Prometheus API response or text exposition as `--metrics` (`side` Canary)
/// or `--baseline-metrics` reads one, and makes the release input of its metrics.
pub fn metrics(bytes: &[u8], side: Side) -> Result<Input, Error> {
    let file = MetricsFile::new("metrics.json", side);
    let mut collected = Collected::default();
    collected.read_bytes(&file, bytes.to_vec())?;
    let (metrics, _) = collected.into_metrics();
    derived("metrics", crate::to_value(&metrics)?, &file.path)
}

/// The input of one derived section, checked as an assembled input is.
fn derived(section: &str, value: Value, path: &Path) -> Result<Input, Error> {
    let mut input = Map::new();
    input.insert(section.into(), value);
    crate::input_from_value(Value::Object(input), path)
}
