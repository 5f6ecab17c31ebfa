//! Repository check (run as a test by `cargo xtask test`): no import circles between the
//! top-level modules of a crate.
//!
//! Every `.rs` file belongs to the top-level module it sits in (`src/store/meta.rs` to
//! `store`). A file depends on module `m` when its code (comments aside) names `crate::m…`
//! (also inside `use crate::{…}` groups), a `super::` path that climbs to the crate root and
//! names `m`, or a root re-export of `m` (`crate::App` when `lib.rs` says
//! `pub use app::{App, …}`). The modules and those dependencies must form no cycle: the admin
//! API and the request path depend on the engine, never on each other, and a lower layer
//! never reaches back up. A failure names each circle and, for every step of it, the file
//! and line that makes it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// One dependency: `from` names `to` at `file:line`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    /// The depending top-level module.
    pub from: String,
    /// The module depended on.
    pub to: String,
    /// Where (file relative to `src/`, and line).
    pub at: String,
}

/// The code of `text` with comments (`//…` to the end of the line, `/* … */`) and the
/// contents of string literals blanked, line structure kept.
fn code_only(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut in_str = false;
    let mut prev_ident = false;
    while let Some(c) = chars.next() {
        let after_ident = std::mem::replace(&mut prev_ident, is_ident(c));
        // A raw string `r"…"`, `r#"…"#`: skipped to its own end.
        if c == 'r' && !after_ident {
            let hashes = chars.clone().take_while(|&h| h == '#').count();
            if chars.clone().nth(hashes) == Some('"') {
                chars.nth(hashes);
                let close: String = std::iter::once('"')
                    .chain((0..hashes).map(|_| '#'))
                    .collect();
                let mut body = String::new();
                for c in chars.by_ref() {
                    body.push(c);
                    if c == '\n' {
                        out.push('\n');
                    }
                    if body.ends_with(&close) {
                        break;
                    }
                }
                out.push_str("\"\"");
                prev_ident = false;
                continue;
            }
        }
        if in_str {
            match c {
                '\\' => {
                    chars.next();
                }
                '"' => {
                    in_str = false;
                    out.push('"');
                }
                '\n' => out.push('\n'),
                _ => {}
            }
            continue;
        }
        match (c, chars.peek()) {
            ('/', Some('/')) => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            ('/', Some('*')) => {
                chars.next();
                let mut prev = ' ';
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                    }
                    if prev == '*' && c == '/' {
                        break;
                    }
                    prev = c;
                }
            }
            ('"', _) => {
                in_str = true;
                out.push('"');
            }
            // A char literal such as '"' or '{'.
            ('\'', _) => {
                let rest: String = chars.clone().take(3).collect();
                let mut it = rest.chars();
                match (it.next(), it.next(), it.next()) {
                    (Some('\\'), Some(_), Some('\'')) => {
                        chars.nth(2);
                    }
                    (Some(_), Some('\''), _) => {
                        chars.nth(1);
                    }
                    _ => out.push(c),
                }
            }
            _ => out.push(c),
        }
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The first identifier of `s` (after spaces).
fn first_ident(s: &str) -> &str {
    let s = s.trim_start();
    let end = s.find(|c: char| !is_ident(c)).unwrap_or(s.len());
    &s[..end]
}

/// The top-level names a path starting right after `crate::` reaches: one name, or every
/// first name of a `{…}` group.
fn names_after_root(rest: &str) -> Vec<String> {
    let rest = rest.trim_start();
    if let Some(group) = rest.strip_prefix('{') {
        let mut names = Vec::new();
        let mut depth = 0usize;
        let mut start = 0;
        for (i, c) in group.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => {
                    names.push(first_ident(&group[start..i]).to_owned());
                    break;
                }
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    names.push(first_ident(&group[start..i]).to_owned());
                    start = i + 1;
                }
                _ => {}
            }
        }
        names.retain(|n| !n.is_empty());
        names
    } else {
        vec![first_ident(rest).to_owned()]
    }
}

/// The module path of a file below `src/` (`store/meta.rs` → `[store, meta]`,
/// `store/mod.rs` → `[store]`, `lib.rs` → `[]`).
fn module_path(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if let Some(last) = parts.pop() {
        let stem = last.trim_end_matches(".rs");
        if !matches!(stem, "mod" | "lib" | "main") {
            parts.push(stem.to_owned());
        }
    }
    parts
}

