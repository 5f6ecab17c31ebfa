//! [`Validator`]: checks a response (status, content type, body) against its vendor's
//! OpenAPI document.
//!
//! The response schemas are compiled once with the `jsonschema` crate (draft 2020-12, the
//! dialect of OpenAPI 3.1), each with the document's `components` beside it so that
//! `#/components/schemas/...` references resolve locally; nothing is fetched.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use eventmock_model::Vendor;
use jsonschema::error::ValidationErrorKind;
use serde_json::{Map, Value};

use crate::openapi;

/// One way a response differs from the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// JSON pointer of the failing value in the body (`""` for the whole body, or for a
    /// mismatch of the status or content type). For a missing property it points at the
    /// missing property itself, e.g. `/metadata/guid`.
    pub pointer: String,
    /// Why it fails, e.g. `"guid" is a required property`.
    pub reason: String,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.pointer.is_empty() {
            write!(f, "(root): {}", self.reason)
        } else {
            write!(f, "{}: {}", self.pointer, self.reason)
        }
    }
}

/// The error of building a [`Validator`]: the document has a schema the validator cannot
/// compile, or a response `$ref` that does not resolve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildError {
    /// Where in the document, e.g. `paths./events/{id}/.get.responses.200`.
    pub location: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OpenAPI document, {}: {}", self.location, self.message)
    }
}

impl std::error::Error for BuildError {}

/// The compiled response schemas of one vendor's document.
pub struct Validator {
    /// The vendor the document describes.
    vendor: Vendor,
    /// Every operation of the document, in document order.
    operations: Vec<Operation>,
    /// `x-eventmock-unmatched`: responses to requests that match no operation.
    unmatched: Responses,
}

impl fmt::Debug for Validator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Validator")
            .field("vendor", &self.vendor)
            .field("operations", &self.operations.len())
            .finish()
    }
}

/// One method on one path template.
struct Operation {
    /// Lower-case HTTP method.
    method: String,
    /// The path template, e.g. `/events/{id}/`.
    template: String,
    /// The template split at `/`: `None` for a `{parameter}` segment.
    segments: Vec<Option<String>>,
    /// Documented responses.
    responses: Responses,
}

/// Status key (`200`, `4XX`, `default`) → media types with their compiled schemas.
type Responses = Vec<(String, Vec<(String, Arc<jsonschema::Validator>)>)>;

impl Validator {
    /// Compiles the response schemas of `vendor`'s document ([`openapi::document`]).
    pub fn new(vendor: Vendor) -> Result<Self, BuildError> {
        Self::from_document(vendor, &openapi::document(vendor))
    }

    /// Compiles the response schemas of `document`, an OpenAPI 3.1 document of `vendor`
    /// (e.g. a committed file read back).
    pub fn from_document(vendor: Vendor, document: &Value) -> Result<Self, BuildError> {
        let mut compiler = Compiler {
            document,
            cache: BTreeMap::new(),
        };
        let mut operations = Vec::new();
        if let Some(paths) = document.get("paths").and_then(Value::as_object) {
            for (template, item) in paths {
                let Some(item) = item.as_object() else {
                    continue;
                };
                for (method, operation) in item {
                    if !is_method(method) {
                        continue;
                    }
                    let location = format!("paths.{template}.{method}.responses");
                    let responses = operation
                        .get("responses")
                        .and_then(Value::as_object)
                        .map(|r| compiler.responses(r, &location))
                        .transpose()?
                        .unwrap_or_default();
                    operations.push(Operation {
                        method: method.to_ascii_lowercase(),
                        template: template.clone(),
                        segments: template_segments(template),
                        responses,
                    });
                }
            }
        }
        let unmatched = document
            .get("x-eventmock-unmatched")
            .and_then(Value::as_object)
            .map(|r| compiler.responses(r, "x-eventmock-unmatched"))
            .transpose()?
            .unwrap_or_default();
        Ok(Validator {
            vendor,
            operations,
            unmatched,
        })
    }

    /// The vendor whose document this validator checks against.
    pub fn vendor(&self) -> Vendor {
        self.vendor
    }

    /// The path template that `path` (a concrete request path, optionally with a query
    /// string, or a template) matches for `method`, e.g. `/events/8C5DbAFNbTDN/` →
    /// `/events/{id}/`. `None` when no operation matches.
    pub fn operation_path(&self, method: &str, path: &str) -> Option<&str> {
        self.find(method, path).map(|op| op.template.as_str())
    }

