//! Freeze windows: when releases may not ship. Three kinds, all in IANA time zones with
//! their daylight saving time: absolute windows (`2026-12-20` to `2027-01-04`, local, or
//! instants with an offset), windows that repeat every week in wall-clock time (`Friday
//! 16:00` to `Monday 08:00`, across the weekend), and holidays (whole local days). The time
//! zone database is compiled in (a policy has no filesystem), so the feature costs a policy
//! about 200 KB.
//!
//! ```
//! use relgate_sdk::freeze::{Freezes, Recurring};
//!
//! let weekend = Recurring {
//!     name: "weekend".into(),
//!     from: "Friday 16:00".into(),
//!     to: "Monday 08:00".into(),
//!     timezone: Some("Europe/Berlin".into()),
//! };
//! let freezes = Freezes { recurring: vec![weekend], ..Freezes::default() };
//! // 16:30 on a Friday in Berlin summer time.
//! let active = freezes.active("2026-07-03T14:30:00Z").unwrap().unwrap();
//! assert_eq!(active.window, "every Friday 16:00 to Monday 08:00 Europe/Berlin");
//! assert!(freezes.active("2026-07-06T06:00:00Z").unwrap().is_none()); // Monday 08:00
//! ```

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use jiff_guest as jiff;
use serde::{Deserialize, Serialize};

/// A window in which releases are frozen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Freeze {
    /// What the freeze is for.
    #[serde(default)]
    pub name: String,
    /// First moment of the freeze.
    pub start: String,
    /// First moment after the freeze.
    pub end: String,
    /// IANA time zone of `start` and `end` when they have no offset. Default `UTC`.
    #[serde(default)]
    pub timezone: Option<String>,
}

/// A window that repeats every week, in wall-clock time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recurring {
    /// What the freeze is for.
    #[serde(default)]
    pub name: String,
    /// The weekday and local time it starts: `Friday 16:00`.
    pub from: String,
    /// The weekday and local time it ends: `Monday 08:00`.
    pub to: String,
    /// IANA time zone of `from` and `to`. Default `UTC`.
    #[serde(default)]
    pub timezone: Option<String>,
}

/// A whole local day in which releases are frozen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Holiday {
    /// What the day is.
    #[serde(default)]
    pub name: String,
    /// The date: `2026-12-24`.
    pub date: String,
    /// IANA time zone the day is in. Default `UTC`.
    #[serde(default)]
    pub timezone: Option<String>,
}

/// Every freeze a policy checks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Freezes {
    /// Absolute windows.
    pub windows: Vec<Freeze>,
    /// Weekly windows.
    pub recurring: Vec<Recurring>,
    /// Frozen days.
    pub holidays: Vec<Holiday>,
}

/// The freeze a moment falls in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Active {
    /// The freeze's name.
    pub name: String,
    /// Its window, for people: `2026-12-20 to 2027-01-04 Europe/Berlin`, `every Friday 16:00
    /// to Monday 08:00 Europe/Berlin`, `all of 2026-12-24 America/New_York`.
    pub window: String,
}

/// When a freeze starts or ends, as an instant.
fn instant(text: &str, timezone: Option<&str>) -> Result<jiff::Timestamp, String> {
    if let Ok(ts) = text.parse::<jiff::Timestamp>() {
        return Ok(ts);
    }
    let civil = text
        .parse::<jiff::civil::DateTime>()
        .or_else(|_| text.parse::<jiff::civil::Date>().map(|d| d.to_datetime(jiff::civil::Time::midnight())))
        .map_err(|e| format!("`{text}` is not a date, a local date-time or an RFC 3339 instant ({e})"))?;
    let tz = time_zone(timezone)?;
    let name = timezone.unwrap_or("UTC");
    civil.to_zoned(tz).map(|z| z.timestamp()).map_err(|e| format!("`{text}` in {name}: {e}"))
}

fn time_zone(name: Option<&str>) -> Result<jiff::tz::TimeZone, String> {
    let name = name.unwrap_or("UTC");
    jiff::tz::db().get(name).map_err(|e| format!("unknown time zone `{name}` ({e})"))
}

/// Minutes from Monday 00:00 of a weekday and local time: `Friday 16:00`.
fn week_minute(text: &str) -> Result<i32, String> {
    let bad = || format!("`{text}` is not a weekday and a local time, such as `Friday 16:00`");
    let (day, time) = text.trim().split_once(' ').ok_or_else(bad)?;
    const DAYS: [&str; 7] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
    let day = day.to_ascii_lowercase();
    let day = DAYS.iter().position(|d| *d == day || (day.len() == 3 && d.starts_with(day.as_str()))).ok_or_else(bad)?;
    let time: jiff::civil::Time = time.trim().parse().map_err(|_| bad())?;
    Ok(day as i32 * 24 * 60 + i32::from(time.hour()) * 60 + i32::from(time.minute()))
}

