//! Finds which guest toolchains and test services this machine has, for the integration
//! suite (`tests/main.rs`): a test that needs one that is missing is marked ignored, with
//! the reason, so that a skip shows in the test summary. Under `RELGATE_REQUIRE_TOOLCHAINS`
//! (set by `.ci/run`) nothing is ignored: a missing toolchain fails its tests instead.
//!
//! What is found is what the suite was built with. Installing or removing a program in
//! `/usr/bin`, a Rust target, or a tool of target/tools (whose install scripts touch
//! `target/tools/installed`) builds it again; a tool installed elsewhere, or PostgreSQL
//! started later, is seen after `touch host/cli/build.rs`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join(program)).find(|p| p.is_file())
}

fn succeeds(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn debian_package(name: &str) -> bool {
    succeeds("dpkg-query", &["-W", "-f=${Status}", name]).is_some_and(|s| s.contains("install ok installed"))
}

/// The two routes of the Rust scaffold's build.sh: rustup's target, or Debian's packages
/// with a rust-lld that runs (Debian's, or the toolchain's in `sysroot`).
fn rust_wasm(sysroot: &Path) -> bool {
    let rustup = succeeds("rustup", &["target", "list", "--installed"])
        .is_some_and(|targets| targets.lines().any(|t| t == "wasm32-unknown-unknown"));
    let lld = [
        on_path("rust-lld"),
        Some(sysroot.join(format!("lib/rustlib/{}/bin/rust-lld", std::env::var("HOST").unwrap_or_default()))),
    ];
    let lld = lld
        .into_iter()
        .flatten()
        .any(|lld| succeeds(&lld.to_string_lossy(), &["-flavor", "wasm", "--version"]).is_some());
    rustup || (["rustc-web", "cargo-web", "rust-web-src"].into_iter().all(debian_package) && lld)
}

/// What the Python scaffold's build.sh needs to install componentize-py: python3 3.10 or
/// later with venv and ensurepip (Debian's python3-venv).
fn python_venv() -> bool {
    let check = "import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 10))";
    succeeds("python3", &["-c", check]).is_some()
}

fn postgres_answers() -> bool {
    use std::net::ToSocketAddrs;
    let url =
        std::env::var("RELGATE_TEST_POSTGRES").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    // postgres://user@host:port/db: a connection needs the host and port.
    let authority = url.split("://").nth(1).and_then(|rest| rest.split('/').next()).unwrap_or("");
    let host = authority.rsplit('@').next().unwrap_or("");
    let host = if host.contains(':') { host.to_owned() } else { format!("{host}:5432") };
    let addr = host.to_socket_addrs().ok().and_then(|mut addrs| addrs.next());
    addr.is_some_and(|addr| std::net::TcpStream::connect_timeout(&addr, std::time::Duration::from_secs(2)).is_ok())
}

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    for var in ["PATH", "RELGATE_REQUIRE_TOOLCHAINS", "RELGATE_TEST_POSTGRES"] {
        println!("cargo::rerun-if-env-changed={var}");
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let sysroot = succeeds(&rustc.to_string_lossy(), &["--print", "sysroot"]).unwrap_or_default();
    let sysroot = PathBuf::from(sysroot.trim());
    let zig = root.join("target/tools/zig-0.14.1/bin/python");
    let multitool =
        root.join("target/tools/sarif-multitool/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool");
    // The version scripts/install-prometheus-client pins; the tests run this interpreter.
    let prometheus_client = root.join("target/tools/prometheus-client-0.26.0/bin/python");
    println!("cargo::rustc-env=RELGATE_PROMETHEUS_CLIENT_PYTHON={}", prometheus_client.display());
    let required = std::env::var_os("RELGATE_REQUIRE_TOOLCHAINS").is_some();
    // (the cfg value, whether it is here), the one list the tests' cfgs are checked against.
    let tools: [(&str, &dyn Fn() -> bool); 9] = [
        ("clang", &|| {
            (on_path("clang-19").is_some() || on_path("clang").is_some())
                && (on_path("wasm-ld-19").is_some() || on_path("wasm-ld").is_some())
        }),
        ("zig", &|| zig.is_file()),
        ("npm", &|| on_path("npm").is_some() && on_path("node").is_some()),
        ("rust-wasm", &|| rust_wasm(&sysroot)),
        ("prometheus", &|| on_path("prometheus").is_some() && on_path("promtool").is_some()),
        ("postgres", &postgres_answers),
        ("sarif-multitool", &|| multitool.is_file()),
        ("prometheus-client", &|| prometheus_client.is_file()),
        ("python-venv", &python_venv),
    ];
    let values: Vec<String> = tools.iter().map(|(name, _)| format!("\"{name}\"")).collect();
    println!("cargo::rustc-check-cfg=cfg(relgate_missing, values({}))", values.join(", "));
    if required {
        return;
    }
    // A folder is scanned whole at every build: /usr/bin is flat, but target/tools holds
    // Zig's cache and npm packages, so the scripts that install there touch one file,
    // `target/tools/installed`, made here if need be so that it can be watched. `rustup
    // target add` rewrites the toolchain's list of components.
    let stamp = root.join("target/tools/installed");
    if !stamp.exists() {
        let _ = std::fs::create_dir_all(root.join("target/tools")).and_then(|()| std::fs::write(&stamp, ""));
    }
    let components = sysroot.join("lib/rustlib/components");
    for watched in [Path::new("/usr/bin"), &stamp, &zig, &multitool, &prometheus_client, &components] {
        if watched.exists() {
            println!("cargo::rerun-if-changed={}", watched.display());
        }
    }
    for (name, present) in tools {
        if !present() {
            println!("cargo::rustc-cfg=relgate_missing=\"{name}\"");
        }
    }
}
