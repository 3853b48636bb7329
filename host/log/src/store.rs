//! The two backends behind one log: SQLite (embedded, the default) and PostgreSQL (shared by
//! replicas). Same schema, same queries; only placeholders and a few statements differ.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Mutex;
use std::time::Duration;

use jiff::Timestamp;

use crate::error::BoxError;
use crate::query::{Filter, Order, Page, Retention};
use crate::{DecisionId, Error, Record};

/// Where a log lives: a SQLite file, or a PostgreSQL database.
#[derive(Clone, PartialEq, Eq)]
pub enum Location {
    /// A SQLite database file, created (0600, in a 0700 folder) when missing.
    File(PathBuf),
    /// A PostgreSQL connection URL (`postgres://user@host:5432/db`).
    Postgres(String),
}

impl Location {
    /// The default log: `decisions.sqlite` in relgate's folder of the user's data directory
    /// (`~/.local/share/relgate/` on Linux).
    pub fn default_file() -> Result<Location, Error> {
        let data = dirs::data_dir().ok_or(Error::NoDefaultLocation)?;
        Ok(Location::File(data.join("relgate").join("decisions.sqlite")))
    }
}

impl FromStr for Location {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self, Error> {
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            return Ok(Location::Postgres(text.to_owned()));
        }
        let invalid = |reason| Error::InvalidLocation {
            // Only the scheme: the rest may hold credentials.
            text: text.split_once("://").map_or_else(
                || "…".to_owned(),
                |(scheme, _)| format!("{}://…", relgate::printable(&scheme.chars().take(16).collect::<String>())),
            ),
            reason,
        };
        if text.is_empty() {
            return Err(invalid("it is empty"));
        }
        if text.contains("://") {
            return Err(invalid("the only URLs are postgres:// and postgresql://"));
        }
        // `host=db password=...` is a PostgreSQL connection string, not a file name.
        if text.contains('=') {
            return Err(invalid("a file name with `=` looks like a connection string; write a postgres:// URL"));
        }
        Ok(Location::File(PathBuf::from(text)))
    }
}

impl fmt::Display for Location {
    /// A file's path, or a URL without its password and parameters.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::File(path) => write!(f, "{}", relgate::printable(&path.display().to_string())),
            Location::Postgres(url) => {
                let Ok(config) = postgres::Config::from_str(url) else { return f.write_str("postgres://***") };
                let user = config.get_user().map(|u| format!("{}@", relgate::printable(u))).unwrap_or_default();
                let host = match config.get_hosts().first() {
                    Some(postgres::config::Host::Tcp(host)) => relgate::printable(host).into_owned(),
                    Some(postgres::config::Host::Unix(path)) => {
                        relgate::printable(&path.display().to_string()).into_owned()
                    }
                    None => String::new(),
                };
                let port = config.get_ports().first().map(|p| format!(":{p}")).unwrap_or_default();
                let db = config.get_dbname().map(|d| format!("/{}", relgate::printable(d))).unwrap_or_default();
                write!(f, "postgres://{user}{host}{port}{db}")
            }
        }
    }
}

impl fmt::Debug for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// The newest schema version this relgate knows.
pub(crate) const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// One schema change, for each backend.
struct Migration {
    sqlite: &'static str,
    postgres: &'static str,
}

/// Every schema change in order; version N is the first N applied. Never edit one that has
/// shipped: add the next.
const MIGRATIONS: &[Migration] = &[
    // 1: the decisions, with what listings filter on.
    Migration {
        sqlite: "CREATE TABLE decisions (
                   id TEXT PRIMARY KEY, time_us BIGINT NOT NULL, gate TEXT,
                   decision TEXT NOT NULL, record TEXT NOT NULL);
                 CREATE INDEX decisions_time ON decisions (time_us);
                 CREATE INDEX decisions_gate ON decisions (gate, id);",
        postgres: "CREATE TABLE decisions (
                     id TEXT COLLATE \"C\" PRIMARY KEY, time_us BIGINT NOT NULL, gate TEXT,
                     decision TEXT NOT NULL, record TEXT NOT NULL);
                   CREATE INDEX decisions_time ON decisions (time_us);
                   CREATE INDEX decisions_gate ON decisions (gate, id);",
    },
    // 2: service and environment as columns (history and listings filter on them), filled
    // in from the records already there.
    Migration {
        sqlite: "ALTER TABLE decisions ADD COLUMN service TEXT;
                 ALTER TABLE decisions ADD COLUMN environment TEXT;
                 UPDATE decisions SET service = json_extract(record, '$.release.service'),
                                      environment = json_extract(record, '$.release.environment');
                 CREATE INDEX decisions_release ON decisions (service, environment, id);",
        postgres: "ALTER TABLE decisions ADD COLUMN service TEXT, ADD COLUMN environment TEXT;
                   UPDATE decisions SET service = record::jsonb -> 'release' ->> 'service',
                                        environment = record::jsonb -> 'release' ->> 'environment';
                   CREATE INDEX decisions_release ON decisions (service, environment, id);",
    },
];

