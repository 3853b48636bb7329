//! What reading pipeline data costs: a JUnit report of 100,000 test cases.
//!
//! Run with `cargo bench -p relgate-input`; the README reports the result.

use std::fmt::Write;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use relgate_input::Sources;

/// A Surefire-like report: 100 suites of 1,000 cases, one in 50 failing with a message.
fn large_report() -> String {
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
    for suite in 0..100 {
        let _ = writeln!(xml, "  <testsuite name=\"com.shop.Suite{suite}\" time=\"1,012.5\" tests=\"1000\">");
        for case in 0..1000 {
            if case % 50 == 0 {
                let _ = writeln!(
                    xml,
                    "    <testcase name=\"case{case}\" classname=\"com.shop.Suite{suite}\" time=\"0.010\"><failure message=\"expected &lt;1&gt; but was &lt;2&gt;\" type=\"AssertionError\">at Suite{suite}.case{case}(Suite.java:{case})</failure></testcase>"
                );
            } else {
                let _ = writeln!(
                    xml,
                    "    <testcase name=\"case{case}\" classname=\"com.shop.Suite{suite}\" time=\"0.010\"/>"
                );
            }
        }
        xml.push_str("  </testsuite>\n");
    }
    xml + "</testsuites>\n"
}

fn junit(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("junit.xml");
    let report = large_report();
    std::fs::write(&path, &report).unwrap();
    let mut sources = Sources::default();
    sources.junit = vec![path.to_str().unwrap().to_owned()];

    let input = sources.assemble().unwrap();
    assert_eq!(input.tests.as_ref().map(|t| (t.total, t.failed)), Some((100_000, 2_000)));

    let mut group = c.benchmark_group("junit");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(report.len() as u64));
    group.bench_function("100k-testcases", |b| b.iter(|| sources.assemble().unwrap()));
    group.finish();
}

criterion_group!(benches, junit);
criterion_main!(benches);