/// The dependencies of one file at `module` (its module path), by the names its code uses at
/// the crate root, with their lines.
fn root_names(module: &[String], text: &str) -> Vec<(String, usize)> {
    let code = code_only(text);
    let mut found = Vec::new();
    for (n, line) in code.lines().enumerate() {
        let mut i = 0;
        while i < line.len() {
            let rest = &line[i..];
            let preceded = line[..i].chars().next_back().is_some_and(is_ident);
            if !preceded && rest.starts_with("crate::") {
                for name in names_after_root(&rest["crate::".len()..]) {
                    found.push((name, n + 1));
                }
                i += "crate::".len();
                continue;
            }
            if !preceded && rest.starts_with("super::") {
                let mut ups = 0;
                let mut tail = rest;
                while let Some(t) = tail.strip_prefix("super::") {
                    ups += 1;
                    tail = t;
                }
                // `super` of a module's own file is its parent.
                if ups == module.len() {
                    for name in names_after_root(tail) {
                        found.push((name, n + 1));
                    }
                }
                i += ups * "super::".len();
                continue;
            }
            i += rest.chars().next().map_or(1, char::len_utf8);
        }
    }
    found
}

/// `pub use m::{A, B}` / `pub use m::A` lines of the crate root: name → module.
fn root_reexports(root_text: &str) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    for line in code_only(root_text).lines() {
        let Some(rest) = line.trim().strip_prefix("pub use ") else {
            continue;
        };
        let module = first_ident(rest);
        let Some(after) = rest.get(module.len()..).and_then(|r| r.strip_prefix("::")) else {
            continue;
        };
        let after = after.trim_end_matches(';');
        let items: Vec<&str> = match after.strip_prefix('{') {
            Some(g) => g.trim_end_matches('}').split(',').collect(),
            None => vec![after],
        };
        for item in items {
            let item = item.trim();
            let name = item.rsplit(" as ").next().unwrap_or(item).trim();
            let name = name.rsplit("::").next().unwrap_or(name);
            if !name.is_empty() {
                map.insert(name.to_owned(), module.to_owned());
            }
        }
    }
    map
}

/// Every `.rs` file below `dir`.
fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The dependencies between the top-level modules of the crate whose sources are `src`.
pub fn edges(src: &Path) -> std::io::Result<Vec<Edge>> {
    let mut files = Vec::new();
    sources(src, &mut files);
    files.sort();
    let root_file = ["lib.rs", "main.rs"]
        .iter()
        .map(|f| src.join(f))
        .find(|p| p.exists());
    let reexports = match &root_file {
        Some(p) => root_reexports(&std::fs::read_to_string(p)?),
        None => BTreeMap::new(),
    };
    let modules: BTreeSet<String> = files
        .iter()
        .filter_map(|f| module_path(f.strip_prefix(src).ok()?).into_iter().next())
        .collect();
    let mut out = Vec::new();
    for file in &files {
        let Ok(rel) = file.strip_prefix(src) else {
            continue;
        };
        let module = module_path(rel);
        let Some(top) = module.first() else {
            continue; // the crate root: it declares the modules.
        };
        let text = std::fs::read_to_string(file)?;
        for (name, line) in root_names(&module, &text) {
            let to = if modules.contains(&name) {
                name
            } else if let Some(m) = reexports.get(&name) {
                m.clone()
            } else {
                continue; // a macro exported at the root, or a name of the root itself.
            };
            if &to != top {
                out.push(Edge {
                    from: top.clone(),
                    to,
                    at: format!("{}:{line}", rel.display()),
                });
            }
        }
    }
    Ok(out)
}

/// The circles among `edges`: each strongly connected set of two or more modules, sorted.
pub fn circles(edges: &[Edge]) -> Vec<Vec<String>> {
    let mut graph: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for e in edges {
        graph.entry(&e.from).or_default().insert(&e.to);
        graph.entry(&e.to).or_default();
    }
    // Kosaraju: finish order on the graph, then components on the reversed graph.
    let mut order = Vec::new();
    let mut seen = BTreeSet::new();
    for &start in graph.keys() {
        if !seen.insert(start) {
            continue;
        }
        let mut stack = vec![(start, graph[start].iter())];
        while let Some((node, next)) = stack.last_mut() {
            match next.find(|n| !seen.contains(*n)) {
                Some(&n) => {
                    seen.insert(n);
                    stack.push((n, graph[n].iter()));
                }
                None => {
                    order.push(*node);
                    stack.pop();
                }
            }
        }
    }
    let mut reversed: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (&from, tos) in &graph {
        for &to in tos {
            reversed.entry(to).or_default().push(from);
        }
    }
    let mut assigned = BTreeSet::new();
    let mut out = Vec::new();
    for &start in order.iter().rev() {
        if !assigned.insert(start) {
            continue;
        }
        let mut component = vec![start.to_owned()];
        let mut stack = vec![start];
        while let Some(node) = stack.pop() {
            for &prev in reversed.get(node).into_iter().flatten() {
                if assigned.insert(prev) {
                    component.push(prev.to_owned());
                    stack.push(prev);
                }
            }
        }
        if component.len() > 1 {
            component.sort();
            out.push(component);
        }
    }
    out.sort();
    out
}

