//! Strict JSON: what serde_json accepts but a gate must not. A duplicate key resolves
//! last-wins in serde_json, so a second `tests` object would hide the first one's failures;
//! here it is an error with its line and column. And what is said about a document: its keys
//! are shown bounded and escaped, its values never (a document may hold a secret).

use std::collections::HashSet;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// Checks that `bytes` is one JSON value with no duplicate key in any object; with
/// `object`, that the value is an object. Errors carry the line and column.
pub(crate) fn check(bytes: &[u8], object: bool) -> Result<(), serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let top = Unique { object };
    top.deserialize(&mut de)?;
    de.end()
}

/// One value, checked. Nesting is bounded by serde_json's own recursion limit (128).
#[derive(Clone, Copy)]
struct Unique {
    /// Whether the value must be an object.
    object: bool,
}

impl<'de> DeserializeSeed<'de> for Unique {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<(), D::Error> {
        de.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Unique {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.object { "a JSON object" } else { "a JSON value" })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let inner = Unique { object: false };
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                return Err(de::Error::custom(format_args!(
                    "duplicate key \"{}\": a second value would silently replace the first",
                    shown_key(&key)
                )));
            }
            map.next_value_seed(inner)?;
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        if self.object {
            return Err(self.not_an_object("an array"));
        }
        let inner = Unique { object: false };
        while seq.next_element_seed(inner)?.is_some() {}
        Ok(())
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.scalar("a boolean")
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.scalar("a number")
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.scalar("a number")
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.scalar("a number")
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        self.scalar("a string")
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.scalar("null")
    }
}

impl Unique {
    /// A scalar, refused where an object must be; the value is not quoted.
    fn scalar<E: de::Error>(self, kind: &str) -> Result<(), E> {
        if self.object { Err(self.not_an_object(kind)) } else { Ok(()) }
    }

    fn not_an_object<E: de::Error>(self, kind: &str) -> E {
        E::custom(format_args!("expected a JSON object, found {kind}"))
    }
}

/// A key as a message shows it: its first 64 characters, escaped as in a Rust string.
pub(crate) fn shown_key(key: &str) -> String {
    const SHOWN: usize = 64;
    let mut shown: String = key.chars().take(SHOWN).flat_map(char::escape_debug).collect();
    if key.chars().nth(SHOWN).is_some() {
        shown.push_str("...");
    }
    shown
}

/// A field's path as a message shows it (`metrics[0].name`), built one segment at a time;
/// each key is shown with [`shown_key`]. The steps keep the keys as they are, to find the
/// field in the text again ([`position_of`]).
#[derive(Debug, Default)]
pub(crate) struct FieldPath {
    shown: String,
    steps: Vec<Step>,
}

/// One step on the way to a field: an object's key or an array's index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    Key(String),
    Index(usize),
}

impl FieldPath {
    fn key(&mut self, key: &str) {
        if !self.shown.is_empty() {
            self.shown.push('.');
        }
        self.shown.push_str(&shown_key(key));
        self.steps.push(Step::Key(key.to_owned()));
    }

    fn index(&mut self, index: usize) {
        self.shown.push_str(&format!("[{index}]"));
        self.steps.push(Step::Index(index));
    }

    /// The path of a field `serde_ignored` reports as unknown.
    pub(crate) fn of_ignored(path: &serde_ignored::Path<'_>) -> FieldPath {
        use serde_ignored::Path;
        match path {
            Path::Root => FieldPath::default(),
            Path::Seq { parent, index } => {
                let mut shown = FieldPath::of_ignored(parent);
                shown.index(*index);
                shown
            }
            Path::Map { parent, key } => {
                let mut shown = FieldPath::of_ignored(parent);
                shown.key(key);
                shown
            }
            Path::Some { parent } | Path::NewtypeStruct { parent } | Path::NewtypeVariant { parent } => {
                FieldPath::of_ignored(parent)
            }
        }
    }

