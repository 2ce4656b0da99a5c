//! The one way chant-lsp reads a file. A repository is untrusted input, so every read of
//! a project file (specs, configs, schemas, agent logs, linked files, previews, lock
//! files) goes through here:
//!
//! * only regular files are opened: the type is checked first (the directory listing's
//!   type, or a `stat`), the file is opened non-blocking (a FIFO swapped in after the
//!   check cannot block the open) and the opened descriptor is checked again (`fstat`),
//!   so a FIFO, a socket or a device is never read;
//! * at most `cap + 1` bytes are read ([`crate::analysis::facts::caps`]): past the cap
//!   the read fails with [`ReadProblem::TooLarge`], it never reads the whole file;
//! * a project file's real path (symlinks resolved) must lie inside the project root
//!   ([`Project`]); a file that leads outside is never opened.

use std::fs::File;
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use nix::libc;

use crate::analysis::facts::ReadProblem;

/// What a file type is when it is neither a regular file nor a directory.
pub fn special(t: &std::fs::FileType) -> Option<&'static str> {
    if t.is_fifo() {
        Some("a FIFO")
    } else if t.is_socket() {
        Some("a socket")
    } else if t.is_char_device() || t.is_block_device() {
        Some("a device")
    } else {
        None
    }
}

fn not_a_file(t: &std::fs::FileType) -> ReadProblem {
    if t.is_dir() {
        ReadProblem::NotAFile("a directory")
    } else {
        ReadProblem::NotAFile(special(t).unwrap_or("not a regular file"))
    }
}

/// The problem an IO error means for a read: nothing there, or something that cannot be
/// read (permission denied, a name too long, a symlink loop…).
pub fn problem(e: &std::io::Error) -> ReadProblem {
    match e.kind() {
        std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory => ReadProblem::Missing,
        kind => ReadProblem::Unreadable(kind),
    }
}

/// How much the caller already knows about the path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Known {
    /// Nothing: its type is checked with a `stat` (symlinks followed) before it is opened.
    Nothing,
    /// A directory listing said it is a regular file, not a symlink: it is opened without
    /// following a symlink (if it became one since, the open fails).
    Regular,
}

/// Opens a regular file for reading, never anything else; returns it and its size.
pub fn open(path: &Path, known: Known) -> Result<(File, u64), ReadProblem> {
    let mut flags = libc::O_NONBLOCK | libc::O_NOCTTY;
    match known {
        Known::Nothing => {
            let m = std::fs::metadata(path).map_err(|e| problem(&e))?;
            if !m.is_file() {
                return Err(not_a_file(&m.file_type()));
            }
        }
        Known::Regular => flags |= libc::O_NOFOLLOW,
    }
    let file =
        std::fs::OpenOptions::new().read(true).custom_flags(flags).open(path).map_err(|e| problem(&e))?;
    // What was opened, not what was checked: the path may have changed in between.
    let m = file.metadata().map_err(|e| problem(&e))?;
    if !m.is_file() {
        return Err(not_a_file(&m.file_type()));
    }
    Ok((file, m.len()))
}

/// A file seen only through `read`: `File::read_to_end` first asks for the size and the
/// position (`statx` + `lseek`), system calls a reused buffer does not need.
struct Plain(File);

impl Read for Plain {
    fn read(&mut self, b: &mut [u8]) -> std::io::Result<usize> {
        self.0.read(b)
    }
}

/// Reads a regular file into `buf` (cleared first), at most `cap` bytes: a larger file is
/// [`ReadProblem::TooLarge`] (at most `cap + 1` bytes are read to find out).
pub fn read_into(path: &Path, known: Known, cap: usize, buf: &mut Vec<u8>) -> Result<(), ReadProblem> {
    buf.clear();
    let (file, size) = open(path, known)?;
    if size > cap as u64 {
        return Err(ReadProblem::TooLarge { cap });
    }
    // Files whose size says 0 (procfs) are read to their end all the same.
    let want = (size as usize).max(64 * 1024).min(cap + 1);
    if buf.capacity() < want {
        buf.reserve(want);
    }
    Plain(file).take(cap as u64 + 1).read_to_end(buf).map_err(|e| problem(&e))?;
    if buf.len() > cap {
        buf.clear();
        return Err(ReadProblem::TooLarge { cap });
    }
    Ok(())
}

/// Reads a regular file, at most `cap` bytes.
pub fn read(path: &Path, known: Known, cap: usize) -> Result<Vec<u8>, ReadProblem> {
    let mut buf = Vec::new();
    read_into(path, known, cap, &mut buf)?;
    Ok(buf)
}