impl Freezes {
    /// The freeze `now` (an RFC 3339 instant, as the input's `now`) falls in, the first in
    /// the order windows, recurring, holidays; `None` outside all. A window that cannot
    /// work (a bad date, weekday or time zone; an end before its start) is an error naming it.
    pub fn active(&self, now: &str) -> Result<Option<Active>, String> {
        let now: jiff::Timestamp =
            now.parse().map_err(|e| format!("`now` ({now}) is not an RFC 3339 instant ({e})"))?;
        for freeze in &self.windows {
            let tz = freeze.timezone.as_deref();
            let (start, end) = (instant(&freeze.start, tz)?, instant(&freeze.end, tz)?);
            if start >= end {
                return Err(format!(
                    "freeze `{}` ends ({}) before it starts ({})",
                    freeze.name, freeze.end, freeze.start
                ));
            }
            if start <= now && now < end {
                let window =
                    format!("{} to {}{}", freeze.start, freeze.end, tz.map(|t| format!(" {t}")).unwrap_or_default());
                return Ok(Some(Active { name: freeze.name.clone(), window }));
            }
        }
        for freeze in &self.recurring {
            let (from, to) = (week_minute(&freeze.from)?, week_minute(&freeze.to)?);
            if from == to {
                return Err(format!("recurring freeze `{}` starts and ends at the same time", freeze.name));
            }
            let local = now.to_zoned(time_zone(freeze.timezone.as_deref())?);
            let minute = i32::from(local.weekday().to_monday_zero_offset()) * 24 * 60
                + i32::from(local.hour()) * 60
                + i32::from(local.minute());
            // A window may run over the week's end (Friday evening to Monday morning).
            let inside = if from < to { from <= minute && minute < to } else { minute >= from || minute < to };
            if inside {
                let zone = freeze.timezone.as_deref().unwrap_or("UTC");
                return Ok(Some(Active {
                    name: freeze.name.clone(),
                    window: format!("every {} to {} {zone}", freeze.from, freeze.to),
                }));
            }
        }
        for holiday in &self.holidays {
            let date: jiff::civil::Date =
                holiday.date.parse().map_err(|e| format!("holiday `{}` is not a date ({e})", holiday.date))?;
            if now.to_zoned(time_zone(holiday.timezone.as_deref())?).date() == date {
                let zone = holiday.timezone.as_deref().unwrap_or("UTC");
                return Ok(Some(Active {
                    name: holiday.name.clone(),
                    window: format!("all of {} {zone}", holiday.date),
                }));
            }
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use alloc::vec;

    use super::*;

    fn window(start: &str, end: &str, timezone: Option<&str>) -> Freezes {
        let freeze =
            Freeze { name: "w".into(), start: start.into(), end: end.into(), timezone: timezone.map(Into::into) };
        Freezes { windows: vec![freeze], ..Freezes::default() }
    }

    #[test]
    fn absolute_windows_honour_their_time_zone_and_summer_time() {
        // (window, now, frozen): Berlin is UTC+1 in winter, UTC+2 in summer.
        let cases = [
            (window("2026-12-20", "2027-01-04T00:00", Some("Europe/Berlin")), "2026-12-19T22:59:59Z", false),
            (window("2026-12-20", "2027-01-04T00:00", Some("Europe/Berlin")), "2026-12-19T23:00:00Z", true),
            (window("2026-07-01T09:00", "2026-07-01T17:00", Some("Europe/Berlin")), "2026-07-01T07:00:00Z", true),
            (window("2026-07-01T09:00", "2026-07-01T17:00", Some("Europe/Berlin")), "2026-07-01T15:00:00Z", false),
            (window("2026-12-24T00:00:00-05:00", "2026-12-26T00:00:00-05:00", None), "2026-12-24T05:00:00Z", true),
        ];
        for (freezes, now, frozen) in cases {
            assert_eq!(freezes.active(now).unwrap().is_some(), frozen, "{now}: {freezes:?}");
        }
        assert!(window("2026-12-20", "2026-12-19", None).active("2026-12-19T00:00:00Z").unwrap_err().contains("ends"));
        assert!(Freezes::default().active("yesterday").unwrap_err().contains("is not an RFC 3339 instant"));
    }

    #[test]
    fn weekly_windows_wrap_over_the_weekend() {
        let recurring = |from: &str, to: &str| Freezes {
            recurring: vec![Recurring { name: "r".into(), from: from.into(), to: to.into(), timezone: None }],
            ..Freezes::default()
        };
        // 2026-11-27 is a Friday.
        let weekend = recurring("Friday 16:00", "Monday 08:00");
        for (now, frozen) in [
            ("2026-11-27T15:59:00Z", false),
            ("2026-11-27T16:00:00Z", true),
            ("2026-11-29T23:59:00Z", true),
            ("2026-11-30T07:59:00Z", true),
            ("2026-11-30T08:00:00Z", false),
        ] {
            assert_eq!(weekend.active(now).unwrap().is_some(), frozen, "{now}");
        }
        assert!(recurring("Fri 16:00", "fri 16:00").active("2026-11-27T10:00:00Z").unwrap_err().contains("same time"));
        assert!(recurring("Freitag 16:00", "Monday 08:00").active("2026-11-27T10:00:00Z").is_err());
    }

    #[test]
    fn holidays_are_whole_local_days() {
        let eve = Freezes {
            holidays: vec![Holiday {
                name: "eve".into(),
                date: "2026-12-24".into(),
                timezone: Some("America/New_York".into()),
            }],
            ..Freezes::default()
        };
        assert!(eve.active("2026-12-24T04:59:00Z").unwrap().is_none());
        assert_eq!(eve.active("2026-12-24T05:00:00Z").unwrap().unwrap().window, "all of 2026-12-24 America/New_York");
    }
}