/// A query parameter.
#[derive(Debug, Clone)]
pub(crate) enum Param {
    Text(Option<String>),
    Int(i64),
}

/// One open connection.
pub(crate) enum Conn {
    Sqlite(rusqlite::Connection),
    Postgres(postgres::Client),
}

/// The columns of a decision's row, in [`Row`]'s order.
const ROW_COLUMNS: &str = "id, time_us, gate, service, environment, decision, record";

/// A decision's row: the record and the columns listings filter on, which must agree.
struct Row {
    id: String,
    time_us: i64,
    gate: Option<String>,
    service: Option<String>,
    environment: Option<String>,
    decision: String,
    record: String,
}

/// How long a write waits for another writer of the same SQLite file.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// How long connecting to PostgreSQL may take, unless the URL says (`connect_timeout`).
const POSTGRES_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A lock id for migrations, so that replicas starting together migrate once.
const MIGRATION_LOCK: i64 = 0x0072_656c_6761_7465; // "relgate"

impl Conn {
    fn open(location: &Location, create: bool) -> Result<Conn, BoxError> {
        match location {
            Location::File(path) => Ok(Conn::Sqlite(open_sqlite(path, create)?)),
            Location::Postgres(url) => {
                let mut config = postgres::Config::from_str(url)?;
                if config.get_connect_timeout().is_none() {
                    config.connect_timeout(POSTGRES_CONNECT_TIMEOUT);
                }
                if config.get_application_name().is_none() {
                    config.application_name("relgate");
                }
                // A commit returns once it is on disk, whatever the server's default.
                config.options("-c synchronous_commit=on");
                Ok(Conn::Postgres(config.connect(postgres::NoTls)?))
            }
        }
    }

    fn is_closed(&self) -> bool {
        match self {
            Conn::Sqlite(_) => false,
            Conn::Postgres(client) => client.is_closed(),
        }
    }

    /// `sql` with `?` placeholders, numbered for PostgreSQL.
    fn sql(&self, sql: &str) -> String {
        match self {
            Conn::Sqlite(_) => sql.to_owned(),
            Conn::Postgres(_) => {
                let mut out = String::with_capacity(sql.len() + 8);
                let mut n = 0;
                for c in sql.chars() {
                    if c == '?' {
                        n += 1;
                        out += &format!("${n}");
                    } else {
                        out.push(c);
                    }
                }
                out
            }
        }
    }

    fn batch(&mut self, sql: &str) -> Result<(), BoxError> {
        match self {
            Conn::Sqlite(c) => c.execute_batch(sql)?,
            Conn::Postgres(c) => c.batch_execute(sql)?,
        }
        Ok(())
    }

    pub(crate) fn execute(&mut self, sql: &str, params: &[Param]) -> Result<u64, BoxError> {
        let sql = self.sql(sql);
        match self {
            Conn::Sqlite(c) => Ok(c.execute(&sql, rusqlite::params_from_iter(params.iter().map(sqlite_value)))? as u64),
            Conn::Postgres(c) => Ok(c.execute(&sql, &postgres_params(params))?),
        }
    }