/// The first `max` bytes of a regular file, and its size.
pub fn head(path: &Path, known: Known, max: usize) -> Result<(Vec<u8>, u64), ReadProblem> {
    let (file, size) = open(path, known)?;
    let mut head = Vec::with_capacity(max.min(size as usize));
    Plain(file).take(max as u64).read_to_end(&mut head).map_err(|e| problem(&e))?;
    Ok((head, size))
}

/// A project root: the files read through it must lie inside it once symlinks are
/// resolved.
#[derive(Debug, Clone)]
pub struct Project {
    root: PathBuf,
    /// The root with every symlink resolved.
    real: PathBuf,
}

impl Project {
    pub fn new(root: &Path) -> Project {
        let real = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
        Project { root: root.to_path_buf(), real }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Whether a real (symlink-free) path lies inside the project.
    pub fn holds(&self, real: &Path) -> bool {
        real.starts_with(&self.real)
    }

    /// The real path of `path` (absolute, or relative to the root) when it lies inside
    /// the project.
    pub fn resolve(&self, path: &Path) -> Result<PathBuf, ReadProblem> {
        let real = std::fs::canonicalize(self.root.join(path)).map_err(|e| problem(&e))?;
        if self.holds(&real) {
            Ok(real)
        } else {
            Err(ReadProblem::Outside)
        }
    }

    /// Reads a project file (at most `cap` bytes) if its real path lies inside the project.
    pub fn read(&self, path: &Path, cap: usize) -> Result<Vec<u8>, ReadProblem> {
        read(&self.resolve(path)?, Known::Nothing, cap)
    }

    /// A project file's text as chant decodes it (lossy), at most `cap` bytes; `None`
    /// when it cannot be read.
    pub fn read_text(&self, path: &Path, cap: usize) -> Option<String> {
        self.read(path, cap).ok().map(|b| crate::analysis::workspace::decode(b).0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::facts::ReadProblem;

    #[test]
    fn only_regular_files_are_read_and_never_past_the_cap() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path();
        let file = dir.join("a.txt");
        std::fs::write(&file, "0123456789").expect("write");
        assert_eq!(read(&file, Known::Nothing, 10).expect("read"), b"0123456789");
        assert_eq!(read(&file, Known::Regular, 10).expect("read"), b"0123456789");
        assert_eq!(read(&file, Known::Nothing, 9), Err(ReadProblem::TooLarge { cap: 9 }));
        let fifo = dir.join("fifo");
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).expect("mkfifo");
        // Neither a stat first nor a non-blocking open lets a FIFO block the read.
        assert_eq!(read(&fifo, Known::Nothing, 10), Err(ReadProblem::NotAFile("a FIFO")));
        assert_eq!(read(&fifo, Known::Regular, 10), Err(ReadProblem::NotAFile("a FIFO")));
        assert_eq!(read(dir, Known::Nothing, 10), Err(ReadProblem::NotAFile("a directory")));
        // An endless device behind a symlink is a device, not a file.
        let zero = dir.join("zero");
        std::os::unix::fs::symlink("/dev/zero", &zero).expect("symlink");
        assert_eq!(read(&zero, Known::Nothing, 10), Err(ReadProblem::NotAFile("a device")));
        assert_eq!(read(&dir.join("none"), Known::Nothing, 10), Err(ReadProblem::Missing));
        // A listing said "regular file", then it became a symlink: not followed.
        let link = dir.join("link");
        std::os::unix::fs::symlink(&file, &link).expect("symlink");
        assert!(matches!(read(&link, Known::Regular, 10), Err(ReadProblem::Unreadable(_))));
        let (head, size) = head(&file, Known::Nothing, 4).expect("head");
        assert_eq!((head.as_slice(), size), (&b"0123"[..], 10));
    }

    #[test]
    fn project_files_must_lie_inside_the_project() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path().join("proj");
        std::fs::create_dir_all(root.join("docs")).expect("mkdir");
        std::fs::write(tmp.path().join("secret"), "MARKER").expect("write");
        std::fs::write(root.join("docs/a.md"), "A").expect("write");
        std::os::unix::fs::symlink("../../secret", root.join("docs/out.md")).expect("symlink");
        std::os::unix::fs::symlink("a.md", root.join("docs/in.md")).expect("symlink");
        let p = Project::new(&root);
        assert_eq!(p.read(Path::new("docs/in.md"), 10).expect("inside"), b"A");
        assert_eq!(p.read(Path::new("docs/out.md"), 10), Err(ReadProblem::Outside));
        assert_eq!(p.read(&root.join("docs/../../secret"), 10), Err(ReadProblem::Outside));
        assert_eq!(p.read(Path::new("docs/none.md"), 10), Err(ReadProblem::Missing));
    }
}
