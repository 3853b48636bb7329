//! The identity of a policy's bytes.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::Sha256;

/// The sha256 digest of a policy's bytes, written `sha256:<64 lowercase hex digits>`: the
/// form `relgate inspect` prints, a pin takes and reports carry.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest([u8; 32]);

/// The algorithm prefix of a written digest.
const PREFIX: &str = "sha256:";

impl Digest {
    /// The digest of `bytes`.
    pub fn of(bytes: &[u8]) -> Digest {
        Digest(<Sha256 as sha2::Digest>::digest(bytes).into())
    }

    /// The 64 lowercase hex digits, without the `sha256:` prefix.
    pub fn hex(&self) -> String {
        hex::encode(self.0)
    }

    /// The raw 32 bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{PREFIX}{}", self.hex())
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Why a text is not a digest.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a digest: expected sha256:<64 hex digits>")]
pub struct InvalidDigest {
    text: String,
}

impl FromStr for Digest {
    type Err = InvalidDigest;

    /// Parses `sha256:<64 hex digits>` (either case).
    fn from_str(text: &str) -> Result<Digest, InvalidDigest> {
        let invalid = || InvalidDigest { text: text.chars().take(80).collect() };
        let hex = text.strip_prefix(PREFIX).ok_or_else(invalid)?;
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(hex, &mut bytes).map_err(|_| invalid())?;
        Ok(Digest(bytes))
    }
}

impl Serialize for Digest {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Digest {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Digest, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_is_sha256_of_the_bytes() {
        let empty = Digest::of(b"");
        assert_eq!(empty.to_string(), "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_eq!(empty.to_string().parse::<Digest>().unwrap(), empty);
        assert_eq!(empty.to_string().to_uppercase().replace("SHA256", "sha256").parse::<Digest>().unwrap(), empty);
    }

    #[test]
    fn malformed_digests_are_refused() {
        let hex = "ab".repeat(32);
        for bad in [hex.as_str(), "sha256:abc", &format!("sha512:{hex}"), &format!("sha256:{}", "zz".repeat(32))] {
            assert!(bad.parse::<Digest>().is_err(), "{bad}");
        }
        let json = serde_json::to_string(&Digest::of(b"x")).unwrap();
        assert_eq!(serde_json::from_str::<Digest>(&json).unwrap(), Digest::of(b"x"));
    }
}