    /// Rows of `SELECT {ROW_COLUMNS} ...`.
    fn query_rows(&mut self, sql: &str, params: &[Param]) -> Result<Vec<Row>, BoxError> {
        let sql = self.sql(sql);
        match self {
            Conn::Sqlite(c) => {
                let mut statement = c.prepare(&sql)?;
                let rows = statement.query_map(rusqlite::params_from_iter(params.iter().map(sqlite_value)), |row| {
                    Ok(Row {
                        id: row.get(0)?,
                        time_us: row.get(1)?,
                        gate: row.get(2)?,
                        service: row.get(3)?,
                        environment: row.get(4)?,
                        decision: row.get(5)?,
                        record: row.get(6)?,
                    })
                })?;
                Ok(rows.collect::<Result<_, _>>()?)
            }
            Conn::Postgres(c) => {
                let rows = c.query(&sql, &postgres_params(params))?;
                rows.iter()
                    .map(|row| {
                        Ok(Row {
                            id: row.try_get(0)?,
                            time_us: row.try_get(1)?,
                            gate: row.try_get(2)?,
                            service: row.try_get(3)?,
                            environment: row.try_get(4)?,
                            decision: row.try_get(5)?,
                            record: row.try_get(6)?,
                        })
                    })
                    .collect()
            }
        }
    }

    /// The schema version, or 0 for a new database.
    fn version(&mut self) -> Result<i64, BoxError> {
        self.batch("CREATE TABLE IF NOT EXISTS relgate_log_schema (version BIGINT NOT NULL)")?;
        self.read_version()
    }

    /// The schema version of an existing log, changing nothing.
    fn read_version(&mut self) -> Result<i64, BoxError> {
        let version = match self {
            Conn::Sqlite(c) => {
                c.query_row("SELECT COALESCE(MAX(version), 0) FROM relgate_log_schema", [], |row| row.get(0))?
            }
            Conn::Postgres(c) => {
                c.query_one("SELECT COALESCE(MAX(version), 0) FROM relgate_log_schema", &[])?.try_get(0)?
            }
        };
        Ok(version)
    }

    /// Brings the schema to `target`, one migration a transaction, holding the database's
    /// write lock so that two processes migrate once.
    fn migrate(&mut self, location: &Location, target: i64) -> Result<(), Error> {
        let open = |source| Error::Open { location: location.to_string(), source };
        let begin = match self {
            Conn::Sqlite(_) => "BEGIN IMMEDIATE".to_owned(),
            Conn::Postgres(_) => format!("BEGIN; SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"),
        };
        self.batch(&begin).map_err(open)?;
        let result = (|| {
            let found = self.version().map_err(open)?;
            if found > SCHEMA_VERSION {
                return Err(Error::NewerSchema { location: location.to_string(), found, known: SCHEMA_VERSION });
            }
            for version in found + 1..=target {
                let migration = &MIGRATIONS[version as usize - 1];
                let sql = match self {
                    Conn::Sqlite(_) => migration.sqlite,
                    Conn::Postgres(_) => migration.postgres,
                };
                let migrate = |source| Error::Migrate { location: location.to_string(), version, source };
                self.batch(sql).map_err(migrate)?;
                self.execute("DELETE FROM relgate_log_schema", &[]).map_err(migrate)?;
                self.execute("INSERT INTO relgate_log_schema (version) VALUES (?)", &[Param::Int(version)])
                    .map_err(migrate)?;
                tracing::info!(log = %location, version, "migrated the decision log");
            }
            Ok(())
        })();
        match result {
            Ok(()) => self.batch("COMMIT").map_err(open),
            Err(e) => {
                let _ = self.batch("ROLLBACK");
                Err(e)
            }
        }
    }
}

fn sqlite_value(param: &Param) -> rusqlite::types::Value {
    match param {
        Param::Text(Some(text)) => rusqlite::types::Value::Text(text.clone()),
        Param::Text(None) => rusqlite::types::Value::Null,
        Param::Int(n) => rusqlite::types::Value::Integer(*n),
    }
}

fn postgres_params(params: &[Param]) -> Vec<&(dyn postgres::types::ToSql + Sync)> {
    params
        .iter()
        .map(|p| match p {
            Param::Text(text) => text as &(dyn postgres::types::ToSql + Sync),
            Param::Int(n) => n as &(dyn postgres::types::ToSql + Sync),
        })
        .collect()
}

