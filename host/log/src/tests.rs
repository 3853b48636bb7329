//! One suite, run against both backends: SQLite in a temporary folder, and PostgreSQL in a
//! database each test creates and drops (`RELGATE_TEST_POSTGRES` names the server, default
//! `postgres://postgres@127.0.0.1:5432/postgres`). Without a PostgreSQL server the
//! PostgreSQL half says so and does not run, unless RELGATE_REQUIRE_TOOLCHAINS is set.

use std::sync::atomic::{AtomicU32, Ordering};

use jiff::{SignedDuration, Timestamp};
use relgate::{Decision, Digest};
use relgate_sdk::Release;

use crate::store::{Param, SCHEMA_VERSION};
use crate::*;

/// A log to test, and what removes it.
struct Backend {
    location: Location,
    _dir: Option<tempfile::TempDir>,
    database: Option<String>,
}

impl Drop for Backend {
    fn drop(&mut self) {
        if let Some(database) = &self.database
            && let Ok(mut admin) = postgres::Client::connect(&admin_url(), postgres::NoTls)
        {
            let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"));
        }
    }
}

fn admin_url() -> String {
    std::env::var("RELGATE_TEST_POSTGRES").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn sqlite() -> Backend {
    let dir = tempfile::tempdir().unwrap();
    Backend { location: Location::File(dir.path().join("log/decisions.sqlite")), _dir: Some(dir), database: None }
}

/// A fresh database, or `None` (with a note) where no server answers.
fn postgres() -> Option<Backend> {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let mut admin = match postgres::Client::connect(&admin_url(), postgres::NoTls) {
        Ok(admin) => admin,
        Err(e) => {
            assert!(
                std::env::var_os("RELGATE_REQUIRE_TOOLCHAINS").is_none(),
                "PostgreSQL is required here but does not answer at {}: {e}",
                admin_url()
            );
            eprintln!("NOTE: no PostgreSQL at {} ({e}): the PostgreSQL log tests do not run here", admin_url());
            return None;
        }
    };
    let database = format!("relgate_log_test_{}_{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {database}")).unwrap();
    admin.batch_execute(&format!("CREATE DATABASE {database}")).unwrap();
    let mut config: postgres::Config = admin_url().parse().unwrap();
    config.dbname(&database);
    let host = match &config.get_hosts()[0] {
        postgres::config::Host::Tcp(host) => host.clone(),
        postgres::config::Host::Unix(path) => path.display().to_string(),
    };
    let user = config.get_user().unwrap_or("postgres");
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let url = format!("postgres://{user}@{host}:{port}/{database}");
    Some(Backend { location: Location::Postgres(url), _dir: None, database: Some(database) })
}

/// Runs `test` on each backend there is.
fn each(test: impl Fn(&Location)) {
    test(&sqlite().location);
    if let Some(backend) = postgres() {
        test(&backend.location);
    }
}

/// A decision made at `seconds` past a fixed time.
fn record(seconds: i64, gate: &str, service: &str, environment: &str, decision: Decision) -> Record {
    let time = Timestamp::from_second(1_790_000_000 + seconds).unwrap();
    let uuid = uuid::Uuid::new_v7(uuid::Timestamp::from_unix(
        uuid::NoContext,
        time.as_second() as u64,
        time.subsec_nanosecond() as u32,
    ));
    let id: DecisionId = uuid.to_string().parse().unwrap();
    let release = Release {
        service: Some(service.into()),
        environment: Some(environment.into()),
        version: Some(format!("1.{seconds}")),
        ..Release::default()
    };
    let input = serde_json::json!({"release": release, "tests": {"total": 10, "passed": 10 - seconds % 3}});
    Record {
        schema: RECORD_SCHEMA,
        id,
        time: id.time().unwrap(),
        origin: Origin::Serve,
        gate: Some(gate.into()),
        release,
        input_digest: Digest::of(input.to_string().as_bytes()),
        input,
        decision,
        score: Some(50.0 + seconds as f64),
        decided_by_fault: false,
        policies: Vec::new(),
        unavailable: Vec::new(),
        elapsed_ms: 1.5,
        fuel_used: 1000,
    }
}

/// Twelve decisions, a minute apart: gates a and b, services api and web, environments prod
/// and staging, every third one denied.
fn twelve(log: &Log) -> Vec<Record> {
    let records: Vec<Record> = (0..12)
        .map(|i| {
            let decision = if i % 3 == 0 { Decision::Deny } else { Decision::Allow };
            record(
                60 * i,
                ["a", "b"][i as usize % 2],
                ["api", "web"][i as usize / 6],
                ["prod", "staging"][i as usize % 4 / 2],
                decision,
            )
        })
        .collect();
    for record in &records {
        log.append(record).unwrap();
    }
    records
}

