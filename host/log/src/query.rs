//! What a reader asks of the log: filters, pages and retention rules.

use std::str::FromStr;

use jiff::{SignedDuration, Timestamp};
use relgate::Decision;

use crate::{DecisionId, Error, Record};

/// Which decisions a query returns; every field narrows it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    /// Made by this gate.
    pub gate: Option<String>,
    /// Of this service (`release.service`).
    pub service: Option<String>,
    /// In this environment (`release.environment`).
    pub environment: Option<String>,
    /// With this decision.
    pub decision: Option<Decision>,
    /// Made at or after this time.
    pub since: Option<Timestamp>,
    /// Made before this time.
    pub until: Option<Timestamp>,
}

/// The longest text a filter takes, in bytes.
const MAX_FILTER: usize = 256;

impl Filter {
    /// Refuses values no record can hold: control characters (NUL among them, which
    /// PostgreSQL cannot even compare) and text longer than 256 bytes.
    pub fn validate(&self) -> Result<(), Error> {
        let fields = [("gate", &self.gate), ("service", &self.service), ("environment", &self.environment)];
        for (field, value) in fields {
            let Some(value) = value else { continue };
            if value.len() > MAX_FILTER {
                return Err(Error::InvalidFilter { field, reason: "longer than 256 bytes" });
            }
            if value.chars().any(char::is_control) {
                return Err(Error::InvalidFilter { field, reason: "it holds control characters" });
            }
        }
        Ok(())
    }
}

/// The order of a listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Newest first: listings and history.
    NewestFirst,
    /// Oldest first: exports and replays.
    OldestFirst,
}

/// One page of a listing.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Page {
    /// The records, in the listing's order.
    pub records: Vec<Record>,
    /// The cursor of the next page (the last record's id), when there may be one.
    pub next: Option<DecisionId>,
}

/// What retention keeps: decisions younger than an age, or the newest so many.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retention {
    /// Keep decisions made within this long.
    Age(SignedDuration),
    /// Keep the newest this many decisions.
    Count(u64),
}

impl FromStr for Retention {
    type Err = Error;

    /// `90d`, `12h`, `30m`, `2w` (an age), or `10000decisions` (a count). A bare number is
    /// refused: read as the wrong unit, it would prune what nobody asked to prune.
    fn from_str(text: &str) -> Result<Self, Error> {
        let invalid = |reason| Error::InvalidRetention {
            text: relgate::printable(&text.chars().take(64).collect::<String>()).into_owned(),
            reason,
        };
        let text = text.trim();
        let digits = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
        let (number, unit) = text.split_at(digits);
        let number: u64 = number.parse().map_err(|_| invalid("expected a number and a unit, such as 90d"))?;
        if number == 0 {
            return Err(invalid("it would keep nothing; use --no-log to record nothing"));
        }
        let seconds = match unit.trim() {
            "decisions" => return Ok(Retention::Count(number)),
            "" => return Err(invalid("give a unit: 90d for an age (s, m, h, d, w), or 10000decisions for a count")),
            "s" => 1,
            "m" => 60,
            "h" => 3600,
            "d" => 86_400,
            "w" => 7 * 86_400,
            _ => return Err(invalid("the unit is one of s, m, h, d, w, or `decisions` for a count")),
        };
        let seconds = number
            .checked_mul(seconds)
            .and_then(|s| i64::try_from(s).ok())
            .filter(|&s| s <= 200 * 365 * 86_400)
            .ok_or_else(|| invalid("longer than 200 years"))?;
        Ok(Retention::Age(SignedDuration::from_secs(seconds)))
    }
}

impl std::fmt::Display for Retention {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Retention::Age(age) if age.as_secs() % 86_400 == 0 => {
                write!(f, "decisions of the last {} days", age.as_secs() / 86_400)
            }
            Retention::Age(age) => write!(f, "decisions of the last {age:#}"),
            Retention::Count(count) => write!(f, "the newest {count} decisions"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retention_takes_an_age_or_a_count_and_never_a_bare_number() {
        let cases: &[(&str, Option<Retention>)] = &[
            ("90d", Some(Retention::Age(SignedDuration::from_hours(90 * 24)))),
            ("12h", Some(Retention::Age(SignedDuration::from_hours(12)))),
            ("2w", Some(Retention::Age(SignedDuration::from_hours(14 * 24)))),
            ("30m", Some(Retention::Age(SignedDuration::from_mins(30)))),
            ("10000decisions", Some(Retention::Count(10_000))),
            ("5 decisions", Some(Retention::Count(5))),
            ("90", None),
            ("0d", None),
            ("0decisions", None),
            ("-5d", None),
            ("90y", None),
            ("d", None),
            ("", None),
            ("99999999999999999999d", None),
            ("999999999w", None),
        ];
        for (text, expected) in cases {
            assert_eq!(text.parse::<Retention>().ok(), *expected, "{text:?}");
        }
        assert_eq!("90d".parse::<Retention>().unwrap().to_string(), "decisions of the last 90 days");
        assert_eq!("12h".parse::<Retention>().unwrap().to_string(), "decisions of the last 12h");
        let error = "90".parse::<Retention>().unwrap_err().to_string();
        assert!(error.contains("90d") && error.contains("decisions"), "{error}");
    }
}