    /// The path at which `serde_path_to_error` saw an error.
    pub(crate) fn of_error(path: &serde_path_to_error::Path) -> FieldPath {
        use serde_path_to_error::Segment;
        let mut shown = FieldPath::default();
        for segment in path {
            match segment {
                Segment::Seq { index } => shown.index(*index),
                Segment::Map { key } | Segment::Enum { variant: key } => shown.key(key),
                Segment::Unknown => shown.key("?"),
            }
        }
        shown
    }

    pub(crate) fn steps(&self) -> &[Step] {
        &self.steps
    }

    pub(crate) fn into_string(self) -> String {
        self.shown
    }
}

/// Where the key at the end of `steps` is in `bytes`, a document [`check`] accepted: the line
/// and column just past the key (and the spaces after it). serde_json gives an error raised
/// by a visitor the position the text was read to, so the text is read again up to that key
/// and stopped there.
pub(crate) fn position_of(bytes: &[u8], steps: &[Step]) -> Option<(usize, usize)> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    match (Seek { steps }).deserialize(&mut de) {
        Err(e) if e.line() > 0 && e.to_string().starts_with(FOUND) => Some((e.line(), e.column())),
        _ => None,
    }
}

/// What [`Seek`] stops with when it has read the key it looks for.
const FOUND: &str = "found the field";

/// Reads a value, going down `steps`, and stops with an error after the last step's key.
#[derive(Clone, Copy)]
struct Seek<'s> {
    steps: &'s [Step],
}

impl<'de> DeserializeSeed<'de> for Seek<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<(), D::Error> {
        match self.steps {
            [] => de.deserialize_ignored_any(de::IgnoredAny).map(drop),
            _ => de.deserialize_any(self),
        }
    }
}

impl<'de> Visitor<'de> for Seek<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object or an array")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Some((Step::Key(wanted), rest)) = self.steps.split_first() else {
            return Err(de::Error::custom("not this object"));
        };
        while let Some(key) = map.next_key::<String>()? {
            if key != *wanted {
                map.next_value::<de::IgnoredAny>()?;
            } else if rest.is_empty() {
                return Err(de::Error::custom(FOUND));
            } else {
                map.next_value_seed(Seek { steps: rest })?;
            }
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let Some((&Step::Index(wanted), rest)) = self.steps.split_first() else {
            return Err(de::Error::custom("not this array"));
        };
        for _ in 0..wanted {
            if seq.next_element::<de::IgnoredAny>()?.is_none() {
                return Ok(());
            }
        }
        seq.next_element_seed(Seek { steps: rest })?;
        Ok(())
    }
}

/// What is wrong with a document's data, said without its values.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Mismatch {
    /// A field the schema does not have (from `#[serde(deny_unknown_fields)]`); the error's
    /// path ends with its key.
    UnknownField,
    /// Anything else: what was expected and what kind of value was found.
    Problem(String),
}

/// Rephrases the message of a serde data error so that it quotes no value from the document:
/// `invalid type: string "ghp_...", expected u64` becomes `expected an unsigned integer, found
/// a string`. serde's messages are formed inside serde and serde_json, out of our reach, so
/// they are rewritten here, the one place that knows their shapes; a message of a shape not
/// known here is replaced whole, since it might quote a value.
pub(crate) fn mismatch(message: &str) -> Mismatch {
    let rephrased = if let Some(rest) = message.strip_prefix("invalid type: ") {
        rest.rsplit_once(", expected ")
            .map(|(found, expected)| format!("expected {}, found {}", expected_kind(expected), found_kind(found).0))
    } else if let Some(rest) = message.strip_prefix("invalid value: ") {
        rest.rsplit_once(", expected ").map(|(found, expected)| {
            format!("expected {}, found an invalid {}", expected_kind(expected), found_kind(found).1)
        })
    } else if let Some(rest) = message.strip_prefix("unknown variant `") {
        // The names the schema knows come last; the variant given is whatever comes before.
        match rest.rsplit_once("`, expected ") {
            Some((_, expected)) => Some(format!("expected {expected}, found another string")),
            None => rest.ends_with("`, there are no variants").then(|| "this enum has no variants".to_owned()),
        }
    } else if message.starts_with("unknown field `") {
        return Mismatch::UnknownField;
    } else if message.starts_with("missing field `")
        || message.starts_with("duplicate field `")
        || message.starts_with("invalid length ")
        || message.starts_with("data did not match any variant of untagged enum ")
    {
        // Schema words only: field and type names, a length.
        Some(message.to_owned())
    } else {
        None
    };
    Mismatch::Problem(rephrased.unwrap_or_else(|| "is not valid here".to_owned()))
}

