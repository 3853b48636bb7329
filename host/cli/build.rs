//! Finds which guest toolchains and test services this machine has, for the integration
//! suite (`tests/main.rs`): a test that needs one that is missing is marked ignored, with
//! the reason, so a skip shows in the test summary. Under `RELGATE_REQUIRE_TOOLCHAINS` (set
//! by `.ci/run`) nothing is ignored: a missing toolchain fails its tests instead.

use std::path::{Path, PathBuf};
use std::process::Command;

const MISSING: [&str; 6] = ["clang", "zig", "npm", "rust-wasm", "prometheus", "postgres"];

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
}

fn debian_package(name: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", name])
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).contains("install ok installed"))
}

fn rustc_sysroot() -> Option<PathBuf> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let out = Command::new(rustc).args(["--print", "sysroot"]).output().ok()?;
    Some(PathBuf::from(String::from_utf8(out.stdout).ok()?.trim()))
}

fn postgres_answers() -> bool {
    let url =
        std::env::var("RELGATE_TEST_POSTGRES").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    // postgres://user@host:port/db: the host and port are what a connection needs.
    let authority = url.split("://").nth(1).and_then(|rest| rest.split('/').next()).unwrap_or("");
    let host_port = authority.rsplit('@').next().unwrap_or("");
    let host_port = if host_port.contains(':') { host_port.to_owned() } else { format!("{host_port}:5432") };
    use std::net::ToSocketAddrs;
    host_port
        .to_socket_addrs()
        .ok()
        .and_then(|mut addrs| addrs.next())
        .is_some_and(|addr| std::net::TcpStream::connect_timeout(&addr, std::time::Duration::from_secs(2)).is_ok())
}

fn main() {
    let values: Vec<String> = MISSING.iter().map(|v| format!("\"{v}\"")).collect();
    println!("cargo::rustc-check-cfg=cfg(relgate_missing, values({}))", values.join(", "));
    println!("cargo::rerun-if-changed=build.rs");
    for var in ["PATH", "RELGATE_REQUIRE_TOOLCHAINS", "RELGATE_TEST_POSTGRES"] {
        println!("cargo::rerun-if-env-changed={var}");
    }
    if std::env::var_os("RELGATE_REQUIRE_TOOLCHAINS").is_some() {
        return;
    }

    // Installing a toolchain changes one of these, which runs this script again.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let sysroot = rustc_sysroot();
    let components = sysroot.as_ref().map(|s| s.join("lib/rustlib/components"));
    for watched in [Some(PathBuf::from("/usr/bin")), Some(root.join("target/tools")), components.clone()] {
        if let Some(path) = watched.filter(|p| p.exists()) {
            println!("cargo::rerun-if-changed={}", path.display());
        }
    }

    let rust_wasm = sysroot.is_some_and(|s| s.join("lib/rustlib/wasm32-unknown-unknown").is_dir())
        || ["rustc-web", "cargo-web", "rust-web-src"].into_iter().all(debian_package);
    let present = [
        ("clang", (on_path("clang-19") || on_path("clang")) && (on_path("wasm-ld-19") || on_path("wasm-ld"))),
        ("zig", root.join("target/tools/zig-0.14.1/bin/python").is_file()),
        ("npm", on_path("npm") && on_path("node")),
        ("rust-wasm", rust_wasm),
        ("prometheus", on_path("prometheus") && on_path("promtool")),
        ("postgres", postgres_answers()),
    ];
    for (name, present) in present {
        if !present {
            println!("cargo::rustc-cfg=relgate_missing=\"{name}\"");
        }
    }
}
