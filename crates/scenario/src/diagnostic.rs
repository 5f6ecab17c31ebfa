//! [`Diagnostic`]: one problem in a scenario file, with its position, what was found and what
//! was expected; and the translation of the YAML deserializer's errors into diagnostics.

use std::fmt;

use serde_saphyr::Error as YamlError;

use crate::locate::{Locator, Pos};

/// One problem in a scenario file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Diagnostic {
    /// The file (or source name) the problem is in.
    pub file: String,
    /// 1-based line (0 when the problem is not in the text, e.g. an unreadable file).
    pub line: usize,
    /// 1-based column (0 when the problem is not in the text).
    pub column: usize,
    /// What is wrong.
    pub message: String,
    /// What would have been valid.
    pub expected: Option<String>,
    /// What the file has instead.
    pub found: Option<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )?;
        match (&self.found, &self.expected) {
            (Some(found), Some(expected)) => write!(f, " (found {found}, expected {expected})"),
            (Some(found), None) => write!(f, " (found {found})"),
            (None, Some(expected)) => write!(f, " (expected {expected})"),
            (None, None) => Ok(()),
        }
    }
}

impl Diagnostic {
    /// A diagnostic at a position.
    pub(crate) fn at(file: &str, pos: Pos, message: impl Into<String>) -> Self {
        Diagnostic {
            file: file.to_owned(),
            line: pos.line,
            column: pos.column,
            message: message.into(),
            expected: None,
            found: None,
        }
    }

    /// Sets what was found.
    pub(crate) fn found(mut self, found: impl Into<String>) -> Self {
        self.found = Some(found.into());
        self
    }

    /// Sets what was expected.
    pub(crate) fn expected(mut self, expected: impl Into<String>) -> Self {
        self.expected = Some(expected.into());
        self
    }

    /// Translates a YAML deserializer error (syntax, type, unknown or missing field, duplicate
    /// key) into a diagnostic; `text` is the source, used to quote what was found.
    pub(crate) fn from_yaml(file: &str, text: &str, err: &YamlError) -> Self {
        let err = unwrap_yaml(err);
        let pos = err
            .location()
            .map(|l| Pos {
                line: usize::try_from(l.line()).unwrap_or(usize::MAX),
                column: usize::try_from(l.column()).unwrap_or(usize::MAX),
            })
            .unwrap_or(Pos { line: 1, column: 1 });
        // serde reports a missing field at the mapping's last key: point at the mapping.
        let pos = match err {
            YamlError::SerdeMissingField { .. } => Locator::new(text).enclosing(pos).unwrap_or(pos),
            _ => pos,
        };
        let quoted = quote_at(text, pos);
        let d = Diagnostic::at(file, pos, "");
        match err {
            YamlError::SerdeUnknownField {
                field, expected, ..
            } => d
                .msg(format!("unknown field `{field}`"))
                .found(format!("`{field}`"))
                .expected(one_of(expected)),
            YamlError::SerdeMissingField { field, .. } => d
                .msg(format!("missing required field `{field}`"))
                .found("a mapping without it")
                .expected(format!("a field `{field}`")),
            YamlError::SerdeInvalidType {
                unexpected,
                expected,
                ..
            } => d
                .msg("wrong type")
                .found(found_with_text(unexpected, quoted.as_deref()))
                .expected(expected.clone()),
            YamlError::SerdeInvalidValue {
                unexpected,
                expected,
                ..
            } => d
                .msg("invalid value")
                .found(found_with_text(unexpected, quoted.as_deref()))
                .expected(expected.clone()),
            YamlError::SerdeUnknownVariant {
                variant, expected, ..
            } => d
                .msg(format!("unknown variant `{variant}`"))
                .found(format!("`{variant}`"))
                .expected(one_of(expected)),
            YamlError::DuplicateMappingKey { key, .. } => {
                let key = key.as_deref().unwrap_or("?");
                d.msg(format!("duplicate key `{key}`"))
                    .found(format!("`{key}` a second time"))
                    .expected("each key at most once in a mapping")
            }
            YamlError::InvalidScalar { ty, .. } => d
                .msg("invalid value")
                .found(describe_node(quoted.as_deref()))
                .expected(describe_type(ty)),
            YamlError::Unexpected { expected, .. } => d
                .msg("wrong type")
                .found(describe_node(quoted.as_deref()))
                .expected(match *expected {
                    "string scalar" => "a scalar value",
                    "sequence start" => "a sequence",
                    "mapping start" => "a mapping",
                    other => other,
                }),
            YamlError::MultipleDocuments { .. } => d
                .msg("more than one YAML document")
                .found("a second document")
                .expected("exactly one document per scenario file"),
            YamlError::Eof { .. } => d
                .msg("unexpected end of file")
                .found("the end of the file")
                .expected("more YAML"),
            other => {
                let msg = strip_location(&other.without_snippet().to_string());
                if msg.contains("tab") {
                    // The parser may report the token before the tab (the end of the previous
                    // line's scalar): point at the tab itself.
                    let pos = first_tab_from(text, pos).unwrap_or(pos);
                    return Diagnostic::at(file, pos, msg)
                        .found("a tab character")
                        .expected("indentation with spaces");
                }
                let found = match quoted {
                    Some(q) => format!("`{q}`"),
                    None => "the end of the line".to_owned(),
                };
                d.msg(msg).found(found).expected("valid YAML")
            }
        }
    }

