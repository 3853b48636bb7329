//! Strict JSON: what serde_json accepts but a gate must not. A duplicate key resolves
//! last-wins in serde_json, so a second `tests` object would hide the first one's failures;
//! here it is an error with its line and column.

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
                let shown: String = key.chars().take(64).flat_map(char::escape_debug).collect();
                return Err(de::Error::custom(format_args!(
                    "duplicate key \"{shown}\": a second value would silently replace the first"
                )));
            }
            map.next_value_seed(inner)?;
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        if self.object {
            return Err(de::Error::invalid_type(de::Unexpected::Seq, &self));
        }
        let inner = Unique { object: false };
        while seq.next_element_seed(inner)?.is_some() {}
        Ok(())
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        self.scalar(de::Unexpected::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        self.scalar(de::Unexpected::Signed(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        self.scalar(de::Unexpected::Unsigned(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        self.scalar(de::Unexpected::Float(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.scalar(de::Unexpected::Str(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.scalar(de::Unexpected::Unit)
    }
}

impl Unique {
    fn scalar<E: de::Error>(self, value: de::Unexpected<'_>) -> Result<(), E> {
        if self.object { Err(E::invalid_type(value, &self)) } else { Ok(()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_and_non_objects_are_refused_with_their_position() {
        // (document, must be an object, error or none)
        let cases: [(&str, bool, Option<&str>); 8] = [
            (r#"{"a": 1, "b": {"a": 2}}"#, true, None),
            (r#"[{"a": 1}, {"a": 1}]"#, false, None),
            ("{\"tests\": {\"failed\": 3},\n \"tests\": {\"failed\": 0}}", true, Some("duplicate key \"tests\"")),
            (
                "{\"a\": {\"x\": 1,\n \"x\": 2}}",
                true,
                Some("duplicate key \"x\" a second value would silently replace the first at line 2 column 4"),
            ),
            (r#"[{"x": 1, "x": 2}]"#, false, Some("duplicate key \"x\"")),
            ("[]", true, Some("invalid type: sequence, expected a JSON object at line 1 column 2")),
            ("3", true, Some("invalid type: integer `3`, expected a JSON object")),
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
}
