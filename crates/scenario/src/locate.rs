//! Where each YAML node is: a second pass over the parser's event stream that records, for every
//! node path (`vendors.authentik.fixtures[1].id`), the line and column of its key and its value.
//!
//! Serde hands validation plain values; this map gives semantic errors (a bad regex, a duplicate
//! fixture id) the position of the offending node without wrapping every field in a span type.

use std::collections::HashMap;

use serde_saphyr::granit_parser::{Event, Parser, Span};

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
}

impl Pos {
    /// The start of a parser span.
    fn of(span: &Span) -> Self {
        Pos {
            line: span.start.line(),
            column: span.start.col() + 1,
        }
    }
}

/// The positions of a node: of its mapping key (if it is a mapping value) and of its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Node {
    /// The key's position, for a mapping value.
    key: Option<Pos>,
    /// The value's position.
    value: Pos,
}

/// A container being walked.
enum Frame {
    /// A sequence: the path of the sequence and the index of the next item.
    Seq(String, usize),
    /// A mapping: its path, and the pending key (text and position) when a value is expected.
    Map(String, Option<(String, Pos)>),
}

/// Node positions by path.
#[derive(Debug, Default)]
pub struct Locator {
    /// Path → node positions.
    nodes: HashMap<String, Node>,
}

/// Joins a parent path and a key.
pub fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}

impl Locator {
    /// Walks the document's events. Stops quietly at a syntax error (the deserializer reports
    /// those); whatever was seen before stays usable.
    pub fn new(text: &str) -> Self {
        let mut nodes = HashMap::new();
        let mut stack: Vec<Frame> = Vec::new();
        for item in Parser::new_from_str(text) {
            let Ok((event, span)) = item else { break };
            let pos = Pos::of(&span);
            let (is_start, is_end) = match &event {
                Event::Scalar(..) | Event::Alias(_) => (false, false),
                Event::SequenceStart(..) | Event::MappingStart(..) => (true, false),
                Event::SequenceEnd | Event::MappingEnd => (false, true),
                _ => continue,
            };
            if is_end {
                stack.pop();
                continue;
            }
            // A scalar in key position of a mapping is a key, not a node.
            if let (Some(Frame::Map(_, pending @ None)), Event::Scalar(key, ..)) =
                (stack.last_mut(), &event)
            {
                *pending = Some((key.to_string(), pos));
                continue;
            }
            // Where does this node sit?
            let (path, key) = match stack.last_mut() {
                None => (String::new(), None),
                Some(Frame::Seq(p, n)) => {
                    let path = format!("{p}[{n}]");
                    *n += 1;
                    (path, None)
                }
                Some(Frame::Map(p, pending)) => match pending.take() {
                    Some((k, kpos)) => (join(p, &k), Some(kpos)),
                    // A complex (non-scalar) key: walk it under a path no lookup uses.
                    None => {
                        *pending = Some(("?".to_owned(), pos));
                        (join(p, "?"), None)
                    }
                },
            };
            nodes
                .entry(path.clone())
                .or_insert(Node { key, value: pos });
            if is_start {
                stack.push(match event {
                    Event::SequenceStart(..) => Frame::Seq(path, 0),
                    _ => Frame::Map(path, None),
                });
            }
        }
        Locator { nodes }
    }

    /// The position of the value at `path`, or of the nearest ancestor that exists.
    pub fn value(&self, path: &str) -> Pos {
        self.lookup(path, |n| n.value)
    }

    /// The position of the key at `path` (falling back to its value, then to ancestors).
    pub fn key(&self, path: &str) -> Pos {
        self.lookup(path, |n| n.key.unwrap_or(n.value))
    }

    /// The position of the mapping that holds the key at `key_pos` (or at `key_pos` as a value).
    pub fn enclosing(&self, key_pos: Pos) -> Option<Pos> {
        let (path, _) = self
            .nodes
            .iter()
            .find(|(_, n)| n.key == Some(key_pos) || n.value == key_pos)?;
        let parent = path.rfind(['.', '[']).map_or("", |i| &path[..i]);
        Some(self.value(parent))
    }

    /// Looks `path` up, walking up to ancestors when it is absent.
    fn lookup(&self, path: &str, pick: impl Fn(&Node) -> Pos) -> Pos {
        let mut p = path;
        loop {
            if let Some(n) = self.nodes.get(p) {
                return pick(n);
            }
            match p.rfind(['.', '[']) {
                Some(i) => p = &p[..i],
                None if !p.is_empty() => p = "",
                None => return Pos { line: 1, column: 1 },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nested_keys_and_items() {
        let text = "name: x\nvendors:\n  cf:\n    fixtures:\n      - id: a\n      - {id: b}\n";
        let l = Locator::new(text);
        assert_eq!(l.value("name"), Pos { line: 1, column: 7 });
        assert_eq!(l.key("vendors.cf"), Pos { line: 3, column: 3 });
        assert_eq!(
            l.value("vendors.cf.fixtures[0].id"),
            Pos {
                line: 5,
                column: 13
            }
        );
        assert_eq!(
            l.value("vendors.cf.fixtures[1].id"),
            Pos {
                line: 6,
                column: 14
            }
        );
        // Missing paths fall back to the nearest ancestor.
        assert_eq!(
            l.value("vendors.cf.fixtures[1].at"),
            Pos { line: 6, column: 9 }
        );
    }
}
