//! Repository checks run as ordinary tests (`cargo xtask test` runs them).
//!
//! - The test suite reads nothing outside the repository: a fresh clone with nothing beside
//!   it must pass. No source names a path that climbs out of the workspace (a sibling `shared` folder,
//!   `CARGO_MANIFEST_DIR` followed by more `..` than the crate is deep) or an absolute path of
//!   the development machine.

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    /// The workspace root (xtask sits one level below it).
    fn root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default()
    }

    /// Every `.rs` file under `dir`, skipping build output.
    fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            if path.is_dir() {
                if name != "target" && name != ".git" {
                    sources(&path, out);
                }
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    /// What a source line must not contain, and why.
    fn escape(line: &str, depth: usize) -> Option<&'static str> {
        if line.contains("../shared") || line.contains("/work/") {
            return Some("a path outside the repository");
        }
        // `concat!(env!("CARGO_MANIFEST_DIR"), "/../../..")` and the like: more `..` than the
        // file's crate is deep below the root leaves the repository.
        let climbs = line.matches("../").count() + usize::from(line.trim_end().ends_with(".."));
        (line.contains("\"/..") && climbs > depth)
            .then_some("a path that climbs out of the repository")
    }

    #[test]
    fn the_test_suite_reads_nothing_outside_the_repository() {
        let root = root();
        let mut files = Vec::new();
        for dir in ["crates", "xtask"] {
            sources(&root.join(dir), &mut files);
        }
        assert!(files.len() > 50, "found only {} sources", files.len());
        let mut bad = Vec::new();
        for file in &files {
            let rel = file.strip_prefix(&root).unwrap_or(file);
            // crates/<name>/… is two deep; xtask/… one.
            let depth = if rel.starts_with("crates") { 2 } else { 1 };
            if rel.ends_with("xtask/src/tidy.rs") {
                continue;
            }
            let text = std::fs::read_to_string(file).unwrap_or_default();
            for (n, line) in text.lines().enumerate() {
                if let Some(why) = escape(line, depth) {
                    bad.push(format!(
                        "{}:{}: {why}: {}",
                        rel.display(),
                        n + 1,
                        line.trim()
                    ));
                }
            }
        }
        assert!(bad.is_empty(), "{}", bad.join("\n"));
    }

    #[test]
    fn escapes_are_recognised() {
        // Built in two parts so this file itself names no path outside the repository.
        let sibling = concat!(r#"  "/../../../shared"#, r#"/reference/x.yml""#);
        assert!(escape(sibling, 2).is_some());
        assert!(escape(r#"  "/../../../elsewhere/x.yml""#, 2).is_some());
        assert!(escape(r#"include_str!("../../../scenarios/cf.yaml")"#, 2).is_none());
        assert!(escape(r#"  "/../../scenarios""#, 2).is_none());
        assert!(escape(r#"read("/work/shared/x")"#, 2).is_some());
    }
}
