//! `relgate new`: scaffolds a policy project that builds and passes `relgate test` as it is.
//! The scaffolds are the example policies of `policies/` with the thin SDKs of `sdk/`, so
//! they are built and tested with everything else.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};

use crate::args::{Language, NewArgs};

const README: &str = include_str!("../../../sdk/templates/README.md");
const FIXTURE: &str = include_str!("../../../sdk/templates/fixture.test.json");
const RELEASE: &str = include_str!("../../../sdk/templates/release.json");

/// The WAT example keeps its metadata at this address, with its length in the packed
/// location `relgate_metadata` returns.
const WAT_METADATA_ADDRESS: u64 = 64;
const EXAMPLE_NAME: &str = "tests-gate";

struct File {
    path: String,
    contents: String,
    executable: bool,
}

fn file(path: impl Into<String>, contents: impl Into<String>) -> File {
    File { path: path.into(), contents: contents.into(), executable: false }
}

fn script(contents: &str) -> File {
    File { path: "build.sh".into(), contents: contents.into(), executable: true }
}

/// Renames the example's metadata `"name":"tests-gate"` (however the language quotes it).
fn rename(source: &str, quote: &str, name: &str) -> String {
    let from = format!("{quote}name{quote}:{quote}{EXAMPLE_NAME}{quote}");
    let to = format!("{quote}name{quote}:{quote}{name}{quote}");
    assert!(source.contains(&from), "the example names itself {EXAMPLE_NAME}");
    source.replace(&from, &to)
}

/// Renames the JavaScript and TypeScript examples' `name: "tests-gate"`.
fn rename_js(source: &str, name: &str) -> String {
    let from = format!("name: \"{EXAMPLE_NAME}\",");
    assert!(source.contains(&from), "the example names itself {EXAMPLE_NAME}");
    source.replace(&from, &format!("name: \"{name}\","))
}

/// A JavaScript or TypeScript project: the policy first, then the SDK, the build step and the
/// WIT world, and the language's own files.
fn js_files(name: &str, source: File, own: &[(&str, &str)]) -> Vec<File> {
    let mut files = vec![
        source,
        file("relgate.js", include_str!("../../../sdk/js/relgate.js")),
        file("relgate.d.ts", include_str!("../../../sdk/js/relgate.d.ts")),
        file("componentize.mjs", include_str!("../../../sdk/js/componentize.mjs")),
        file("wit/policy.wit", include_str!("../../../sdk/wit/policy.wit")),
    ];
    for (path, contents) in own {
        files.push(match *path {
            "build.sh" => script(contents),
            _ => file(*path, contents.replace("tests-gate.ts", &format!("{name}.ts"))),
        });
    }
    files
}

fn wat(name: &str) -> String {
    let source = include_str!("../../../policies/wat/tests-gate.wat");
    let renamed = rename(source, "\\\"", name);
    // The metadata's length is part of the constant `relgate_metadata` returns.
    let metadata_len = |s: &str| {
        let start = s.find("(data (i32.const 64) \"").expect("metadata segment") + 22;
        let end = start + s[start..].find("\")").expect("end of the metadata segment");
        s[start..end].replace("\\\"", "\"").len() as u64
    };
    let packed = |len: u64| format!("(i64.const {})", (WAT_METADATA_ADDRESS << 32) | len);
    renamed.replace(&packed(metadata_len(source)), &packed(metadata_len(&renamed)))
}

/// The Python example with its metadata's name changed (a keyword argument there).
fn python(name: &str) -> String {
    let source = include_str!("../../../policies/python/tests_gate.py");
    let from = format!("name=\"{EXAMPLE_NAME}\"");
    assert!(source.contains(&from), "the example names itself {EXAMPLE_NAME}");
    source.replace(&from, &format!("name=\"{name}\""))
}

