//! Compiled matchers the server uses directly: path [`Template`]s and string-or-regex
//! [`Matcher`]s. Regexes are compiled when the scenario is loaded, never per request.

use std::fmt;

use regex::Regex;

/// One segment of a path template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    /// Must equal this text.
    Literal(String),
    /// Matches any one non-empty segment and captures it under this name.
    Param(String),
    /// Matches the rest of the path (zero or more segments); only last.
    Rest,
}

/// A path template such as `/api/v3/events/events/{id}/` or `/v2/*`: `{name}` matches one
/// non-empty segment and captures it, a final `*` matches the rest of the path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    /// The template as written.
    source: String,
    /// The segments after the leading `/`.
    segments: Vec<Segment>,
}

/// Why a path template is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TemplateError {
    /// The template does not start with `/`.
    #[error("a path template must start with `/`")]
    NoLeadingSlash,
    /// `*` appears elsewhere than as the whole last segment.
    #[error("`*` is only allowed as the whole last segment")]
    MisplacedStar,
    /// A `{` or `}` that is not a whole-segment `{name}` placeholder.
    #[error(
        "segment `{0}`: a placeholder must be a whole segment `{{name}}` with a name of letters, digits and `_`"
    )]
    BadPlaceholder(String),
    /// The same placeholder name twice.
    #[error("placeholder `{{{0}}}` appears twice")]
    DuplicateName(String),
}

impl Template {
    /// Parses a template.
    pub fn parse(source: &str) -> Result<Self, TemplateError> {
        let rest = source
            .strip_prefix('/')
            .ok_or(TemplateError::NoLeadingSlash)?;
        let parts: Vec<&str> = rest.split('/').collect();
        let mut segments = Vec::with_capacity(parts.len());
        let mut names: Vec<&str> = Vec::new();
        for (i, part) in parts.iter().enumerate() {
            if part.contains('*') {
                if *part != "*" || i + 1 != parts.len() {
                    return Err(TemplateError::MisplacedStar);
                }
                segments.push(Segment::Rest);
            } else if let Some(name) = part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                let valid =
                    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                if !valid {
                    return Err(TemplateError::BadPlaceholder((*part).to_owned()));
                }
                if names.contains(&name) {
                    return Err(TemplateError::DuplicateName(name.to_owned()));
                }
                names.push(name);
                segments.push(Segment::Param(name.to_owned()));
            } else if part.contains(['{', '}']) {
                return Err(TemplateError::BadPlaceholder((*part).to_owned()));
            } else {
                segments.push(Segment::Literal((*part).to_owned()));
            }
        }
        Ok(Self {
            source: source.to_owned(),
            segments,
        })
    }

    /// The template as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// The placeholder names, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.segments.iter().filter_map(|s| match s {
            Segment::Param(n) => Some(n.as_str()),
            _ => None,
        })
    }

    /// Whether `path` (without query string) matches.
    pub fn is_match(&self, path: &str) -> bool {
        self.walk(path, |_, _| {})
    }

    /// Matches `path` (without query string) and returns the captured placeholders in template
    /// order, or `None` when it does not match.
    pub fn matches<'p>(&self, path: &'p str) -> Option<Vec<(&str, &'p str)>> {
        let mut captures = Vec::new();
        self.walk(path, |name, value| captures.push((name, value)))
            .then_some(captures)
    }

    /// Walks `path` against the segments, reporting each capture.
    fn walk<'s, 'p>(&'s self, path: &'p str, mut capture: impl FnMut(&'s str, &'p str)) -> bool {
        let Some(mut rest) = path.strip_prefix('/') else {
            return false;
        };
        let last = self.segments.len().saturating_sub(1);
        for (i, segment) in self.segments.iter().enumerate() {
            if matches!(segment, Segment::Rest) {
                return true;
            }
            let (head, tail) = match rest.find('/') {
                Some(p) => (&rest[..p], Some(&rest[p + 1..])),
                None => (rest, None),
            };
            match segment {
                Segment::Literal(l) if l == head => {}
                Segment::Param(name) if !head.is_empty() => capture(name, head),
                _ => return false,
            }
            match tail {
                Some(t) if i < last => rest = t,
                Some(_) => return false,
                None if i == last => return true,
                // The path ended early: only a trailing `*` may still match.
                None => return i + 1 == last && matches!(self.segments[last], Segment::Rest),
            }
        }
        false
    }
}

impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