/// Opens (or creates, private to the user) a SQLite log, in WAL mode with synchronous
/// commits: a committed record survives a crash of the process or the machine.
fn open_sqlite(path: &Path, create: bool) -> Result<rusqlite::Connection, BoxError> {
    use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            return Err("it is a symbolic link; give the file it points to".into());
        }
        Ok(meta) if !meta.is_file() => return Err("not a regular file".into()),
        // As ssh treats its files: a log someone else can write could feed a gate a history.
        // SAFETY: geteuid has no preconditions.
        Ok(meta) if meta.uid() != unsafe { libc::geteuid() } => {
            return Err("it is not yours; a decision log must belong to the user that writes it".into());
        }
        Ok(meta) if meta.mode() & 0o077 != 0 => {
            return Err(format!(
                "its mode is {:o}: others may read or write it; `chmod 600 {}`",
                meta.mode() & 0o777,
                relgate::printable(&path.display().to_string())
            )
            .into());
        }
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !create => {
            return Err("there is no decision log there".into());
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::DirBuilder::new().recursive(true).mode(0o700).create(parent)?;
            }
            // Records hold whole inputs: created for the user alone.
            std::fs::OpenOptions::new().write(true).create(true).truncate(false).mode(0o600).open(path)?;
        }
        Err(e) => return Err(e.into()),
    }
    let conn = rusqlite::Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE
            | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX
            | rusqlite::OpenFlags::SQLITE_OPEN_NOFOLLOW,
    )?;
    conn.busy_timeout(SQLITE_BUSY_TIMEOUT)?;
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(format!("cannot use write-ahead logging (journal mode is {mode})").into());
    }
    conn.pragma_update(None, "synchronous", "FULL")?;
    Ok(conn)
}

/// A decision log. Every call commits before it returns. Writes go through one connection,
/// one at a time; listings and lookups through another.
pub struct Log {
    location: Location,
    /// Whether this log may create and migrate (a reader's may not).
    writer: bool,
    /// The connection that writes (and migrates).
    conn: Mutex<Option<Conn>>,
    /// The connection listings and lookups use, so that a long listing or export never
    /// holds up a decision's commit.
    reader: Mutex<Option<Conn>>,
}

impl fmt::Debug for Log {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Log").field("location", &self.location).finish_non_exhaustive()
    }
}

/// Records of a page of a listing, at most this many.
pub const MAX_PAGE: usize = 1000;

impl Log {
    /// Opens the log at `location` for writing, creating it or migrating its schema as
    /// needed.
    pub fn open(location: &Location) -> Result<Log, Error> {
        Log::open_at_version(location, SCHEMA_VERSION)
    }

    /// Opens an existing log for reading: nothing is created or migrated, so a role or user
    /// that may only read the log can list, export and replay it.
    pub fn open_reader(location: &Location) -> Result<Log, Error> {
        let log = Log { location: location.clone(), writer: false, conn: Mutex::new(None), reader: Mutex::new(None) };
        let found = log.read(Conn::read_version).map_err(|source| log.open_error(source))?;
        match found {
            found if found > SCHEMA_VERSION => {
                Err(Error::NewerSchema { location: location.to_string(), found, known: SCHEMA_VERSION })
            }
            found if found < SCHEMA_VERSION => {
                Err(Error::OlderSchema { location: location.to_string(), found, known: SCHEMA_VERSION })
            }
            _ => Ok(log),
        }
    }

    /// Opens the log, migrating to at most `version` (tests build older logs with it).
    #[doc(hidden)]
    pub fn open_at_version(location: &Location, version: i64) -> Result<Log, Error> {
        let log = Log { location: location.clone(), writer: true, conn: Mutex::new(None), reader: Mutex::new(None) };
        let mut conn = Conn::open(location, true).map_err(|source| log.open_error(source))?;
        conn.migrate(location, version.min(SCHEMA_VERSION))?;
        *log.conn.lock().unwrap_or_else(|e| e.into_inner()) = Some(conn);
        Ok(log)
    }

    /// Where the log is.
    pub fn location(&self) -> &Location {
        &self.location
    }

    /// The schema version of the log.
    pub fn schema_version(&self) -> Result<i64, Error> {
        self.read(Conn::read_version).map_err(|source| self.read_error(source))
    }