fn ids(records: &[Record]) -> Vec<DecisionId> {
    records.iter().map(|r| r.id).collect()
}

#[test]
fn a_record_reads_back_exactly() {
    each(|location| {
        let log = Log::open(location).unwrap();
        assert_eq!(log.schema_version().unwrap(), SCHEMA_VERSION);
        let records = twelve(&log);
        for record in &records {
            assert_eq!(log.get(&record.id).unwrap().as_ref(), Some(record), "{location}");
        }
        assert_eq!(log.get(&DecisionId::new()).unwrap(), None);
        let again = log.append(&records[0]).unwrap_err();
        assert!(matches!(again, Error::Write { .. }), "an id is recorded once: {again}");
    });
}

#[test]
fn each_filter_selects_what_it_names() {
    each(|location| {
        let log = Log::open(location).unwrap();
        let records = twelve(&log);
        let expect = |filter: Filter, keep: &dyn Fn(&Record) -> bool| {
            let page = log.list(&filter, Order::OldestFirst, None, 100).unwrap();
            let wanted: Vec<_> = records.iter().filter(|r| keep(r)).map(|r| r.id).collect();
            assert!(!wanted.is_empty() && wanted.len() < records.len(), "{filter:?} selects some, not all");
            assert_eq!(ids(&page.records), wanted, "{location}: {filter:?}");
        };
        let at = |i: i64| records[i as usize].time;
        expect(Filter { gate: Some("a".into()), ..Filter::default() }, &|r| r.gate.as_deref() == Some("a"));
        expect(Filter { service: Some("web".into()), ..Filter::default() }, &|r| {
            r.release.service.as_deref() == Some("web")
        });
        expect(Filter { environment: Some("staging".into()), ..Filter::default() }, &|r| {
            r.release.environment.as_deref() == Some("staging")
        });
        expect(Filter { decision: Some(Decision::Deny), ..Filter::default() }, &|r| r.decision == Decision::Deny);
        expect(Filter { since: Some(at(4)), ..Filter::default() }, &|r| r.time >= at(4));
        expect(Filter { until: Some(at(4)), ..Filter::default() }, &|r| r.time < at(4));
        expect(
            Filter {
                service: Some("api".into()),
                environment: Some("prod".into()),
                since: Some(at(1)),
                until: Some(at(5)),
                ..Filter::default()
            },
            &|r| {
                r.release.service.as_deref() == Some("api")
                    && r.release.environment.as_deref() == Some("prod")
                    && (at(1)..at(5)).contains(&r.time)
            },
        );
        let none = Filter { gate: Some("c".into()), ..Filter::default() };
        assert!(log.list(&none, Order::NewestFirst, None, 10).unwrap().records.is_empty());
    });
}

#[test]
fn pages_follow_their_cursor_in_either_order() {
    each(|location| {
        let log = Log::open(location).unwrap();
        let records = twelve(&log);
        for order in [Order::NewestFirst, Order::OldestFirst] {
            let mut seen = Vec::new();
            let mut cursor = None;
            let mut pages = 0;
            loop {
                let page = log.list(&Filter::default(), order, cursor.as_ref(), 5).unwrap();
                assert!(page.records.len() <= 5);
                seen.extend(ids(&page.records));
                pages += 1;
                match page.next {
                    Some(next) => cursor = Some(next),
                    None => break,
                }
            }
            let mut expected = ids(&records);
            if order == Order::NewestFirst {
                expected.reverse();
            }
            assert_eq!(seen, expected, "{location}: {order:?}");
            assert_eq!(pages, 3, "12 records in pages of 5");
        }
        // A cursor combines with a filter.
        let filter = Filter { gate: Some("b".into()), ..Filter::default() };
        let first = log.list(&filter, Order::NewestFirst, None, 2).unwrap();
        let second = log.list(&filter, Order::NewestFirst, first.next.as_ref(), 2).unwrap();
        assert_eq!(ids(&second.records), vec![records[7].id, records[5].id]);
    });
}

#[test]
fn export_writes_one_record_a_line_oldest_first() {
    each(|location| {
        let log = Log::open(location).unwrap();
        let records = twelve(&log);
        let mut out = Vec::new();
        let filter = Filter { decision: Some(Decision::Allow), ..Filter::default() };
        assert_eq!(log.export(&filter, &mut out).unwrap(), 8);
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<Record> = text.lines().map(|line| Record::from_json(line).unwrap()).collect();
        let allowed: Vec<Record> = records.into_iter().filter(|r| r.decision == Decision::Allow).collect();
        assert_eq!(lines, allowed);
        assert!(text.ends_with('\n') && !text.contains("\n\n"));
    });
}

