//! Reading files from outside under a bound: a regular file (or standard input) of at most
//! a given size, never a FIFO, a device or a directory, which could block or never end.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// A regular file, opened to be read to at most `limit` bytes.
pub(crate) struct Limited<R> {
    inner: R,
    left: u64,
    limit: u64,
}

fn too_large(limit: u64) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("it is larger than the limit of {limit} bytes"))
}

/// Opens `path` to read at most `limit` bytes: it must be a regular file no larger than that.
pub(crate) fn open(path: &Path, limit: u64) -> io::Result<Limited<File>> {
    // Without O_NONBLOCK, opening a FIFO blocks until a writer comes.
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    let file = options.open(path)?;
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "it is not a regular file (a directory, FIFO or device); give a file",
        ));
    }
    if metadata.len() > limit {
        return Err(too_large(limit));
    }
    Ok(Limited { inner: file, left: limit, limit })
}

/// Reads all of `path` (`-` for standard input), refusing more than `limit` bytes.
pub(crate) fn read_all(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    if path == Path::new("-") {
        Limited { inner: io::stdin().lock(), left: limit, limit }.read_to_end(&mut bytes)?;
    } else {
        open(path, limit)?.read_to_end(&mut bytes)?;
    }
    Ok(bytes)
}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // Ask for one byte more than is left, to tell "exactly at the limit" from "over it".
        let want = buf.len().min(usize::try_from(self.left.saturating_add(1)).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        if n as u64 > self.left {
            return Err(too_large(self.limit));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_stop_at_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        std::fs::write(&file, b"0123456789").unwrap();
        assert_eq!(read_all(&file, 10).unwrap(), b"0123456789");
        assert!(read_all(&file, 9).unwrap_err().to_string().contains("larger than the limit of 9 bytes"));
        let mut over = Limited { inner: &b"0123456789"[..], left: 4, limit: 4 };
        let mut bytes = Vec::new();
        assert!(over.read_to_end(&mut bytes).is_err());
        assert!(read_all(dir.path(), 10).unwrap_err().to_string().contains("not a regular file"));
        #[cfg(unix)]
        assert!(read_all(Path::new("/dev/zero"), 10).unwrap_err().to_string().contains("not a regular file"));
        #[cfg(unix)]
        {
            // A FIFO nobody writes to: refused at once, not waited on.
            let fifo = dir.path().join("fifo");
            let name = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
            // SAFETY: `name` is a valid C string.
            assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
            assert!(read_all(&fifo, 10).unwrap_err().to_string().contains("not a regular file"));
        }
    }
}