/// A report of `circles`: each with the edges inside it, one place per pair.
pub fn describe(circles: &[Vec<String>], edges: &[Edge]) -> String {
    let mut text = String::new();
    for circle in circles {
        text.push_str(&format!("import circle: {}\n", circle.join(" ↔ ")));
        let mut pairs: BTreeMap<(&str, &str), &str> = BTreeMap::new();
        for e in edges {
            if circle.contains(&e.from) && circle.contains(&e.to) {
                pairs.entry((&e.from, &e.to)).or_insert(&e.at);
            }
        }
        for ((from, to), at) in pairs {
            text.push_str(&format!("  {from} → {to} (at {at})\n"));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The crates checked: all but `eventmock-fake`, whose circles (`any` ↔ `vendors`,
    /// `arrivals` ↔ `span` ↔ `time`) are left for another change.
    const CHECKED: &[&str] = &["server", "model", "scenario", "contract", "cli"];

    fn crate_src(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join("crates")
            .join(name)
            .join("src")
    }

    #[test]
    fn no_import_circles_between_top_level_modules() {
        let mut report = String::new();
        for name in CHECKED {
            let src = crate_src(name);
            let edges = edges(&src).unwrap_or_else(|e| panic!("{}: {e}", src.display()));
            assert!(
                edges.len() > 3 || *name != "server",
                "{}: found only {} dependencies",
                src.display(),
                edges.len()
            );
            let found = circles(&edges);
            if !found.is_empty() {
                report.push_str(&format!("crates/{name}/src:\n{}", describe(&found, &edges)));
            }
        }
        assert!(report.is_empty(), "{report}");
    }

    fn edge(from: &str, to: &str) -> Edge {
        Edge {
            from: from.into(),
            to: to.into(),
            at: "x.rs:1".into(),
        }
    }

    #[test]
    fn finds_circles_and_only_them() {
        let edges = [
            edge("admin", "app"),
            edge("app", "world"),
            edge("world", "admin"),
            edge("events", "store"),
            edge("store", "events"),
            edge("store", "overlay"),
            edge("app", "response"),
        ];
        assert_eq!(
            circles(&edges),
            vec![
                vec!["admin".to_owned(), "app".into(), "world".into()],
                vec!["events".to_owned(), "store".into()],
            ]
        );
        let text = describe(&circles(&edges), &edges);
        assert!(text.contains("events ↔ store"), "{text}");
        assert!(text.contains("world → admin (at x.rs:1)"), "{text}");
        assert!(circles(&edges[3..4]).is_empty());
    }

    #[test]
    fn reads_paths_groups_super_and_reexports() {
        let text = r##"
//! Uses [`crate::doc_only`] in a comment only.
use crate::{app::App, store::{Entry, Lookup}, errors};
use super::super::ledger::Tracking;
const R: &str = r#"{"crate::raw": "x"}"#;
fn f() { let s = "crate::in_a_string"; crate::clock::now(); }
/* crate::in_a_block_comment */
"##;
        let names: Vec<String> = root_names(&["admin".into(), "ui".into()], text)
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        assert_eq!(names, ["app", "store", "errors", "ledger", "clock"]);
        // `super::` of a top-level module's file is the root; deeper it is not.
        let names = root_names(&["admin".into()], "use super::world::World;");
        assert_eq!(names, [("world".to_owned(), 1)]);
        let names = root_names(&["admin".into(), "ui".into()], "use super::page;");
        assert!(names.is_empty());
        let map = root_reexports("pub use app::{App, PortHandler};\npub use world::World;");
        assert_eq!(map.get("App").map(String::as_str), Some("app"));
        assert_eq!(map.get("World").map(String::as_str), Some("world"));
        assert_eq!(
            module_path(Path::new("store/meta.rs")),
            ["store".to_owned(), "meta".into()]
        );
        assert_eq!(module_path(Path::new("store/mod.rs")), ["store".to_owned()]);
    }
}