/// A string condition: equal to a string, or matching a regular expression (compiled at load).
#[derive(Debug, Clone)]
pub enum Matcher {
    /// The value must equal this string.
    Exact(String),
    /// The value must match this regular expression (unanchored unless it says `^`/`$`).
    Regex(Regex),
}

impl Matcher {
    /// Whether `value` satisfies the condition.
    pub fn matches(&self, value: &str) -> bool {
        match self {
            Matcher::Exact(s) => s == value,
            Matcher::Regex(r) => r.is_match(value),
        }
    }
}

impl PartialEq for Matcher {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Matcher::Exact(a), Matcher::Exact(b)) => a == b,
            (Matcher::Regex(a), Matcher::Regex(b)) => a.as_str() == b.as_str(),
            _ => false,
        }
    }
}

/// How a request path is matched: a template or a regular expression.
#[derive(Debug, Clone, PartialEq)]
pub enum PathMatcher {
    /// A `{name}` / `*` template; its captures feed `path_params`.
    Template(Template),
    /// A regular expression over the whole path (unanchored unless it says `^`/`$`).
    Regex(RegexMatch),
}

/// A compiled regular expression compared by its source text.
#[derive(Debug, Clone)]
pub struct RegexMatch(pub Regex);

impl PartialEq for RegexMatch {
    fn eq(&self, other: &Self) -> bool {
        self.0.as_str() == other.0.as_str()
    }
}

impl PathMatcher {
    /// Matches `path`: `Some(captures)` (empty for a regex) when it matches.
    pub fn matches<'p>(&self, path: &'p str) -> Option<Vec<(&str, &'p str)>> {
        match self {
            PathMatcher::Template(t) => t.matches(path),
            PathMatcher::Regex(r) => r.0.is_match(path).then(Vec::new),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_captures_segments() {
        let t = Template::parse("/api/v3/events/events/{id}/").unwrap();
        assert_eq!(
            t.matches("/api/v3/events/events/abc/"),
            Some(vec![("id", "abc")])
        );
        assert!(!t.is_match("/api/v3/events/events/abc"));
        assert!(!t.is_match("/api/v3/events/events//"));
        assert!(!t.is_match("/api/v3/events/events/abc/x"));
        assert_eq!(t.names().collect::<Vec<_>>(), ["id"]);
    }

    #[test]
    fn template_star_matches_rest() {
        let t = Template::parse("/v2/*").unwrap();
        assert!(t.is_match("/v2/events/x"));
        assert!(t.is_match("/v2/"));
        assert!(t.is_match("/v2"));
        assert!(!t.is_match("/v3/events"));
        let root = Template::parse("/*").unwrap();
        assert!(root.is_match("/"));
        assert!(root.is_match("/anything/at/all"));
        let two = Template::parse("/v2/events/{guid}").unwrap();
        assert_eq!(two.matches("/v2/events/g-1"), Some(vec![("guid", "g-1")]));
        assert_eq!(two.matches("/v2/events"), None);
    }

    #[test]
    fn template_literal_root() {
        let t = Template::parse("/").unwrap();
        assert!(t.is_match("/"));
        assert!(!t.is_match("/x"));
        assert!(!t.is_match(""));
    }

    #[test]
    fn template_errors() {
        assert_eq!(Template::parse("x"), Err(TemplateError::NoLeadingSlash));
        assert_eq!(Template::parse("/*/x"), Err(TemplateError::MisplacedStar));
        assert_eq!(Template::parse("/a*"), Err(TemplateError::MisplacedStar));
        assert_eq!(
            Template::parse("/{id}.json"),
            Err(TemplateError::BadPlaceholder("{id}.json".into()))
        );
        assert_eq!(
            Template::parse("/{a}/{a}"),
            Err(TemplateError::DuplicateName("a".into()))
        );
        assert!(matches!(
            Template::parse("/{}"),
            Err(TemplateError::BadPlaceholder(_))
        ));
    }

    #[test]
    fn matcher_exact_and_regex() {
        let exact = Matcher::Exact("2".into());
        assert!(exact.matches("2"));
        assert!(!exact.matches("20"));
        let re = Matcher::Regex(Regex::new("^[0-9]+$").unwrap());
        assert!(re.matches("20"));
        assert!(!re.matches("2a"));
    }

    #[test]
    fn path_matcher_regex() {
        let p = PathMatcher::Regex(RegexMatch(Regex::new("^/v2/events/.*$").unwrap()));
        assert_eq!(p.matches("/v2/events/x"), Some(vec![]));
        assert_eq!(p.matches("/v3/events/x"), None);
    }
}