/// The kind of value serde's `Unexpected` describes (`string "..."`, `integer `3``, `map`),
/// with and without an article; never the value.
fn found_kind(unexpected: &str) -> (&'static str, &'static str) {
    const KINDS: [(&str, &str, &str); 7] = [
        ("string ", "a string", "string"),
        ("integer `", "an integer", "integer"),
        ("floating point `", "a fractional number", "number"),
        ("boolean `", "a boolean", "boolean"),
        ("null", "null", "null"),
        ("map", "an object", "object"),
        ("sequence", "an array", "array"),
    ];
    KINDS
        .iter()
        .find(|(prefix, ..)| unexpected.starts_with(prefix))
        .map_or(("another kind of value", "value"), |&(_, kind, noun)| (kind, noun))
}

/// What serde's `Expected` says a field should be, in JSON's words (`u64` is an unsigned
/// integer, `struct Tests` an object). These words come from the schema, not the document.
fn expected_kind(expected: &str) -> &str {
    match expected {
        "u8" | "u16" | "u32" | "u64" | "u128" | "usize" => "an unsigned integer",
        "i8" | "i16" | "i32" | "i64" | "i128" | "isize" => "an integer",
        "f32" | "f64" => "a number",
        "a borrowed string" => "a string",
        "a sequence" => "an array",
        "a map" => "an object",
        "unit" => "null",
        _ if expected.starts_with("struct ") => "an object",
        _ => expected,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_and_non_objects_are_refused_with_their_position() {
        // (document, must be an object, error or none)
        let cases: [(&str, bool, Option<&str>); 9] = [
            (r#"{"a": 1, "b": {"a": 2}}"#, true, None),
            (r#"[{"a": 1}, {"a": 1}]"#, false, None),
            ("{\"tests\": {\"failed\": 3},\n \"tests\": {\"failed\": 0}}", true, Some("duplicate key \"tests\"")),
            (
                "{\"a\": {\"x\": 1,\n \"x\": 2}}",
                true,
                Some("duplicate key \"x\" a second value would silently replace the first at line 2 column 4"),
            ),
            (r#"[{"x": 1, "x": 2}]"#, false, Some("duplicate key \"x\"")),
            ("[]", true, Some("expected a JSON object, found an array at line 1 column 2")),
            ("3", true, Some("expected a JSON object, found a number at line 1 column 1")),
            ("\"ghp_secret\"", true, Some("expected a JSON object, found a string at line 1 column 12")),
            ("{} {}", true, Some("trailing characters")),
        ];
        for (document, object, expected) in cases {
            let result = check(document.as_bytes(), object);
            match expected {
                None => assert!(result.is_ok(), "{document}: {result:?}"),
                Some(words) => {
                    let message = result.expect_err(document).to_string().replace(':', "");
                    assert!(message.contains(&words.replace(':', "")), "{document}: {message}");
                }
            }
        }
        let deep = "[".repeat(200) + &"]".repeat(200);
        assert!(check(deep.as_bytes(), false).unwrap_err().to_string().contains("recursion limit exceeded"));
    }

    #[test]
    fn non_objects_are_refused_without_quoting_them() {
        let message = check(br#""ghp_0123456789abcdef""#, true).unwrap_err().to_string();
        assert!(!message.contains("ghp_"), "{message}");
    }

    #[test]
    fn serde_messages_are_rephrased_without_the_value() {
        use Mismatch::{Problem, UnknownField};
        let problem = |text: &str| Problem(text.to_owned());
        // (serde's message, as rephrased)
        let cases = [
            (
                r#"invalid type: string "ghp_secret", expected u64"#,
                problem("expected an unsigned integer, found a string"),
            ),
            (
                r#"invalid type: string "a, expected b", expected u32"#,
                problem("expected an unsigned integer, found a string"),
            ),
            ("invalid type: integer `3`, expected a string", problem("expected a string, found an integer")),
            (
                "invalid type: floating point `1.5`, expected i64",
                problem("expected an integer, found a fractional number"),
            ),
            ("invalid type: boolean `true`, expected f64", problem("expected a number, found a boolean")),
            ("invalid type: null, expected a sequence", problem("expected an array, found null")),
            ("invalid type: map, expected a string", problem("expected a string, found an object")),
            ("invalid type: sequence, expected struct Tests", problem("expected an object, found an array")),
            ("invalid type: sequence, expected a map", problem("expected an object, found an array")),
            (
                "invalid value: integer `-1`, expected u64",
                problem("expected an unsigned integer, found an invalid integer"),
            ),
            (
                r#"invalid value: string "ghp_secret", expected a number, or one of "NaN", "+Inf", "-Inf""#,
                problem(r#"expected a number, or one of "NaN", "+Inf", "-Inf", found an invalid string"#),
            ),
            (
                "unknown variant `ghp_secret`, expected `lower` or `higher`",
                problem("expected `lower` or `higher`, found another string"),
            ),
            (
                "unknown variant `x`, expected `a`, expected one of `allow`, `deny`",
                problem("expected one of `allow`, `deny`, found another string"),
            ),
            ("unknown variant `ghp_secret`, there are no variants", problem("this enum has no variants")),
            ("unknown field `nmae`, expected `name` or `value`", UnknownField),
            ("unknown field `a`b`, there are no fields", UnknownField),
            ("missing field `cases`", problem("missing field `cases`")),
            ("invalid length 1, expected a tuple of size 2", problem("invalid length 1, expected a tuple of size 2")),
            (
                "data did not match any variant of untagged enum ScoreRange",
                problem("data did not match any variant of untagged enum ScoreRange"),
            ),
            (r#"something custom quoting "ghp_secret""#, problem("is not valid here")),
            (r#"invalid type: string "ghp_secret""#, problem("is not valid here")),
        ];
        for (message, rephrased) in cases {
            assert_eq!(mismatch(message), rephrased, "{message}");
        }
    }

    #[test]
    fn fields_are_found_in_the_text_again() {
        let text = concat!(
            "{\n",
            r#"  "tests": {"total": 3, "failedd": 1},"#,
            "\n",
            r#"  "metrics": [{"name": "a", "nmae": "x"}, {"name": "b", "nmae": "y"}], "a\"b": 1"#,
            "\n}"
        );
        let key = |key: &str| Step::Key(key.to_owned());
        for (steps, position) in [
            (vec![key("tests"), key("failedd")], Some((2, 33))),
            // The second element's key, not the first's.
            (vec![key("metrics"), Step::Index(1), key("nmae")], Some((3, 62))),
            (vec![key("a\"b")], Some((3, 77))),
            (vec![key("tests"), key("absent")], None),
            (vec![key("metrics"), Step::Index(5), key("name")], None),
            (vec![key("tests"), Step::Index(0)], None),
        ] {
            assert_eq!(position_of(text.as_bytes(), &steps), position, "{steps:?}");
        }
    }

    #[test]
    fn keys_are_shown_bounded_and_escaped() {
        assert_eq!(shown_key("tests"), "tests");
        assert_eq!(shown_key("a\u{1b}[2K\r\"b"), "a\\u{1b}[2K\\r\\\"b");
        let long = "k".repeat(100);
        assert_eq!(shown_key(&long), "k".repeat(64) + "...");
    }
}
