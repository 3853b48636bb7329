//! JUnit XML, for the test tab of any CI: a `<testsuite>` per policy (its decision, score,
//! source and digest as properties), a `<testcase>` per reason. A failing check is a
//! `<failure>`, a fault an `<error>`; a warning or an information passes and says so in
//! `<system-out>` and an `outcome` property. A policy that does not allow the release but
//! gives no failing reason gets a failing `relgate.decision` case, so that no stop goes
//! unseen. Case names are unique within a suite (a repeated check is numbered), since
//! readers count a repeated case once.

use std::collections::HashMap;
use std::io;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};
use relgate::{Decision, PolicyReport, printable};

use super::{Context, Finding, Severity};

pub fn report(ctx: &Context<'_>) -> io::Result<String> {
    let report = ctx.report;
    let suites: Vec<Suite<'_, '_>> =
        report.policies.iter().enumerate().map(|(index, policy)| Suite::new(ctx, index, policy)).collect();
    let total = |count: fn(&Suite<'_, '_>) -> usize| suites.iter().map(count).sum::<usize>().to_string();
    let (tests, failures, errors) = (total(|s| s.tests()), total(|s| s.failures), total(|s| s.errors));
    let seconds = format!("{:.3}", report.policies.iter().map(|p| p.elapsed_ms).sum::<f64>() / 1000.0);

    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    writer
        .create_element("testsuites")
        .with_attributes([
            ("name", "relgate"),
            ("tests", tests.as_str()),
            ("failures", failures.as_str()),
            ("errors", errors.as_str()),
            ("skipped", "0"),
            ("time", seconds.as_str()),
        ])
        .write_inner_content(|w| suites.iter().try_for_each(|suite| suite.write(w)))?;
    let mut xml = String::from_utf8(writer.into_inner()).map_err(io::Error::other)?;
    xml.push('\n');
    Ok(xml)
}

struct Suite<'c, 'a> {
    policy: &'a PolicyReport,
    cases: Vec<Case<'c, 'a>>,
    failures: usize,
    errors: usize,
}

struct Case<'c, 'a> {
    name: String,
    finding: Option<&'c Finding<'a>>,
}

impl<'c, 'a> Suite<'c, 'a> {
    fn new(ctx: &'c Context<'a>, index: usize, policy: &'a PolicyReport) -> Self {
        let findings: Vec<&Finding<'a>> = ctx.findings.iter().filter(|f| f.index == index).collect();
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut cases: Vec<Case<'c, 'a>> = findings
            .iter()
            .map(|f| {
                let check = xml_text(&f.check());
                let n = seen.entry(check.clone()).or_insert(0);
                *n += 1;
                let name = if *n == 1 { check } else { format!("{check} ({n})") };
                Case { name, finding: Some(f) }
            })
            .collect();
        let errors = findings.iter().filter(|f| f.severity == Severity::Fault).count();
        let mut failures = findings.iter().filter(|f| f.severity == Severity::Fail).count();
        if policy.decision != Decision::Allow && failures + errors == 0 {
            cases.push(Case { name: "relgate.decision".to_owned(), finding: None });
            failures += 1;
        }
        Suite { policy, cases, failures, errors }
    }

    fn tests(&self) -> usize {
        self.cases.len()
    }

    fn write(&self, w: &mut Writer<Vec<u8>>) -> io::Result<()> {
        let p = self.policy;
        let name = xml_text(&p.policy);
        let mut properties = vec![
            ("decision", p.decision.to_string()),
            ("source", xml_text(&p.source.to_string())),
            ("digest", p.digest.to_string()),
        ];
        if let Some(score) = p.score {
            properties.insert(1, ("score", score.to_string()));
        }
        if let Some(fault) = &p.fault {
            properties.push(("fault", fault.kind.to_string()));
        }
        let (tests, failures, errors) = (self.tests().to_string(), self.failures.to_string(), self.errors.to_string());
        let seconds = format!("{:.3}", p.elapsed_ms / 1000.0);
        w.create_element("testsuite")
            .with_attributes([
                ("name", name.as_str()),
                ("tests", tests.as_str()),
                ("failures", failures.as_str()),
                ("errors", errors.as_str()),
                ("skipped", "0"),
                ("time", seconds.as_str()),
            ])
            .write_inner_content(|w| {
                w.create_element("properties").write_inner_content(|w| {
                    properties.iter().try_for_each(|(key, value)| {
                        w.create_element("property")
                            .with_attributes([("name", *key), ("value", value.as_str())])
                            .write_empty()?;
                        Ok(())
                    })
                })?;
                self.cases.iter().try_for_each(|case| write_case(w, &name, case))
            })?;
        Ok(())
    }
}

fn write_case(w: &mut Writer<Vec<u8>>, classname: &str, case: &Case<'_, '_>) -> io::Result<()> {
    let element =
        w.create_element("testcase").with_attributes([("name", case.name.as_str()), ("classname", classname)]);
    let Some(f) = case.finding else {
        element.write_inner_content(|w| {
            w.create_element("failure")
                .with_attributes([
                    ("message", "the policy stops the release without a failing check"),
                    ("type", "decision"),
                ])
                .write_empty()?;
            Ok(())
        })?;
        return Ok(());
    };
    let message = xml_text(&f.message_with_bounds());
    match f.severity {
        Severity::Pass => {
            element.write_empty()?;
        }
        Severity::Info | Severity::Warn => {
            let outcome = f.reason.outcome.as_str();
            element.write_inner_content(|w| {
                w.create_element("properties").write_inner_content(|w| {
                    w.create_element("property")
                        .with_attributes([("name", "outcome"), ("value", outcome)])
                        .write_empty()?;
                    Ok(())
                })?;
                w.create_element("system-out").write_text_content(BytesText::new(&format!("{outcome}: {message}")))?;
                Ok(())
            })?;
        }
        Severity::Fail | Severity::Fault => {
            let (tag, kind) = match (f.severity, &f.policy.fault) {
                (Severity::Fault, Some(fault)) => ("error", fault.kind.to_string()),
                _ => ("failure", f.reason.outcome.as_str().to_owned()),
            };
            element.write_inner_content(|w| {
                w.create_element(tag)
                    .with_attributes([("message", message.as_str()), ("type", kind.as_str())])
                    .write_text_content(BytesText::new(&message))?;
                Ok(())
            })?;
        }
    }
    Ok(())
}

/// `text` as XML 1.0 may carry it: printable, and without the two noncharacters XML
/// forbids (U+FFFE, U+FFFF), which are escaped the same way. quick-xml escapes the markup.
fn xml_text(text: &str) -> String {
    let printable = printable(text);
    if !printable.contains(['\u{fffe}', '\u{ffff}']) {
        return printable.into_owned();
    }
    printable.replace('\u{fffe}', "\\u{fffe}").replace('\u{ffff}', "\\u{ffff}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_what_xml_allows() {
        assert_eq!(xml_text("a\u{1b}b\u{fffe}c\u{ffff}<&>"), "a\\u{1b}b\\u{fffe}c\\u{ffff}<&>");
        assert_eq!(xml_text("plain ü"), "plain ü");
    }
}
