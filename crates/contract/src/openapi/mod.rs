//! OpenAPI 3.1 documents, one per vendor.
//!
//! `components/schemas` come from the model types (`schemars::JsonSchema` derives in
//! `eventmock-model`, serialize contract: what the mock sends); paths, parameters and
//! responses are data, written in one small module per vendor following
//! `shared/contracts.md`. The output is deterministic: schemas are sorted by name, everything
//! else is in the order the vendor module writes it.
//!
//! Two extensions are used:
//! - `x-eventmock-unmatched`: responses (by status) a vendor sends for a request that matches
//!   no documented operation (unknown route, wrong method). The validator uses them then.
//! - `x-eventmock-note`: marks what `contracts.md` calls unconfirmed.

mod authentik;
mod cf;
mod halo;
mod instavm;
mod probely;

use eventmock_model::Vendor;
use schemars::JsonSchema;
use schemars::generate::{SchemaGenerator, SchemaSettings};
use serde_json::{Map, Value, json};

/// The OpenAPI version every document declares.
pub const OPENAPI_VERSION: &str = "3.1.0";

/// The OpenAPI 3.1 document of `vendor`, as a JSON value.
pub fn document(vendor: Vendor) -> Value {
    let mut b = Builder::new();
    match vendor {
        Vendor::Probely => probely::build(&mut b),
        Vendor::Authentik => authentik::build(&mut b),
        Vendor::Halo => halo::build(&mut b),
        Vendor::Instavm => instavm::build(&mut b),
        Vendor::CloudFoundry => cf::build(&mut b),
    }
    b.finish()
}

/// The document of `vendor` as committed under `openapi/<vendor>.json`: pretty-printed JSON
/// with a trailing newline.
pub fn document_text(vendor: Vendor) -> String {
    // Serializing a `Value` cannot fail (all keys are strings).
    let mut text = serde_json::to_string_pretty(&document(vendor)).unwrap_or_default();
    text.push('\n');
    text
}

/// Collects the parts of one document while a vendor module describes its API.
pub(crate) struct Builder {
    /// Generates `components/schemas` from model types; hands out `$ref`s.
    generator: SchemaGenerator,
    /// `info`, `servers`, `security`, `tags`: top-level fields set by the vendor module.
    top: Map<String, Value>,
    /// `paths`, in the order operations were added.
    paths: Map<String, Value>,
    /// `components/responses`.
    responses: Map<String, Value>,
    /// `components/securitySchemes`.
    security_schemes: Map<String, Value>,
    /// `x-eventmock-unmatched`: status → response for requests that match no operation.
    unmatched: Map<String, Value>,
}

impl Builder {
    fn new() -> Self {
        let settings = SchemaSettings::draft2020_12().for_serialize().with(|s| {
            s.definitions_path = "/components/schemas".into();
            s.meta_schema = None;
        });
        Builder {
            generator: settings.into_generator(),
            top: Map::new(),
            paths: Map::new(),
            responses: Map::new(),
            security_schemes: Map::new(),
            unmatched: Map::new(),
        }
    }

    /// The schema of `T`: a `$ref` into `components/schemas` (the definition is added).
    pub(crate) fn schema<T: JsonSchema>(&mut self) -> Value {
        self.generator.subschema_for::<T>().to_value()
    }

    /// Sets a top-level field (`info`, `servers`, `security`, ...).
    pub(crate) fn set(&mut self, key: &str, value: Value) {
        self.top.insert(key.to_owned(), value);
    }

