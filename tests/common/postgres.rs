//! A PostgreSQL database of its own for a test, on the machine's server
//! (`RELGATE_TEST_POSTGRES`, default `postgres://postgres@127.0.0.1:5432/postgres`), dropped
//! when the test ends.

use std::sync::atomic::{AtomicU32, Ordering};

pub struct Database {
    pub url: String,
    name: String,
}

fn admin_url() -> String {
    std::env::var("RELGATE_TEST_POSTGRES").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A new, empty database, or `None` with a note where no server answers (failing instead
/// under RELGATE_REQUIRE_TOOLCHAINS, which CI sets).
pub fn database() -> Option<Database> {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let admin_url = admin_url();
    let mut admin = match postgres::Client::connect(&admin_url, postgres::NoTls) {
        Ok(admin) => admin,
        Err(e) => {
            assert!(
                std::env::var_os("RELGATE_REQUIRE_TOOLCHAINS").is_none(),
                "PostgreSQL is required here but does not answer at {admin_url}: {e}"
            );
            eprintln!("NOTE: no PostgreSQL at {admin_url} ({e}): the PostgreSQL decision-log tests do not run here");
            return None;
        }
    };
    let name = format!("relgate_test_{}_{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name}")).unwrap();
    admin.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
    let (base, _) = admin_url.rsplit_once('/').expect("the URL names a database");
    Some(Database { url: format!("{base}/{name}"), name })
}

impl Database {
    /// Drops the database under a running server, closing its connections.
    pub fn drop_now(&self) {
        let mut admin = postgres::Client::connect(&admin_url(), postgres::NoTls).unwrap();
        admin.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name)).unwrap();
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        if let Ok(mut admin) = postgres::Client::connect(&admin_url(), postgres::NoTls) {
            let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name));
        }
    }
}
