//! django-filter's `FilterSet` and DRF's `SearchFilter`, declared per vendor as data: each
//! [`FilterField`] names its query parameter and how it compares with an event. Values are
//! read once per request; an empty value is no filter (django-filter skips it), except for a
//! `MultipleChoiceFilter`, whose every value must be a valid choice.

use crate::errors::Holes;
use crate::request::Req;

/// How one filter compares its value with an event.
pub enum Lookup<E: 'static> {
    /// `CharFilter` (`exact`): the field equals the value (`None`: never).
    Exact(fn(&E) -> Option<&str>),
    /// `CharFilter(lookup_expr="icontains")`: the field contains the value, ignoring case.
    IContains(fn(&E) -> &str),
    /// `ChoiceFilter`: the value must be a choice (else 400), the field equals it.
    Choice {
        /// Whether a value is one of the choices.
        valid: fn(&str) -> bool,
        /// The event's choice.
        field: fn(&E) -> &str,
    },
    /// `MultipleChoiceFilter` (the parameter repeated): every value must be a choice (else
    /// 400), the field equals one of them.
    MultipleChoice {
        /// Whether a value is one of the choices.
        valid: fn(&str) -> bool,
        /// The event's choice.
        field: fn(&E) -> &str,
    },
    /// A `method=` filter of the vendor's `FilterSet`: the value, made ready once by
    /// `prepare`, is tested by `test`.
    Method {
        /// Normalizes the value (once per request).
        prepare: fn(&str) -> String,
        /// Whether an event passes.
        test: fn(&E, &str) -> bool,
    },
}

/// One filter of a vendor's `FilterSet`.
pub struct FilterField<E: 'static> {
    /// The query parameter.
    pub param: &'static str,
    /// How it compares.
    pub lookup: Lookup<E>,
}

/// A value outside a choice filter's choices: django-filter's 400
/// `{"<param>":["Select a valid choice. <value> is not one of the available choices."]}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadChoice<'r> {
    /// The parameter.
    pub param: &'static str,
    /// The value given.
    pub value: &'r str,
}

impl<'r> BadChoice<'r> {
    /// The holes of the vendor's `BadQuery` body.
    pub fn holes(&self) -> Holes<'r> {
        Holes {
            id: self.value,
            param: self.param,
            ..Holes::default()
        }
    }
}

/// A filter's value, as the request gave it.
enum Value<'r> {
    /// One value (lower-cased for `icontains`, prepared for a method).
    One(std::borrow::Cow<'r, str>),
    /// The values of a repeated parameter.
    Many(Vec<&'r str>),
}

/// The filters a request sets, with their values, and its search terms.
pub struct ActiveFilters<'r, E: 'static> {
    /// Each set filter and its value, in declaration order.
    set: Vec<(&'static Lookup<E>, Value<'r>)>,
    /// `SearchFilter` terms, lower-cased.
    terms: Vec<String>,
    /// The vendor's `search_fields` test.
    search: Option<fn(&E, &[String]) -> bool>,
}

impl<'r, E: 'static> ActiveFilters<'r, E> {
    /// The filters `req` sets among `fields`, validated in declaration order (the first bad
    /// choice answers), and the `search` terms when the vendor has a `SearchFilter`.
    pub fn parse(
        req: &'r Req,
        fields: &'static [FilterField<E>],
        search: Option<fn(&E, &[String]) -> bool>,
    ) -> Result<Self, BadChoice<'r>> {
        let mut set = Vec::new();
        for field in fields {
            let one = req.last_param(field.param).filter(|v| !v.is_empty());
            let value = match &field.lookup {
                Lookup::Exact(_) => one.map(|v| Value::One(v.into())),
                Lookup::IContains(_) => one.map(|v| Value::One(v.to_lowercase().into())),
                Lookup::Method { prepare, .. } => one.map(|v| Value::One(prepare(v).into())),
                Lookup::Choice { valid, .. } => match one {
                    Some(v) if !valid(v) => {
                        return Err(BadChoice {
                            param: field.param,
                            value: v,
                        });
                    }
                    v => v.map(|v| Value::One(v.into())),
                },
                Lookup::MultipleChoice { valid, .. } => {
                    let values: Vec<&str> = req.params(field.param).collect();
                    if let Some(v) = values.iter().find(|v| !valid(v)) {
                        return Err(BadChoice {
                            param: field.param,
                            value: v,
                        });
                    }
                    (!values.is_empty()).then_some(Value::Many(values))
                }
            };
            if let Some(value) = value {
                set.push((&field.lookup, value));
            }
        }
        let terms = match search {
            Some(_) => search_terms(req.last_param("search").unwrap_or_default()),
            None => Vec::new(),
        };
        Ok(Self { set, terms, search })
    }

    /// Whether any filter or search term is set (else every event passes: no scan needed).
    pub fn active(&self) -> bool {
        !self.set.is_empty() || !self.terms.is_empty()
    }

    /// Whether `e` passes every set filter and contains every search term.
    pub fn matches(&self, e: &E) -> bool {
        self.set
            .iter()
            .all(|(lookup, value)| passes(lookup, value, e))
            && (self.terms.is_empty() || self.search.is_none_or(|search| search(e, &self.terms)))
    }
}

fn passes<E>(lookup: &Lookup<E>, value: &Value<'_>, e: &E) -> bool {
    match (lookup, value) {
        (Lookup::Exact(field), Value::One(v)) => field(e) == Some(v.as_ref()),
        (Lookup::IContains(field), Value::One(v)) => contains_ignoring_case(field(e), v),
        (Lookup::Choice { field, .. }, Value::One(v)) => field(e) == v.as_ref(),
        (Lookup::MultipleChoice { field, .. }, Value::Many(vs)) => vs.contains(&field(e)),
        (Lookup::Method { test, .. }, Value::One(v)) => test(e, v),
        _ => true,
    }
}

/// `haystack` contains `needle` (lower-cased already), ignoring case; no allocation when
/// `haystack` has no upper-case letter.
fn contains_ignoring_case(haystack: &str, needle: &str) -> bool {
    if haystack.chars().any(char::is_uppercase) {
        haystack.to_lowercase().contains(needle)
    } else {
        haystack.contains(needle)
    }
}

/// DRF `SearchFilter.get_search_terms`: NUL removed, split on whitespace and commas,
/// lower-cased.
pub fn search_terms(raw: &str) -> Vec<String> {
    raw.replace('\0', "")
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_terms_split_like_drf() {
        assert_eq!(search_terms(" a,B\0c  d "), ["a", "bc", "d"]);
        assert!(search_terms(" , ").is_empty());
    }

    #[test]
    fn icontains_ignores_case() {
        assert!(contains_ignoring_case("Login_Failed", "login"));
        assert!(contains_ignoring_case("login_failed", "failed"));
        assert!(!contains_ignoring_case("login", "logout"));
    }
}
