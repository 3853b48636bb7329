//! Policies compiled into relgate, addressed as `builtin:<name>`
//! ([`crate::PolicyRef::builtin`]). `readiness` is the default gate. Their source is in
//! `policies/`, their committed builds in `policies/dist/`; the `builtin` feature (on by
//! default) embeds them.

use std::borrow::Cow;

use crate::Error;

/// The name of the built-in policy `relgate eval` runs when given none.
pub const DEFAULT: &str = "readiness";

#[cfg(feature = "builtin")]
const POLICIES: &[(&str, &[u8])] = &[
    ("readiness", include_bytes!("../../../policies/dist/readiness.wasm")),
    ("canary", include_bytes!("../../../policies/dist/canary.wasm")),
    ("change-risk", include_bytes!("../../../policies/dist/change-risk.wasm")),
];

#[cfg(not(feature = "builtin"))]
const POLICIES: &[(&str, &[u8])] = &[];

/// The names of the built-in policies (none without the `builtin` feature).
pub fn names() -> impl Iterator<Item = &'static str> {
    POLICIES.iter().map(|(name, _)| *name)
}

/// The bytes of the built-in policy `name`.
pub(crate) fn bytes(name: &str) -> Result<Cow<'static, [u8]>, Error> {
    POLICIES.iter().find(|(n, _)| *n == name).map(|(_, bytes)| Cow::Borrowed(*bytes)).ok_or_else(|| {
        let known = match names().collect::<Vec<_>>().join(", ") {
            none if none.is_empty() => "this relgate was built without its built-in policies".to_owned(),
            list => format!("the built-in policies are {list}"),
        };
        Error::UnknownBuiltin { name: name.to_owned(), known }
    })
}
