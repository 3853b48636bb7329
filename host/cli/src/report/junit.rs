//! JUnit XML, for the test tab of any CI: a `<testsuite>` per policy (its decision, score,
//! source and digest as properties), a `<testcase>` per reason. A failing check is a
//! `<failure>`, a fault an `<error>`; a warning or an information passes and says so in
//! `<system-out>` and an `outcome` property. A policy that does not allow the release but
//! gives no failing reason has its failing `relgate.decision` case (see [`super::Context`]),
//! so that no stop goes unseen. Case names are unique within a suite (a repeated name is
//! numbered until it is unique), since readers count a repeated case once.

use std::collections::{HashMap, HashSet};
use std::io;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};
use relgate::PolicyReport;

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
        .write_inner_content(|w| suites.iter().try_for_each(|suite| suite.write(ctx, w)))?;
    let mut xml = String::from_utf8(writer.into_inner()).map_err(io::Error::other)?;
    xml.push('\n');
    Ok(xml)
}

struct Suite<'c, 'a> {
    index: usize,
    policy: &'a PolicyReport,
    cases: Vec<Case<'c, 'a>>,
    failures: usize,
    errors: usize,
}

struct Case<'c, 'a> {
    name: String,
    finding: &'c Finding<'a>,
}

impl<'c, 'a> Suite<'c, 'a> {
    fn new(ctx: &'c Context<'a>, index: usize, policy: &'a PolicyReport) -> Self {
        let findings: Vec<&Finding<'a>> = ctx.findings.iter().filter(|f| f.index == index).collect();
        let names = unique_names(findings.iter().map(|f| xml_text(&f.check)));
        let cases: Vec<Case<'c, 'a>> =
            names.into_iter().zip(findings.iter().copied()).map(|(name, finding)| Case { name, finding }).collect();
        let errors = findings.iter().filter(|f| f.severity == Severity::Fault).count();
        let failures = findings.iter().filter(|f| f.severity == Severity::Fail).count();
        Suite { index, policy, cases, failures, errors }
    }

    fn tests(&self) -> usize {
        self.cases.len()
    }

    fn write(&self, ctx: &Context<'_>, w: &mut Writer<Vec<u8>>) -> io::Result<()> {
        let p = self.policy;
        let name = xml_text(ctx.policy_name(self.index));
        let mut properties = vec![
            ("decision", p.decision.to_string()),
            ("source", xml_text(ctx.policy_source(self.index))),
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
    let f = case.finding;
    let message = xml_text(&f.message_with_bounds());
    match f.severity {
        Severity::Pass => {
            element.write_empty()?;
        }
        Severity::Info | Severity::Warn => {
            let outcome = f.outcome().as_str();
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
            let (tag, kind) = match (f.severity, &f.policy.fault, f.reason) {
                (Severity::Fault, Some(fault), _) => ("error", fault.kind.to_string()),
                (_, _, None) => ("failure", "decision".to_owned()),
                (_, _, Some(reason)) => ("failure", reason.outcome.as_str().to_owned()),
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

/// `names` made unique: a name given before is numbered, `x (2)`, `x (3)`, ..., with the
/// first number that makes it unique (`x`, `x`, `x (2)` become `x`, `x (2)`, `x (2) (2)`).
fn unique_names(names: impl Iterator<Item = String>) -> Vec<String> {
    let mut taken: HashSet<String> = HashSet::new();
    // The next number to try for each name: a check given n times costs n tries, not n².
    let mut next: HashMap<String, usize> = HashMap::new();
    names
        .map(|name| {
            let mut unique = name.clone();
            if taken.contains(&unique) {
                let n = next.entry(name.clone()).or_insert(2);
                while taken.contains(&unique) {
                    unique = format!("{name} ({n})");
                    *n += 1;
                }
            }
            taken.insert(unique.clone());
            unique
        })
        .collect()
}

/// `text` (printable already) as XML 1.0 may carry it: without the two noncharacters XML
/// forbids (U+FFFE, U+FFFF), which are escaped as printable escapes the rest. quick-xml
/// escapes the markup.
fn xml_text(text: &str) -> String {
    debug_assert_eq!(relgate::printable(text), text, "a policy's text goes through printable first");
    if !text.contains(['\u{fffe}', '\u{ffff}']) {
        return text.to_owned();
    }
    text.replace('\u{fffe}', "\\u{fffe}").replace('\u{ffff}', "\\u{ffff}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_what_xml_allows() {
        assert_eq!(xml_text("a\\u{1b}b\u{fffe}c\u{ffff}<&>"), "a\\u{1b}b\\u{fffe}c\\u{ffff}<&>");
        assert_eq!(xml_text("plain ü"), "plain ü");
    }

    #[test]
    fn repeated_case_names_are_numbered_until_unique() {
        // (names given, names written)
        let cases: [(&[&str], &[&str]); 5] = [
            (&["x", "x", "x (2)"], &["x", "x (2)", "x (2) (2)"]),
            (&["x (2)", "x", "x"], &["x (2)", "x", "x (3)"]),
            (&["x", "x", "x"], &["x", "x (2)", "x (3)"]),
            (&["a", "b", "a", "b"], &["a", "b", "a (2)", "b (2)"]),
            (&["", ""], &["", " (2)"]),
        ];
        for (given, written) in cases {
            let names = unique_names(given.iter().map(|n| (*n).to_owned()));
            assert_eq!(names, written, "{given:?}");
            assert_eq!(names.iter().collect::<HashSet<_>>().len(), names.len(), "{given:?}");
        }
    }
}