#[test]
fn retention_prunes_only_what_it_does_not_keep() {
    each(|location| {
        let log = Log::open(location).unwrap();
        let records = twelve(&log);
        let all = |log: &Log| ids(&log.list(&Filter::default(), Order::OldestFirst, None, 100).unwrap().records);
        // Kept by count: the newest 9.
        assert_eq!(log.prune(Retention::Count(20), Timestamp::now()).unwrap(), 0);
        assert_eq!(log.prune(Retention::Count(9), Timestamp::now()).unwrap(), 3);
        assert_eq!(all(&log), ids(&records[3..]));
        // Kept by age: as of record 11's time, the last 4 minutes (records 7 to 11).
        let now = records[11].time;
        assert_eq!(log.prune(Retention::Age(SignedDuration::from_mins(4)), now).unwrap(), 4);
        assert_eq!(all(&log), ids(&records[7..]));
        assert_eq!(log.prune(Retention::Age(SignedDuration::from_hours(1)), now).unwrap(), 0);
        assert_eq!(all(&log), ids(&records[7..]));
    });
}

#[test]
fn an_older_schema_is_migrated_with_its_records() {
    each(|location| {
        let old = record(0, "a", "api", "prod", Decision::Allow);
        {
            let log = Log::open_at_version(location, 1).unwrap();
            assert_eq!(log.schema_version().unwrap(), 1);
            // What version 1 wrote: no service or environment columns.
            log.with(|conn| {
                conn.execute(
                    "INSERT INTO decisions (id, time_us, gate, decision, record) VALUES (?, ?, ?, ?, ?)",
                    &[
                        Param::Text(Some(old.id.to_string())),
                        Param::Int(old.time.as_microsecond()),
                        Param::Text(old.gate.clone()),
                        Param::Text(Some(old.decision.to_string())),
                        Param::Text(Some(old.to_json())),
                    ],
                )
            })
            .unwrap();
        }
        let log = Log::open(location).unwrap();
        assert_eq!(log.schema_version().unwrap(), SCHEMA_VERSION);
        let filter = Filter { service: Some("api".into()), environment: Some("prod".into()), ..Filter::default() };
        assert_eq!(log.list(&filter, Order::NewestFirst, None, 10).unwrap().records, vec![old.clone()]);
        // Opening again changes nothing.
        drop(log);
        let log = Log::open(location).unwrap();
        assert_eq!(log.get(&old.id).unwrap(), Some(old));
    });
}

#[test]
fn a_newer_schema_is_refused() {
    each(|location| {
        let log = Log::open(location).unwrap();
        log.with(|conn| conn.execute("UPDATE relgate_log_schema SET version = 99", &[])).unwrap();
        drop(log);
        let error = Log::open(location).unwrap_err();
        assert!(matches!(error, Error::NewerSchema { found: 99, .. }), "{error}");
        assert!(error.to_string().contains("upgrade relgate"), "{error}");
    });
}

#[test]
fn a_tampered_record_is_an_error_not_a_decision() {
    each(|location| {
        let log = Log::open(location).unwrap();
        let records = twelve(&log);
        let set = |id: &DecisionId, json: String| {
            log.with(|conn| {
                conn.execute(
                    "UPDATE decisions SET record = ? WHERE id = ?",
                    &[Param::Text(Some(json)), Param::Text(Some(id.to_string()))],
                )
            })
            .unwrap();
        };
        // Another decision's record under this id.
        set(&records[0].id, records[1].to_json());
        let error = log.get(&records[0].id).unwrap_err();
        assert!(matches!(error, Error::Corrupt { .. }), "{error}");
        // A field nobody writes.
        let mut json: serde_json::Value = serde_json::from_str(&records[2].to_json()).unwrap();
        json["decison"] = "allow".into();
        set(&records[2].id, json.to_string());
        let error = log.get(&records[2].id).unwrap_err();
        let chain = format!("{error}: {}", std::error::Error::source(&error).unwrap());
        assert!(chain.contains("decison"), "{chain}");
        // A record whose decision (or release) was changed, while its columns were not.
        let mut json: serde_json::Value = serde_json::from_str(&records[3].to_json()).unwrap();
        assert_eq!(json["decision"], "deny");
        json["decision"] = "allow".into();
        set(&records[3].id, json.to_string());
        let error = log.get(&records[3].id).unwrap_err();
        let chain = format!("{error}: {}", std::error::Error::source(&error).unwrap());
        assert!(chain.contains("`decision` column disagrees"), "{chain}");
        // A record whose input was changed after its digest.
        let mut json: serde_json::Value = serde_json::from_str(&records[4].to_json()).unwrap();
        json["input"]["tests"]["passed"] = 0.into();
        set(&records[4].id, json.to_string());
        let error = log.get(&records[4].id).unwrap_err();
        let chain = format!("{error}: {}", std::error::Error::source(&error).unwrap());
        assert!(chain.contains("does not match its input_digest"), "{chain}");
        // A listing that meets one fails whole rather than skipping it.
        assert!(log.list(&Filter::default(), Order::NewestFirst, None, 100).is_err());
    });
}

