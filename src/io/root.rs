//! Finding the chant project a path belongs to: the nearest ancestor that holds a
//! `.chant/` directory (chant itself requires being started there; its MCP server
//! searches upward the same way).

use std::path::{Path, PathBuf};

/// The project root for `start` (a file or directory), if any.
pub fn find_root(start: &Path) -> Option<PathBuf> {
    let start = if start.is_file() { start.parent()? } else { start };
    let mut dir = Some(start);
    while let Some(d) = dir {
        if d.join(".chant").is_dir() {
            return Some(d.to_path_buf());
        }
        dir = d.parent();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_ancestor() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path().join("proj");
        std::fs::create_dir_all(root.join(".chant/specs")).expect("mkdir");
        std::fs::create_dir_all(root.join("src/deep")).expect("mkdir");
        std::fs::write(root.join("src/deep/x.rs"), "").expect("write");
        assert_eq!(find_root(&root.join("src/deep/x.rs")), Some(root.clone()));
        assert_eq!(find_root(&root.join(".chant/specs")), Some(root.clone()));
        assert_eq!(find_root(tmp.path()), None);
    }
}
