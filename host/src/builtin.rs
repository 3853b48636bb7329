//! Policies compiled into relgate, addressed as `builtin:<name>`. `builtin:readiness` is
//! the default gate `relgate eval` runs when given no policy. Their source is in
//! `policies/`, their committed builds in `policies/dist/`.

use std::borrow::Cow;
use std::path::Path;

use crate::Error;

/// How a built-in policy is addressed.
pub const PREFIX: &str = "builtin:";

/// The policy `relgate eval` runs when given none.
pub const DEFAULT: &str = "builtin:readiness";

const POLICIES: [(&str, &[u8]); 3] = [
    ("readiness", include_bytes!("../../policies/dist/readiness.wasm")),
    ("canary", include_bytes!("../../policies/dist/canary.wasm")),
    ("change-risk", include_bytes!("../../policies/dist/change-risk.wasm")),
];

/// The names of the built-in policies.
pub fn names() -> impl Iterator<Item = &'static str> {
    POLICIES.iter().map(|(name, _)| *name)
}

/// The bytes of a policy file or, for `builtin:<name>`, of a built-in policy.
pub(crate) fn read(path: &Path) -> Result<Cow<'static, [u8]>, Error> {
    let Some(name) = path.to_str().and_then(|p| p.strip_prefix(PREFIX)) else {
        return std::fs::read(path).map(Cow::Owned).map_err(|source| Error::ReadPolicy { path: path.into(), source });
    };
    POLICIES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, bytes)| Cow::Borrowed(*bytes))
        .ok_or_else(|| Error::UnknownBuiltin { name: name.to_owned(), known: names().collect::<Vec<_>>().join(", ") })
}

/// A policy's default name: the built-in's name, or the file stem.
pub(crate) fn policy_name(path: &Path) -> String {
    if let Some(name) = path.to_str().and_then(|p| p.strip_prefix(PREFIX)) {
        return name.to_owned();
    }
    path.file_stem().map_or_else(|| path.display().to_string(), |s| s.to_string_lossy().into_owned())
}
