//! The spec as served: poem-openapi's document, with the schemas of parameters that the
//! handlers take as text and check themselves (so that a wrong value gets a message in
//! Russian naming it) written in, and the 413 of the body limit (which wraps every
//! operation, outside poem-openapi) on each operation that takes a body, so the spec says
//! what the server enforces.

use serde_json::Value;

/// What the request bodies' fields of these names accept, as the value parsers check them
/// (`Email::parse`, `Phone::parse`, `Snils::parse`): written into every `…Request` schema.
pub fn request_field_schemas() -> Vec<(&'static str, Value)> {
    vec![
        // An address whose domain may be Cyrillic (почта.рф).
        (
            "email",
            serde_json::json!({ "type": "string", "format": "idn-email" }),
        ),
        // Any usual spelling: digits, spaces, brackets, hyphens, a leading plus.
        (
            "phone",
            serde_json::json!({ "type": "string", "pattern": r"^\s*\+?[0-9 ()-]*\s*$" }),
        ),
        // 11 digits, spaces and hyphens between them allowed; empty for none.
        (
            "snils",
            serde_json::json!({
                "type": "string",
                "nullable": true,
                "pattern": r"^\s*([ -]*([0-9][ -]*){11})?\s*$"
            }),
        ),
        // ИНН: 10 digits (12 for an ИП), spaces and hyphens between them allowed; the check
        // digits are checked by `Inn::parse` (a 400 naming `inn`).
        (
            "inn",
            serde_json::json!({
                "type": "string",
                "pattern": r"^\s*([ -]*[0-9]){10}(([ -]*[0-9]){2})?[ -]*\s*$"
            }),
        ),
        // ОГРН: 13 digits (ОГРНИП, 15, for an ИП); the check digit by `Ogrn::parse`.
        (
            "ogrn",
            serde_json::json!({
                "type": "string",
                "pattern": r"^\s*([ -]*[0-9]){13}(([ -]*[0-9]){2})?[ -]*\s*$"
            }),
        ),
        (
            "org_type",
            serde_json::json!({ "type": "string", "enum": ["state", "municipal", "private", "ip"] }),
        ),
        // A point of a place of study; it must also lie inside the region (a 400 naming it).
        (
            "lat",
            serde_json::json!({ "type": "number", "format": "double", "minimum": -90, "maximum": 90 }),
        ),
        (
            "lon",
            serde_json::json!({ "type": "number", "format": "double", "minimum": -180, "maximum": 180 }),
        ),
    ]
}

/// Sets the schema of every query parameter called `name` in `spec` to `schema`, and of
/// every property called `name` of a request body's schema (`…Request`) to `fields`'.
pub fn with_parameter_schemas(
    spec: &str,
    schemas: &[(&str, Value)],
    fields: &[(&str, Value)],
) -> String {
    let Ok(mut doc) = serde_json::from_str::<Value>(spec) else {
        return spec.to_owned();
    };
    let requests = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
        .into_iter()
        .flat_map(|schemas| schemas.iter_mut())
        .filter(|(name, _)| name.ends_with("Request"))
        .filter_map(|(_, schema)| schema.get_mut("properties")?.as_object_mut());
    for properties in requests {
        for (name, schema) in fields {
            if let Some(property) = properties.get_mut(*name) {
                let description = property.get("description").cloned();
                *property = schema.clone();
                if let Some(d) = description {
                    property["description"] = d;
                }
            }
        }
    }
    let operations = doc
        .get_mut("paths")
        .and_then(Value::as_object_mut)
        .into_iter()
        .flat_map(|paths| paths.values_mut())
        .filter_map(Value::as_object_mut)
        .flat_map(|ops| ops.values_mut());
    for op in operations {
        let params = op.get_mut("parameters").and_then(Value::as_array_mut);
        for param in params.into_iter().flatten() {
            let named =
                |p: &Value, key: &str| p.get(key).and_then(Value::as_str).map(str::to_owned);
            if named(param, "in").as_deref() != Some("query") {
                continue;
            }
            let Some(name) = named(param, "name") else {
                continue;
            };
            if let Some((_, schema)) = schemas.iter().find(|(n, _)| *n == name) {
                param["schema"] = schema.clone();
            }
        }
    }
    serde_json::to_string_pretty(&doc).unwrap_or_else(|_| spec.to_owned())
}

/// Adds the body limit's 413 to every operation of `spec` that takes a request body.
pub fn with_payload_too_large(spec: &str) -> String {
    let Ok(mut doc) = serde_json::from_str::<Value>(spec) else {
        return spec.to_owned();
    };
    let response = serde_json::json!({
        "description": "The body is longer than the server accepts: `message` names the limit.",
        "content": {
            "application/json; charset=utf-8": {
                "schema": { "$ref": "#/components/schemas/ApiError" }
            }
        }
    });
    let operations = doc
        .get_mut("paths")
        .and_then(Value::as_object_mut)
        .into_iter()
        .flat_map(|paths| paths.values_mut())
        .filter_map(Value::as_object_mut)
        .flat_map(|ops| ops.values_mut())
        .filter(|op| op.get("requestBody").is_some());
    for op in operations {
        if let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) {
            responses.entry("413").or_insert_with(|| response.clone());
        }
    }
    serde_json::to_string_pretty(&doc).unwrap_or_else(|_| spec.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_the_schema_of_named_query_parameters_only() {
        let spec = r#"{"paths": {"/programs": {"get": {"parameters": [
            {"name": "level", "in": "query", "schema": {"type": "string"}},
            {"name": "id", "in": "path", "schema": {"type": "integer"}}
        ]}}}}"#;
        let enumed = serde_json::json!({"type": "string", "pattern": "^(start)?$"});
        let out: Value = serde_json::from_str(&with_parameter_schemas(
            spec,
            &[("level", enumed.clone()), ("id", enumed.clone())],
            &[],
        ))
        .unwrap();
        let params = &out["paths"]["/programs"]["get"]["parameters"];
        assert_eq!(params[0]["schema"], enumed);
        assert_eq!(params[1]["schema"]["type"], "integer");
    }

    #[test]
    fn documents_413_where_a_body_is_taken_only() {
        let spec = r#"{"paths": {"/auth/confirm": {
            "post": {"requestBody": {}, "responses": {"200": {}}},
            "get": {"responses": {"200": {}}}
        }}}"#;
        let out: Value = serde_json::from_str(&with_payload_too_large(spec)).unwrap();
        let ops = &out["paths"]["/auth/confirm"];
        assert_eq!(
            ops["post"]["responses"]["413"]["content"]["application/json; charset=utf-8"]["schema"]
                ["$ref"],
            "#/components/schemas/ApiError"
        );
        assert!(ops["get"]["responses"].get("413").is_none());
    }
}
