//! Reading the release input and the policy config from files, and stamping `now`.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::{Error, Input};

fn read_document<T: DeserializeOwned>(what: &'static str, path: &Path) -> Result<T, Error> {
    let mut bytes = Vec::new();
    let read = if path == Path::new("-") {
        std::io::stdin().read_to_end(&mut bytes).map(drop)
    } else {
        std::fs::File::open(path).and_then(|mut f| f.read_to_end(&mut bytes)).map(drop)
    };
    read.map_err(|source| Error::ReadDocument { what, path: path.into(), source })?;
    let mut de = serde_json::Deserializer::from_slice(&bytes);
    let document = strict(&mut de, what, path)?;
    de.end().map_err(|source| Error::ParseDocument { what, path: path.into(), source })?;
    Ok(document)
}

/// Deserializes, refusing unknown fields. The shared types skip fields they do not know,
/// for the sake of older policies; the host refuses them, so that a misspelled field is an
/// error rather than no data.
fn strict<'de, D, T>(de: D, what: &'static str, path: &Path) -> Result<T, Error>
where
    D: serde::Deserializer<'de, Error = serde_json::Error>,
    T: serde::Deserialize<'de>,
{
    let mut unknown = None;
    let document = serde_ignored::deserialize(de, |field| {
        unknown.get_or_insert_with(|| field_path(&field));
    })
    .map_err(|source| Error::ParseDocument { what, path: path.into(), source })?;
    match unknown {
        Some(field) => Err(Error::UnknownField { what, path: path.into(), field }),
        None => Ok(document),
    }
}

/// An input given as a JSON value (in a test fixture, say), checked as strictly as a file.
pub(crate) fn input_from_value(value: Value, path: &Path) -> Result<Input, Error> {
    strict(value, "input", path)
}

/// A JSON path like `metrics[0].nmae`.
fn field_path(path: &serde_ignored::Path<'_>) -> String {
    use serde_ignored::Path;
    match path {
        Path::Root => String::new(),
        Path::Seq { parent, index } => format!("{}[{index}]", field_path(parent)),
        Path::Map { parent, key } => match field_path(parent) {
            p if p.is_empty() => key.clone(),
            p => format!("{p}.{key}"),
        },
        Path::Some { parent } | Path::NewtypeStruct { parent } | Path::NewtypeVariant { parent } => field_path(parent),
    }
}

/// Reads a release input document (JSON; `-` reads standard input). Errors name the file,
/// and for invalid JSON or fields the line and column.
pub fn read_input(path: &Path) -> Result<Input, Error> {
    read_document("input", path)
}

/// Reads a policy config document: a JSON object (`-` reads standard input).
pub fn read_config(path: &Path) -> Result<Map<String, Value>, Error> {
    read_document("config", path)
}

/// Merges `config` into the input's `config`: top-level keys from `config` replace those of
/// the same name already in the input.
pub fn merge_config(input: &mut Input, config: Map<String, Value>) {
    input.config.get_or_insert_with(Map::new).extend(config);
}

/// Fills in `now` with the current time when the input does not give it, and normalizes a
/// given `now` to UTC (`2026-11-26T10:00:00+01:00` becomes `2026-11-26T09:00:00Z`).
/// `path` names the input in the error for an invalid timestamp.
pub fn stamp_now(input: &mut Input, path: &Path) -> Result<(), Error> {
    let now = match &input.now {
        None => jiff::Timestamp::from_second(jiff::Timestamp::now().as_second())
            .expect("the current time is a valid timestamp"),
        Some(given) => given.parse::<jiff::Timestamp>().map_err(|e| Error::InvalidField {
            path: PathBuf::from(path),
            field: "now",
            reason: format!("is {given:?}, not an RFC 3339 timestamp like 2026-11-26T10:00:00Z ({e})"),
        })?,
    };
    input.now = Some(now.to_string());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn now_is_filled_and_normalized_to_utc() {
        let mut input = Input::default();
        stamp_now(&mut input, Path::new("x")).unwrap();
        let now = input.now.clone().unwrap();
        assert!(now.ends_with('Z') && now.len() == 20, "{now}");

        input.now = Some("2026-11-26T10:00:00+01:00".into());
        stamp_now(&mut input, Path::new("x")).unwrap();
        assert_eq!(input.now.as_deref(), Some("2026-11-26T09:00:00Z"));
    }

    #[test]
    fn invalid_now_names_the_field() {
        let mut input = Input { now: Some("yesterday".into()), ..Input::default() };
        let err = stamp_now(&mut input, Path::new("in.json")).unwrap_err();
        assert!(err.to_string().starts_with("input in.json: field `now` is \"yesterday\""), "{err}");
    }

    #[test]
    fn config_keys_override_input_keys() {
        let mut input: Input = serde_json::from_str(r#"{"config":{"a":1,"b":2}}"#).unwrap();
        let file: Map<String, Value> = serde_json::from_str(r#"{"b":3,"c":4}"#).unwrap();
        merge_config(&mut input, file);
        assert_eq!(serde_json::to_string(&input.config).unwrap(), r#"{"a":1,"b":3,"c":4}"#);
    }
}