    /// Checks one response: `status`, `content_type` (the `Content-Type` header) and `body`
    /// against the operation that `method` and `path` match (`path` may be concrete, with or
    /// without a query string, or a template; the mount prefix of the mock, if any, must be
    /// stripped). A request that matches no operation is checked against the document's
    /// `x-eventmock-unmatched` responses (unknown route, wrong method).
    pub fn validate(
        &self,
        method: &str,
        path: &str,
        status: u16,
        content_type: &str,
        body: &[u8],
    ) -> Result<(), Vec<Mismatch>> {
        let (what, responses) = match self.find(method, path) {
            Some(op) => (
                format!("{} {}", op.method.to_ascii_uppercase(), op.template),
                &op.responses,
            ),
            None => (
                format!(
                    "{} {} (no documented operation; unmatched-route responses)",
                    method.to_ascii_uppercase(),
                    strip_query(path)
                ),
                &self.unmatched,
            ),
        };
        let Some(media) = find_status(responses, status) else {
            let documented: Vec<&str> = responses.iter().map(|(s, _)| s.as_str()).collect();
            return Err(vec![Mismatch {
                pointer: String::new(),
                reason: format!(
                    "status {status} is not documented for {what} in the {} document \
                     (documented: {})",
                    self.vendor,
                    documented.join(", ")
                ),
            }]);
        };
        if media.is_empty() {
            // A response documented without content (e.g. 204): the body must be empty.
            return if body.is_empty() {
                Ok(())
            } else {
                Err(vec![Mismatch {
                    pointer: String::new(),
                    reason: format!(
                        "{what} status {status} is documented without a body, got {} bytes",
                        body.len()
                    ),
                }])
            };
        }
        let mut mismatches = Vec::new();
        let wanted = normalize_media_type(content_type);
        let schema = match media.iter().find(|(m, _)| *m == wanted) {
            Some((_, schema)) => Some(schema),
            None => {
                let documented: Vec<&str> = media.iter().map(|(m, _)| m.as_str()).collect();
                mismatches.push(Mismatch {
                    pointer: String::new(),
                    reason: format!(
                        "content type `{content_type}` is not documented for {what} status \
                         {status} (documented: {})",
                        documented.join(", ")
                    ),
                });
                media.first().map(|(_, schema)| schema)
            }
        };
        if let Some(schema) = schema {
            match serde_json::from_slice::<Value>(body) {
                Ok(instance) => {
                    for error in schema.iter_errors(&instance) {
                        push_error(&error, &mut mismatches);
                    }
                }
                Err(e) => mismatches.push(Mismatch {
                    pointer: String::new(),
                    reason: format!("body is not JSON: {e}"),
                }),
            }
        }
        if mismatches.is_empty() {
            Ok(())
        } else {
            Err(mismatches)
        }
    }

    /// The operation for `method` and `path`: among the templates that match, the one with
    /// the most literal segments (so `/events/events/actions/` beats `/events/events/{id}/`).
    fn find(&self, method: &str, path: &str) -> Option<&Operation> {
        let path = strip_query(path);
        let segments: Vec<&str> = path.split('/').collect();
        // As OpenAPI resolves paths: the path that matches with the most literal segments
        // wins whatever the method (`/events/actions/` before `/events/{uuid}/`), then the
        // method is looked up on it; a method that path lacks matches no operation.
        let mut best: Option<(&Operation, usize)> = None;
        for op in &self.operations {
            if op.segments.len() != segments.len() {
                continue;
            }
            let mut literals = 0;
            let matches = op.segments.iter().zip(&segments).all(|(t, s)| match t {
                Some(literal) => {
                    literals += 1;
                    literal == s
                }
                None => !s.is_empty(),
            });
            if matches && best.is_none_or(|(_, n)| literals > n) {
                best = Some((op, literals));
            }
        }
        let (path_of, _) = best?;
        self.operations
            .iter()
            .find(|op| op.template == path_of.template && op.method.eq_ignore_ascii_case(method))
    }
}

/// Compiles response schemas, sharing one compiled validator per distinct schema.
struct Compiler<'a> {
    /// The whole document (for `$ref`s and `components`).
    document: &'a Value,
    /// Compiled schemas by their JSON text.
    cache: BTreeMap<String, Arc<jsonschema::Validator>>,
}

impl<'a> Compiler<'a> {
    fn responses(
        &mut self,
        responses: &Map<String, Value>,
        location: &str,
    ) -> Result<Responses, BuildError> {
        let mut out = Vec::new();
        for (status, response) in responses {
            let location = format!("{location}.{status}");
            let response = resolve(self.document, response, &location)?;
            let mut media = Vec::new();
            if let Some(content) = response.get("content").and_then(Value::as_object) {
                for (media_type, item) in content {
                    let schema = item.get("schema").cloned().unwrap_or(Value::Bool(true));
                    let compiled = self.compile(schema, &location)?;
                    media.push((normalize_media_type(media_type), compiled));
                }
            }
            out.push((status.clone(), media));
        }
        Ok(out)
    }