/// `files` for a new policy; `sdk` is the Rust SDK's path as the project's Cargo.toml names it.
fn files(name: &str, language: Language, sdk: Option<&str>) -> Vec<File> {
    let crate_name = name.replace('-', "_");
    let (policy, source, build) = match language {
        Language::Wat => (format!("{name}.wat"), format!("{name}.wat"), ""),
        Language::Rust => {
            (format!("{name}.wasm"), "src/lib.rs".into(), "./build.sh                          # builds the policy\n")
        }
        _ => (format!("{name}.wasm"), String::new(), "./build.sh                          # builds the policy\n"),
    };
    let mut files = match language {
        Language::Wat => vec![file(format!("{name}.wat"), wat(name))],
        Language::C => vec![
            file(format!("{name}.c"), rename(include_str!("../../../policies/c/tests-gate.c"), "\\\"", name)),
            file("relgate.h", include_str!("../../../sdk/c/relgate.h")),
            script(include_str!("../../../sdk/templates/c/build.sh")),
            file(".gitignore", include_str!("../../../sdk/templates/c/gitignore")),
        ],
        Language::Zig => vec![
            file(format!("{name}.zig"), rename(include_str!("../../../policies/zig/tests-gate.zig"), "\"", name)),
            file("relgate.zig", include_str!("../../../sdk/zig/relgate.zig")),
            script(include_str!("../../../sdk/templates/zig/build.sh")),
            file(".gitignore", include_str!("../../../sdk/templates/zig/gitignore")),
        ],
        Language::Assemblyscript => vec![
            file(
                "assembly/index.ts",
                rename(include_str!("../../../policies/assemblyscript/assembly/index.ts"), "\"", name),
            ),
            file("assembly/relgate.ts", include_str!("../../../policies/assemblyscript/assembly/relgate.ts")),
            file(
                "package.json",
                include_str!("../../../policies/assemblyscript/package.json")
                    .replace("relgate-policy-tests-gate-assemblyscript", name)
                    .replace("tests-gate, a relgate release policy", &format!("{name}, a relgate release policy")),
            ),
            file("asconfig.json", include_str!("../../../policies/assemblyscript/asconfig.json")),
            script(include_str!("../../../sdk/templates/assemblyscript/build.sh")),
            file(".gitignore", include_str!("../../../sdk/templates/assemblyscript/gitignore")),
        ],
        Language::Js => js_files(
            name,
            file(format!("{name}.js"), rename_js(include_str!("../../../policies/js/tests-gate.js"), name)),
            &[
                ("package.json", include_str!("../../../sdk/templates/js/package.json")),
                ("package-lock.json", include_str!("../../../sdk/templates/js/package-lock.json")),
                ("build.sh", include_str!("../../../sdk/templates/js/build.sh")),
                (".gitignore", include_str!("../../../sdk/templates/js/gitignore")),
            ],
        ),
        Language::Ts => js_files(
            name,
            file(format!("{name}.ts"), rename_js(include_str!("../../../policies/ts/tests-gate.ts"), name)),
            &[
                ("tsconfig.json", include_str!("../../../policies/ts/tsconfig.json")),
                ("package.json", include_str!("../../../sdk/templates/ts/package.json")),
                ("package-lock.json", include_str!("../../../sdk/templates/ts/package-lock.json")),
                ("build.sh", include_str!("../../../sdk/templates/ts/build.sh")),
                (".gitignore", include_str!("../../../sdk/templates/ts/gitignore")),
            ],
        ),
        Language::Python => vec![
            file(format!("{crate_name}.py"), python(name)),
            file("relgate/__init__.py", include_str!("../../../sdk/python/relgate/__init__.py")),
            file("relgate/guest.py", include_str!("../../../sdk/python/relgate/guest.py")),
            file("relgate/input.py", include_str!("../../../sdk/python/relgate/input.py")),
            file("relgate/objectives.py", include_str!("../../../sdk/python/relgate/objectives.py")),
            file("relgate/verdict.py", include_str!("../../../sdk/python/relgate/verdict.py")),
            file("wit/policy.wit", include_str!("../../../sdk/wit/policy.wit")),
            script(include_str!("../../../sdk/templates/python/build.sh")),
            file(".gitignore", include_str!("../../../sdk/templates/python/gitignore")),
        ],
        Language::Rust => vec![
            file(
                "Cargo.toml",
                include_str!("../../../sdk/templates/rust/Cargo.toml")
                    .replace("{{sdk}}", sdk.expect("a Rust policy has its SDK's path")),
            ),
            file("src/lib.rs", include_str!("../../../sdk/templates/rust/src/lib.rs")),
            script(include_str!("../../../sdk/templates/rust/build.sh")),
            file(".gitignore", include_str!("../../../sdk/templates/rust/gitignore")),
        ],
    };
    let source = if source.is_empty() { files[0].path.clone() } else { source };
    files.push(file(format!("{name}.test.json"), FIXTURE.to_owned()));
    files.push(file("release.json", RELEASE.to_owned()));
    files.push(file("README.md", README.replace("{{build}}", build)));
    for f in &mut files {
        f.contents = f
            .contents
            .replace("{{name}}", name)
            .replace("{{crate}}", &crate_name)
            .replace("{{policy}}", &policy)
            .replace("{{source}}", &source)
            .replace("{{language}}", language.display());
    }
    files
}