    /// Runs `f` on the writing connection, connecting again if PostgreSQL closed it.
    pub(crate) fn with<T>(&self, f: impl FnOnce(&mut Conn) -> Result<T, BoxError>) -> Result<T, BoxError> {
        Self::on(&self.conn, &self.location, self.writer, f)
    }

    /// Runs `f` on the reading connection.
    fn read<T>(&self, f: impl FnOnce(&mut Conn) -> Result<T, BoxError>) -> Result<T, BoxError> {
        Self::on(&self.reader, &self.location, false, f)
    }

    fn on<T>(
        conn: &Mutex<Option<Conn>>,
        location: &Location,
        create: bool,
        f: impl FnOnce(&mut Conn) -> Result<T, BoxError>,
    ) -> Result<T, BoxError> {
        let mut guard = conn.lock().unwrap_or_else(|e| e.into_inner());
        if guard.as_ref().is_none_or(Conn::is_closed) {
            *guard = None;
            *guard = Some(Conn::open(location, create)?);
        }
        f(guard.as_mut().expect("connected above"))
    }

    fn open_error(&self, source: BoxError) -> Error {
        Error::Open { location: self.location.to_string(), source }
    }

    fn read_error(&self, source: BoxError) -> Error {
        Error::Read { location: self.location.to_string(), source }
    }

    /// Commits `record`; when this returns `Ok`, the record is durable.
    pub fn append(&self, record: &Record) -> Result<(), Error> {
        let params = [
            Param::Text(Some(record.id.to_string())),
            Param::Int(record.time.as_microsecond()),
            Param::Text(record.gate.clone()),
            Param::Text(record.release.service.clone()),
            Param::Text(record.release.environment.clone()),
            Param::Text(Some(record.decision.to_string())),
            Param::Text(Some(record.to_json())),
        ];
        self.with(|conn| {
            conn.execute(&format!("INSERT INTO decisions ({ROW_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)"), &params)
        })
        .map(drop)
        .map_err(|source| Error::Write { id: record.id, location: self.location.to_string(), source })
    }

    /// The record of decision `id`, if the log has it.
    pub fn get(&self, id: &DecisionId) -> Result<Option<Record>, Error> {
        let sql = format!("SELECT {ROW_COLUMNS} FROM decisions WHERE id = ?");
        let rows = self
            .read(|conn| conn.query_rows(&sql, &[Param::Text(Some(id.to_string()))]))
            .map_err(|source| self.read_error(source))?;
        rows.into_iter().next().map(|row| self.parse(row)).transpose()
    }