    fn compile(
        &mut self,
        schema: Value,
        location: &str,
    ) -> Result<Arc<jsonschema::Validator>, BuildError> {
        let key = schema.to_string();
        if let Some(compiled) = self.cache.get(&key) {
            return Ok(Arc::clone(compiled));
        }
        let root = match schema {
            Value::Object(mut object) => {
                if let Some(components) = self.document.get("components") {
                    object.insert("components".to_owned(), components.clone());
                }
                Value::Object(object)
            }
            other => other,
        };
        // Formats are asserted, not only annotations: a timestamp that is not a time
        // (`format: date-time`) is a contract failure.
        let compiled = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(&root)
            .map_err(|e| BuildError {
                location: location.to_owned(),
                message: e.to_string(),
            })?;
        let compiled = Arc::new(compiled);
        self.cache.insert(key, Arc::clone(&compiled));
        Ok(compiled)
    }
}

/// Follows a local `$ref` (`#/components/responses/X`) of a response object.
fn resolve<'v>(
    document: &'v Value,
    value: &'v Value,
    location: &str,
) -> Result<&'v Value, BuildError> {
    match value.get("$ref").and_then(Value::as_str) {
        Some(reference) => reference
            .strip_prefix('#')
            .and_then(|pointer| document.pointer(pointer))
            .ok_or_else(|| BuildError {
                location: location.to_owned(),
                message: format!("`$ref` {reference} does not resolve"),
            }),
        None => Ok(value),
    }
}

/// Turns one validation error into mismatches. A missing property points at the property;
/// an `anyOf` that no branch satisfies reports the errors of the closest branch.
fn push_error(error: &jsonschema::ValidationError<'_>, out: &mut Vec<Mismatch>) {
    let at = error.instance_path().as_str().to_owned();
    match error.kind() {
        ValidationErrorKind::Required { property } => {
            let name = property
                .as_str()
                .map_or_else(|| property.to_string(), str::to_owned);
            out.push(Mismatch {
                pointer: format!("{at}/{}", escape_pointer(&name)),
                reason: format!("required property `{name}` is missing"),
            });
        }
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            for name in unexpected {
                out.push(Mismatch {
                    pointer: format!("{at}/{}", escape_pointer(name)),
                    reason: format!("property `{name}` is not allowed here"),
                });
            }
        }
        ValidationErrorKind::AnyOf { context } => {
            let closest = context
                .iter()
                .filter(|branch| !branch_is_type_miss(branch, &at))
                .min_by_key(|branch| branch.len());
            match closest {
                Some(branch) if !branch.is_empty() => {
                    for inner in branch {
                        push_error(inner, out);
                    }
                }
                _ => out.push(Mismatch {
                    pointer: at,
                    reason: error.to_string(),
                }),
            }
        }
        _ => out.push(Mismatch {
            pointer: at,
            reason: error.to_string(),
        }),
    }
}

/// Whether an `anyOf` branch failed only because the value has another type altogether
/// (e.g. the `null` branch of an optional object): such a branch is never the closest.
fn branch_is_type_miss(branch: &[jsonschema::ValidationError<'_>], at: &str) -> bool {
    branch.len() == 1
        && branch.iter().all(|e| {
            e.instance_path().as_str() == at
                && matches!(
                    e.kind(),
                    ValidationErrorKind::Type { .. }
                        | ValidationErrorKind::Constant { .. }
                        | ValidationErrorKind::Enum { .. }
                )
        })
}

/// RFC 6901 escaping of one reference token.
fn escape_pointer(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

fn find_status(
    responses: &Responses,
    status: u16,
) -> Option<&Vec<(String, Arc<jsonschema::Validator>)>> {
    let exact = status.to_string();
    let range = format!("{}XX", status / 100);
    [exact.as_str(), range.as_str(), "default"]
        .iter()
        .find_map(|key| {
            responses
                .iter()
                .find(|(s, _)| s.eq_ignore_ascii_case(key))
                .map(|(_, media)| media)
        })
}

/// `Application/JSON; charset=UTF-8` → `application/json;charset=utf-8`.
fn normalize_media_type(media_type: &str) -> String {
    media_type
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

fn strip_query(path: &str) -> &str {
    path.split(['?', '#']).next().unwrap_or(path)
}

fn template_segments(template: &str) -> Vec<Option<String>> {
    template
        .split('/')
        .map(|s| (!(s.starts_with('{') && s.ends_with('}'))).then(|| s.to_owned()))
        .collect()
}

fn is_method(key: &str) -> bool {
    matches!(
        key,
        "get" | "put" | "post" | "delete" | "options" | "head" | "patch" | "trace"
    )
}
