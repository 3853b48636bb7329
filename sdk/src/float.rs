//! Serde for metric numbers that may be NaN or infinite.
//!
//! JSON has no NaN or infinity, so these values travel as the strings Prometheus uses:
//! `"NaN"`, `"+Inf"` and `"-Inf"` (`"Inf"` and `"-inf"` spellings are accepted too). Finite
//! values stay plain JSON numbers, and a missing value stays missing: never zero.

use core::fmt;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::ser::{SerializeSeq, Serializer};

fn parse_special(s: &str) -> Option<f64> {
    match s {
        "NaN" | "nan" => Some(f64::NAN),
        "+Inf" | "Inf" | "inf" | "+inf" | "Infinity" | "+Infinity" => Some(f64::INFINITY),
        "-Inf" | "-inf" | "-Infinity" => Some(f64::NEG_INFINITY),
        _ => s.parse().ok(),
    }
}

fn serialize_f64<S: Serializer>(v: f64, s: S) -> Result<S::Ok, S::Error> {
    if v.is_nan() {
        s.serialize_str("NaN")
    } else if v == f64::INFINITY {
        s.serialize_str("+Inf")
    } else if v == f64::NEG_INFINITY {
        s.serialize_str("-Inf")
    } else {
        s.serialize_f64(v)
    }
}

struct FloatVisitor;

impl<'de> Visitor<'de> for FloatVisitor {
    type Value = f64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(r#"a number, or one of "NaN", "+Inf", "-Inf""#)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<f64, E> {
        Ok(v)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<f64, E> {
        Ok(v as f64)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<f64, E> {
        Ok(v as f64)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<f64, E> {
        parse_special(v).ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
    }
}

struct Float(f64);

impl<'de> serde::Deserialize<'de> for Float {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(FloatVisitor).map(Float)
    }
}

struct FloatRef(f64);

impl serde::Serialize for FloatRef {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serialize_f64(self.0, s)
    }
}

/// The schema of such a number.
#[cfg(feature = "schema")]
pub(crate) struct Number;

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Number {
    fn schema_name() -> alloc::borrow::Cow<'static, str> {
        "Number".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A number; NaN and infinities as the strings \"NaN\", \"+Inf\" and \"-Inf\".",
            "anyOf": [
                {"type": "number"},
                {"enum": ["NaN", "nan", "+Inf", "Inf", "inf", "+inf", "Infinity", "+Infinity", "-Inf", "-inf", "-Infinity"]}
            ]
        })
    }
}

/// `Option<f64>`: `null` or absent is `None`.
pub(crate) mod option {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => serialize_f64(*v, s),
            None => s.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
        Ok(<Option<Float> as serde::Deserialize>::deserialize(d)?.map(|f| f.0))
    }
}

/// `Vec<f64>`: each element a number or one of the special strings.
pub(crate) mod vec {
    use alloc::vec::Vec;

    use super::*;

    pub(crate) fn serialize<S: Serializer>(v: &[f64], s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(v.len()))?;
        for x in v {
            seq.serialize_element(&FloatRef(*x))?;
        }
        seq.end()
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
        struct SeqVisitor;
        impl<'de> Visitor<'de> for SeqVisitor {
            type Value = Vec<f64>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array of numbers")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<f64>, A::Error> {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
                while let Some(Float(x)) = seq.next_element()? {
                    out.push(x);
                }
                Ok(out)
            }
        }
        d.deserialize_seq(SeqVisitor)
    }
}

#[cfg(test)]
mod tests {
    use alloc::string::ToString;

    use crate::Metric;

    #[test]
    fn non_finite_values_round_trip_as_strings() {
        let json = r#"{"name":"m","value":"NaN","samples":[1,"+Inf","-Inf",2.5]}"#;
        let m: Metric = serde_json::from_str(json).unwrap();
        assert!(m.value.unwrap().is_nan());
        assert_eq!(m.samples[1], f64::INFINITY);
        assert_eq!(m.samples[2], f64::NEG_INFINITY);
        let back = serde_json::to_string(&m).unwrap();
        assert_eq!(back, r#"{"name":"m","value":"NaN","samples":[1.0,"+Inf","-Inf",2.5]}"#);
    }

    #[test]
    fn missing_and_null_values_stay_missing() {
        let a: Metric = serde_json::from_str(r#"{"name":"m"}"#).unwrap();
        let b: Metric = serde_json::from_str(r#"{"name":"m","value":null}"#).unwrap();
        assert_eq!(a.value, None);
        assert_eq!(b.value, None);
    }

    #[test]
    fn garbage_strings_are_rejected() {
        let err = serde_json::from_str::<Metric>(r#"{"name":"m","value":"fast"}"#).unwrap_err();
        assert!(err.to_string().contains(r#"expected a number, or one of "NaN""#), "{err}");
    }
}
