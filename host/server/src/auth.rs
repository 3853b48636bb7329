//! Bearer tokens: read from a file the user owns and nobody else can read, or created there
//! with a fresh random token; compared in constant time.

use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use subtle::ConstantTimeEq;

use crate::Error;

/// The largest token file read.
const MAX_TOKEN_FILE: u64 = 4096;

/// The fewest characters a token may have.
const MIN_TOKEN: usize = 16;

/// A bearer token. Its `Debug` does not show it.
#[derive(Clone)]
pub struct Token(Vec<u8>);

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(..)")
    }
}

impl Token {
    /// Whether `header` (an `Authorization` header's value) is `Bearer <this token>`, in time
    /// that does not depend on how much of the token matches.
    pub fn admits(&self, header: Option<&[u8]>) -> bool {
        header.and_then(|h| h.strip_prefix(b"Bearer ")).is_some_and(|given| self.is(given))
    }

    /// Whether `given` is this token, in time that does not depend on how much matches.
    pub fn is(&self, given: &[u8]) -> bool {
        bool::from(given.ct_eq(&self.0))
    }

    /// The token file by default: `serve.token` in relgate's folder of the user's config
    /// directory.
    pub fn default_path() -> Option<PathBuf> {
        dirs::config_dir().map(|dir| dir.join("relgate").join("serve.token"))
    }

    /// Reads the token in `path` (its first line), or, when there is no such file and
    /// `create` is set, writes a fresh random one there (mode 0600, its folder 0700). The
    /// file must be the user's own, and neither group nor others may read or write it.
    pub fn load(path: &Path, create: bool) -> Result<Token, Error> {
        let start = |message: String, source: Option<std::io::Error>| Error::Start { message, source };
        if create && !path.exists() {
            if let Some(dir) = path.parent() {
                std::fs::DirBuilder::new()
                    .recursive(true)
                    .mode(0o700)
                    .create(dir)
                    .map_err(|e| start(format!("cannot create the token file's folder {}", dir.display()), Some(e)))?;
            }
            let mut random = [0u8; 32];
            getrandom::fill(&mut random).map_err(|e| start(format!("cannot draw a random token ({e})"), None))?;
            let token: String = random.iter().map(|b| format!("{b:02x}")).collect();
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path)
                .and_then(|mut f| f.write_all(format!("{token}\n").as_bytes()).map(|()| f))
                .map_err(|e| start(format!("cannot write a new token file {}", path.display()), Some(e)))?;
            file.flush().ok();
            tracing::warn!(path = %path.display(), "created a new bearer token for relgate serve");
        }
        let metadata = std::fs::metadata(path)
            .map_err(|e| start(format!("cannot read the token file {}", path.display()), Some(e)))?;
        // SAFETY: geteuid has no preconditions and cannot fail.
        let uid = unsafe { libc::geteuid() };
        if metadata.uid() != uid || metadata.permissions().mode() & 0o077 != 0 {
            return Err(start(
                format!(
                    "the token file {} must be yours and private to you: `chmod 600 {}`",
                    path.display(),
                    path.display()
                ),
                None,
            ));
        }
        let bytes = relgate_input::read_bounded(path, MAX_TOKEN_FILE)
            .map_err(|e| start(format!("cannot read the token file {}", path.display()), Some(e)))?;
        let token: Vec<u8> = bytes.split(|b| *b == b'\n').next().unwrap_or_default().trim_ascii_end().to_vec();
        if token.len() < MIN_TOKEN || !token.iter().all(|b| b.is_ascii_graphic()) {
            return Err(start(
                format!(
                    "the token file {} must hold a token of at least {MIN_TOKEN} printable characters on its first line (`openssl rand -hex 32`)",
                    path.display()
                ),
                None,
            ));
        }
        Ok(Token(token))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_bearer_token_is_admitted() {
        let token = Token(b"0123456789abcdef0123".to_vec());
        assert!(token.admits(Some(b"Bearer 0123456789abcdef0123")));
        for bad in [
            &b"Bearer 0123456789abcdef012"[..],
            b"Bearer 0123456789abcdef01234",
            b"0123456789abcdef0123",
            b"bearer 0123456789abcdef0123",
            b"",
        ] {
            assert!(!token.admits(Some(bad)), "{}", String::from_utf8_lossy(bad));
        }
        assert!(!token.admits(None));
    }

    #[test]
    fn token_files_are_created_private_and_refused_when_not() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("serve.token");
        let created = Token::load(&path, true).unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(Token::load(&path, false).unwrap().0, created.0, "the token is read back as written");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = Token::load(&path, false).unwrap_err().to_string();
        assert!(err.contains("chmod 600"), "{err}");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        std::fs::write(&path, "short\n").unwrap();
        assert!(Token::load(&path, false).unwrap_err().to_string().contains("at least 16"));
        assert!(Token::load(&dir.path().join("absent"), false).is_err(), "without create, a missing file is an error");
    }
}