    /// Sets the message.
    fn msg(mut self, message: impl Into<String>) -> Self {
        self.message = message.into();
        self
    }
}

/// The position of the first tab at or after `from`.
fn first_tab_from(text: &str, from: Pos) -> Option<Pos> {
    for (n, line) in text.lines().enumerate().skip(from.line.checked_sub(1)?) {
        let skip = if n + 1 == from.line {
            from.column.saturating_sub(1)
        } else {
            0
        };
        if let Some(col) = line.chars().skip(skip).position(|c| c == '\t') {
            return Some(Pos {
                line: n + 1,
                column: skip + col + 1,
            });
        }
    }
    None
}

/// Strips snippet and alias wrappers down to the error that has the location.
fn unwrap_yaml(err: &YamlError) -> &YamlError {
    match err {
        YamlError::WithSnippet { error, .. } => unwrap_yaml(error),
        YamlError::AliasError { error, .. } => unwrap_yaml(error),
        other => other,
    }
}

/// Removes a trailing ` at line N, column M` from a message (the diagnostic says it already).
fn strip_location(msg: &str) -> String {
    let msg = msg.trim();
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].trim_end_matches([',', ':']).to_owned(),
        None => msg.to_owned(),
    }
}

/// `one of `a`, `b``.
fn one_of(names: &[&str]) -> String {
    match names {
        [] => "no fields here".to_owned(),
        [one] => format!("`{one}`"),
        many => {
            let list: Vec<String> = many.iter().map(|n| format!("`{n}`")).collect();
            format!("one of {}", list.join(", "))
        }
    }
}

/// Serde's description of the found value, with the source text when it adds something.
fn found_with_text(unexpected: &str, quoted: Option<&str>) -> String {
    match quoted {
        Some(q) if !unexpected.contains(q) && !q.is_empty() => format!("{unexpected} `{q}`"),
        _ => unexpected.to_owned(),
    }
}

/// What a node is, from its source text: a mapping, a sequence, or the quoted scalar.
fn describe_node(quoted: Option<&str>) -> String {
    match quoted {
        Some(q) if q.starts_with('{') => "a mapping".to_owned(),
        Some(q) if q.starts_with('[') || q.starts_with("- ") || q == "-" => "a sequence".to_owned(),
        Some(q) => format!("`{q}`"),
        None => "a mapping or an empty value".to_owned(),
    }
}

/// A Rust scalar type as a reader of the file would say it.
fn describe_type(ty: &str) -> String {
    match ty {
        "u8" => "an integer in 0 ..= 255".to_owned(),
        "u16" => "an integer in 0 ..= 65535".to_owned(),
        "u32" => "an integer in 0 ..= 4294967295".to_owned(),
        "u64" => "an integer in 0 ..= 18446744073709551615".to_owned(),
        "f32" | "f64" => "a number".to_owned(),
        "bool" => "`true` or `false`".to_owned(),
        other => format!("a value of type {other}"),
    }
}

/// The source text at a position: the rest of the token (up to a flow or mapping delimiter or
/// the end of the line, at most 40 characters).
fn quote_at(text: &str, pos: Pos) -> Option<String> {
    let line = text.lines().nth(pos.line.checked_sub(1)?)?;
    let rest: String = line.chars().skip(pos.column.checked_sub(1)?).collect();
    if rest.starts_with('\t') {
        return Some("\t".to_owned());
    }
    let token: String = rest
        .chars()
        .take_while(|c| !matches!(c, ',' | '}' | ']' | '#'))
        .take(40)
        .collect();
    let token = token.trim().trim_end_matches(':').trim();
    (!token.is_empty()).then(|| token.to_owned())
}