#[test]
fn a_reader_changes_nothing_and_needs_the_current_schema() {
    each(|location| {
        if let Location::File(path) = location {
            let error = Log::open_reader(location).unwrap_err();
            assert!(matches!(error, Error::Open { .. }), "{error}");
            assert!(!path.exists(), "a reader creates nothing");
        }
        drop(Log::open_at_version(location, 1).unwrap());
        let error = Log::open_reader(location).unwrap_err();
        assert!(matches!(error, Error::OlderSchema { found: 1, .. }), "{error}");
        let log = Log::open(location).unwrap();
        let records = twelve(&log);
        let reader = Log::open_reader(location).unwrap();
        assert_eq!(reader.get(&records[0].id).unwrap().as_ref(), Some(&records[0]));
    });
}

#[test]
fn filters_refuse_what_no_record_holds() {
    each(|location| {
        let log = Log::open(location).unwrap();
        for (filter, field) in [
            (Filter { service: Some("a\0b".into()), ..Filter::default() }, "service"),
            (Filter { gate: Some("\u{1b}[2J".into()), ..Filter::default() }, "gate"),
            (Filter { environment: Some("x".repeat(257)), ..Filter::default() }, "environment"),
        ] {
            let error = log.list(&filter, Order::NewestFirst, None, 10).unwrap_err();
            assert!(matches!(error, Error::InvalidFilter { field: f, .. } if f == field), "{error}");
        }
    });
}

#[test]
fn a_log_that_is_a_link_or_shared_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let backend = sqlite();
    let Location::File(path) = &backend.location else { unreachable!() };
    Log::open(&backend.location).unwrap();
    let link = path.with_file_name("link.sqlite");
    std::os::unix::fs::symlink(path, &link).unwrap();
    let error = anyhow_chain(&Log::open(&Location::File(link)).unwrap_err());
    assert!(error.contains("symbolic link"), "{error}");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let error = anyhow_chain(&Log::open(&backend.location).unwrap_err());
    assert!(error.contains("chmod 600"), "{error}");
}

fn anyhow_chain(error: &Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text += &format!(": {cause}");
        source = cause.source();
    }
    text
}

#[test]
fn a_log_file_is_private_and_must_be_a_regular_file() {
    use std::os::unix::fs::PermissionsExt;
    let backend = sqlite();
    let Location::File(path) = &backend.location else { unreachable!() };
    Log::open(&backend.location).unwrap();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(path), 0o600);
    assert_eq!(mode(path.parent().unwrap()), 0o700);
    let error = Log::open(&Location::File(path.parent().unwrap().to_owned())).unwrap_err();
    assert!(error.to_string().contains("cannot open the decision log"), "{error}");
}

#[test]
fn a_location_hides_its_password() {
    let location: Location = "postgres://relgate:s3cret@db.example:6543/decisions?sslmode=disable".parse().unwrap();
    assert_eq!(location.to_string(), "postgres://relgate@db.example:6543/decisions");
    assert!(!format!("{location:?}").contains("s3cret"));
    let garbled: Location = "postgres://a:s3cret@[::1".parse().unwrap();
    assert!(!garbled.to_string().contains("s3cret"), "{garbled}");
    for text in ["mysql://root:S3CRET@db/x", "host=db user=u password=S3CRET dbname=d", ""] {
        let error = text.parse::<Location>().unwrap_err();
        assert!(matches!(error, Error::InvalidLocation { .. }), "{text}");
        assert!(!error.to_string().contains("S3CRET"), "{error}");
    }
    assert_eq!("logs/d.sqlite".parse::<Location>().unwrap(), Location::File("logs/d.sqlite".into()));
}