/// The SDK a Rust policy depends on: `--sdk`, else the sdk/ of the checkout relgate was
/// built from, checked to be relgate's SDK.
fn rust_sdk(args: &NewArgs) -> anyhow::Result<PathBuf> {
    // The workspace this relgate was built from: host/cli is two levels down.
    let built_from = Path::new(env!("CARGO_MANIFEST_DIR")).ancestors().nth(2).map(|root| root.join("sdk"));
    let sdk = match (&args.sdk, built_from) {
        (Some(sdk), _) => sdk.clone(),
        (None, Some(sdk)) if sdk.is_dir() => sdk,
        _ => bail!(
            "a Rust policy depends on relgate-sdk, and the relgate checkout this relgate was built from is gone: \
             pass --sdk <a relgate checkout's sdk/ folder>"
        ),
    };
    let sdk = sdk.canonicalize().with_context(|| format!("cannot find the SDK at {}", sdk.display()))?;
    let manifest = std::fs::read_to_string(sdk.join("Cargo.toml")).unwrap_or_default();
    if !manifest.lines().any(|line| line.trim() == r#"name = "relgate-sdk""#) {
        bail!("{} is not relgate's sdk/ folder (its Cargo.toml is not relgate-sdk's)", sdk.display());
    }
    Ok(sdk)
}

/// The SDK's path relative to the project to be (which does not exist yet), so that a
/// project inside a relgate checkout moves with it; written into Cargo.toml, so it must be
/// a plain TOML string.
fn relative_sdk(sdk: &Path, project: &Path) -> anyhow::Result<String> {
    let parent = match project.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
    let parent = parent.canonicalize().with_context(|| format!("cannot resolve {}", parent.display()))?;
    let project = parent.join(project.file_name().context("the project's folder has no name")?);
    let relative = pathdiff::diff_paths(sdk, &project).unwrap_or_else(|| sdk.to_owned());
    let relative = relative.to_str().filter(|s| !s.contains(['"', '\\']) && !s.contains(char::is_control));
    relative.map(str::to_owned).with_context(|| {
        format!(
            "the path from {} to the SDK cannot be written into Cargo.toml; choose other folders",
            project.display()
        )
    })
}

fn valid_name(name: &str) -> bool {
    name.len() <= 64
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

pub fn run(args: &NewArgs) -> anyhow::Result<ExitCode> {
    if !valid_name(&args.name) {
        bail!(
            "policy name `{}` is not usable: use lowercase letters, digits and dashes, starting with a letter (at most 64)",
            args.name
        );
    }
    let dir = args.dir.clone().unwrap_or_else(|| PathBuf::from(&args.name));
    if dir.exists() {
        bail!("{} already exists; choose another name or --dir", dir.display());
    }
    let sdk = if args.lang == Language::Rust { Some(relative_sdk(&rust_sdk(args)?, &dir)?) } else { None };
    for f in &files(&args.name, args.lang, sdk.as_deref()) {
        let path = dir.join(&f.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(&path, &f.contents).with_context(|| format!("cannot write {}", path.display()))?;
        #[cfg(unix)]
        if f.executable {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
                .with_context(|| format!("cannot make {} executable", path.display()))?;
        }
    }
    let mut out = format!("created {} ({} policy) in {}\n", args.name, args.lang.display(), dir.display());
    if args.lang != Language::Wat {
        out += &format!("build it:  (cd {} && ./build.sh)\n", dir.display());
    }
    out += &format!("test it:   relgate test {}\n", dir.display());
    crate::print(&out)?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked() {
        for (name, ok) in
            [("gate", true), ("my-gate-2", true), ("Gate", false), ("2gate", false), ("a/b", false), ("", false)]
        {
            assert_eq!(valid_name(name), ok, "{name}");
        }
    }

    #[test]
    fn wat_scaffold_keeps_the_metadata_location_right() {
        // The renamed metadata is longer than the example's, so the packed length that
        // `relgate_metadata` returns must change with it: relgate must read it back whole.
        let engine = relgate::Engine::new(relgate::Config::default().with_cache_dir(None)).unwrap();
        for name in ["g", "a-much-longer-policy-name"] {
            let policy = engine.load_bytes("scaffold", wat(name).as_bytes()).unwrap();
            assert_eq!(policy.name(), name);
            let metadata = policy.metadata().unwrap();
            assert_eq!(metadata["language"], "wat", "{metadata}");
            assert_eq!(metadata["version"], "1.0.0", "the document is read to its end: {metadata}");
        }
    }
}