    /// Adds an operation under `path` (full path, including the vendor's base path).
    pub(crate) fn operation(&mut self, method: &str, path: &str, operation: Value) {
        let item = self
            .paths
            .entry(path.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(item) = item {
            item.insert(method.to_owned(), operation);
        }
    }

    /// Adds a reusable response to `components/responses` and returns its `$ref`.
    pub(crate) fn response(&mut self, name: &str, response: Value) -> Value {
        self.responses.insert(name.to_owned(), response);
        json!({ "$ref": format!("#/components/responses/{name}") })
    }

    /// Adds a security scheme.
    pub(crate) fn security_scheme(&mut self, name: &str, scheme: Value) {
        self.security_schemes.insert(name.to_owned(), scheme);
    }

    /// Declares the response sent with `status` to requests that match no operation.
    pub(crate) fn unmatched(&mut self, status: &str, response: Value) {
        self.unmatched.insert(status.to_owned(), response);
    }

    /// Applies `f` to every schema of `components/schemas` (name, schema).
    pub(crate) fn map_schemas(&mut self, mut f: impl FnMut(&str, &mut Value)) {
        for (name, schema) in self.generator.definitions_mut().iter_mut() {
            f(name, schema);
        }
    }

    fn finish(mut self) -> Value {
        let mut definitions = self.generator.take_definitions(true);
        for schema in definitions.values_mut() {
            simplify_enums(schema);
        }
        let mut names: Vec<&String> = definitions.keys().collect();
        names.sort();
        let mut schemas = Map::new();
        for name in names {
            if let Some(schema) = definitions.get(name) {
                schemas.insert(name.clone(), schema.clone());
            }
        }
        let mut doc = Map::new();
        doc.insert("openapi".to_owned(), json!(OPENAPI_VERSION));
        for key in ["info", "servers", "security", "tags"] {
            if let Some(value) = self.top.remove(key) {
                doc.insert(key.to_owned(), value);
            }
        }
        doc.insert("paths".to_owned(), Value::Object(self.paths));
        let mut components = Map::new();
        components.insert("schemas".to_owned(), Value::Object(schemas));
        if !self.responses.is_empty() {
            components.insert("responses".to_owned(), Value::Object(self.responses));
        }
        components.insert(
            "securitySchemes".to_owned(),
            Value::Object(self.security_schemes),
        );
        doc.insert("components".to_owned(), Value::Object(components));
        if !self.unmatched.is_empty() {
            doc.insert(
                "x-eventmock-unmatched".to_owned(),
                Value::Object(self.unmatched),
            );
        }
        Value::Object(doc)
    }
}

/// Rewrites the `oneOf` of string constants that schemars derives for a documented
/// unit-variant enum into the usual `{"type": "string", "enum": [...]}`, keeping the variants'
/// descriptions in `x-enum-descriptions` (the name openapi-generator reads).
fn simplify_enums(schema: &mut Value) {
    let Some(object) = schema.as_object_mut() else {
        return;
    };
    let Some(Value::Array(variants)) = object.get("oneOf") else {
        return;
    };
    let mut values = Vec::new();
    let mut descriptions = Vec::new();
    for variant in variants {
        let Some(v) = variant.as_object() else {
            return;
        };
        let simple = v.get("type").and_then(Value::as_str) == Some("string")
            && v.keys()
                .all(|k| matches!(k.as_str(), "type" | "const" | "description"));
        match (simple, v.get("const")) {
            (true, Some(value)) => values.push(value.clone()),
            _ => return,
        }
        descriptions.push(v.get("description").cloned().unwrap_or(json!("")));
    }
    let description = object.remove("description");
    object.clear();
    object.insert("type".to_owned(), json!("string"));
    object.insert("enum".to_owned(), Value::Array(values));
    if let Some(description) = description {
        object.insert("description".to_owned(), description);
    }
    object.insert("x-enum-descriptions".to_owned(), Value::Array(descriptions));
}

/// A response object with one JSON body: `{"description", "content": {media: {"schema"}}}`,
/// plus `headers` when `headers` is an object with entries.
pub(crate) fn body(description: &str, media_type: &str, schema: Value, headers: Value) -> Value {
    let mut content = Map::new();
    content.insert(media_type.to_owned(), json!({ "schema": schema }));
    let mut response = Map::new();
    response.insert("description".to_owned(), json!(description));
    if headers.as_object().is_some_and(|h| !h.is_empty()) {
        response.insert("headers".to_owned(), headers);
    }
    response.insert("content".to_owned(), Value::Object(content));
    Value::Object(response)
}

/// A query parameter.
pub(crate) fn query(name: &str, description: &str, schema: Value) -> Value {
    json!({ "name": name, "in": "query", "required": false, "description": description, "schema": schema })
}

/// A required query parameter.
pub(crate) fn query_required(name: &str, description: &str, schema: Value) -> Value {
    json!({ "name": name, "in": "query", "required": true, "description": description, "schema": schema })
}

/// A path parameter (always required).
pub(crate) fn path_param(name: &str, description: &str, schema: Value) -> Value {
    json!({ "name": name, "in": "path", "required": true, "description": description, "schema": schema })
}

/// `application/json`.
pub(crate) const JSON: &str = "application/json";