    /// One page of the decisions `filter` selects, in `order`, after the decision `cursor`
    /// (in that order), at most `limit` (and at most [`MAX_PAGE`]).
    pub fn list(
        &self,
        filter: &Filter,
        order: Order,
        cursor: Option<&DecisionId>,
        limit: usize,
    ) -> Result<Page, Error> {
        filter.validate()?;
        let limit = limit.clamp(1, MAX_PAGE);
        let mut conditions = Vec::new();
        let mut params = Vec::new();
        let mut text = |column: &'static str, value: &Option<String>| {
            if let Some(value) = value {
                conditions.push(format!("{column} = ?"));
                params.push(Param::Text(Some(value.clone())));
            }
        };
        text("gate", &filter.gate);
        text("service", &filter.service);
        text("environment", &filter.environment);
        text("decision", &filter.decision.map(|d| d.to_string()));
        if let Some(since) = filter.since {
            conditions.push("time_us >= ?".into());
            params.push(Param::Int(since.as_microsecond()));
        }
        if let Some(until) = filter.until {
            conditions.push("time_us < ?".into());
            params.push(Param::Int(until.as_microsecond()));
        }
        let (compare, direction) = match order {
            Order::NewestFirst => ("<", "DESC"),
            Order::OldestFirst => (">", "ASC"),
        };
        if let Some(cursor) = cursor {
            conditions.push(format!("id {compare} ?"));
            params.push(Param::Text(Some(cursor.to_string())));
        }
        let filter = if conditions.is_empty() { String::new() } else { format!("WHERE {}", conditions.join(" AND ")) };
        // One more than the page, to know whether there is a next one.
        params.push(Param::Int(limit as i64 + 1));
        let sql = format!("SELECT {ROW_COLUMNS} FROM decisions {filter} ORDER BY id {direction} LIMIT ?");
        let rows = self.read(|conn| conn.query_rows(&sql, &params)).map_err(|source| self.read_error(source))?;
        let more = rows.len() > limit;
        let records = rows.into_iter().take(limit).map(|row| self.parse(row)).collect::<Result<Vec<_>, _>>()?;
        let next = if more { records.last().map(|r| r.id) } else { None };
        Ok(Page { records, next })
    }

    /// Every decision `filter` selects, in `order`, a page at a time.
    pub fn records<'a>(&'a self, filter: &'a Filter, order: Order) -> impl Iterator<Item = Result<Record, Error>> + 'a {
        let mut cursor: Option<DecisionId> = None;
        let mut page = std::collections::VecDeque::new();
        let mut done = false;
        std::iter::from_fn(move || {
            if page.is_empty() && !done {
                match self.list(filter, order, cursor.as_ref(), MAX_PAGE) {
                    Ok(next) => {
                        done = next.next.is_none();
                        cursor = next.next;
                        page.extend(next.records);
                    }
                    Err(e) => {
                        done = true;
                        return Some(Err(e));
                    }
                }
            }
            page.pop_front().map(Ok)
        })
    }

    /// Writes every decision `filter` selects, oldest first, one JSON record a line; returns
    /// how many.
    pub fn export(&self, filter: &Filter, out: &mut dyn Write) -> Result<u64, Error> {
        let mut count = 0;
        for record in self.records(filter, Order::OldestFirst) {
            writeln!(out, "{}", record?.to_json()).map_err(Error::Export)?;
            count += 1;
        }
        out.flush().map_err(Error::Export)?;
        Ok(count)
    }

    /// Deletes what `retention` does not keep, as of `now`; returns how many were deleted.
    ///
    /// Ages and order are the decisions' ids', made from the clock of the process that made
    /// each: replicas whose clocks disagree prune by their own times.
    pub fn prune(&self, retention: Retention, now: Timestamp) -> Result<u64, Error> {
        let deleted = self.with(|conn| match retention {
            Retention::Age(age) => {
                let cutoff = now.checked_sub(age).map_or(i64::MIN, |t| t.as_microsecond());
                conn.execute("DELETE FROM decisions WHERE time_us < ?", &[Param::Int(cutoff)])
            }
            // When there are fewer, the subquery is empty and nothing is deleted.
            Retention::Count(keep) => conn.execute(
                "DELETE FROM decisions WHERE id < (SELECT id FROM decisions ORDER BY id DESC LIMIT 1 OFFSET ?)",
                &[Param::Int(i64::try_from(keep - 1).unwrap_or(i64::MAX))],
            ),
        });
        let deleted =
            deleted.map_err(|source| Error::Prune { location: self.location.to_string(), retention, source })?;
        if deleted > 0 {
            tracing::info!(log = %self.location, deleted, "pruned the decision log, keeping {retention}");
        }
        Ok(deleted)
    }

    /// A stored row as a record, checked against its row's columns and its input digest.
    fn parse(&self, row: Row) -> Result<Record, Error> {
        let corrupt = |source: BoxError| Error::Corrupt {
            id: relgate::printable(&row.id.chars().take(64).collect::<String>()).into_owned(),
            location: self.location.to_string(),
            source,
        };
        let record = Record::from_json(&row.record).map_err(|e| corrupt(e.into()))?;
        let disagree = |column: &str| corrupt(format!("its `{column}` column disagrees with the record").into());
        if record.id.to_string() != row.id {
            return Err(disagree("id"));
        }
        if record.time.as_microsecond() != row.time_us {
            return Err(disagree("time_us"));
        }
        if record.gate != row.gate {
            return Err(disagree("gate"));
        }
        if record.release.service != row.service {
            return Err(disagree("service"));
        }
        if record.release.environment != row.environment {
            return Err(disagree("environment"));
        }
        if record.decision.to_string() != row.decision {
            return Err(disagree("decision"));
        }
        if !record.input_matches_digest() {
            return Err(corrupt("its input does not match its input_digest".into()));
        }
        Ok(record)
    }
}
