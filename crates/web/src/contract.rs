//! The OpenAPI document as the contract. utoipa writes each operation from its handler; the
//! rules every operation shares are written into the document here, once, from the same
//! sources the server enforces them from, so a generated client is as strict as the server:
//!
//! - every error is a problem document (`application/problem+json`), and every refusal the
//!   shared layers can make is listed where it can occur;
//! - every string a request may carry is bounded as the boundary bounds it
//!   ([`custodian_domain::validation::TEXT_MAX`], query values [`crate::kit::input::QUERY_MAX`]),
//!   and date fields have the one date form ([`custodian_domain::time::parse_date`]);
//! - the registers' inputs name their required fields and list their choices, from the
//!   declarations the domain's validation is tested against (`AssetInput::REQUIRED`, …).

use custodian_domain::assets::{AssetInput, Choices};
use custodian_domain::risks::RiskInput;
use custodian_domain::validation::TEXT_MAX;
use serde_json::{Value, json};

use crate::kit::input::QUERY_MAX;

/// `YYYY-MM-DD`, years 1900 to 2199; empty where a date is optional.
pub const DATE_PATTERN: &str = "^$|^(19|20|21)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$";

/// No control characters but tab, line feed and carriage return (the boundary's text rule).
pub const TEXT_PATTERN: &str = "^[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]*$";

/// The registers' inputs: their schema's name, required fields and choices.
const INPUTS: &[(&str, &[&str], Choices)] = &[
    ("AssetInput", AssetInput::REQUIRED, AssetInput::CHOICES),
    ("RiskInput", RiskInput::REQUIRED, RiskInput::CHOICES),
];

/// The fields that hold a date, wherever they appear in a request.
fn is_date_field(name: &str) -> bool {
    name.ends_with("_on")
        || matches!(
            name,
            "retain_until" | "exit_date" | "start_date" | "from" | "to"
        )
}

pub fn apply(doc: &mut Value) {
    errors(doc);
    let requested = request_schemas(doc);
    if let Some(schemas) = doc["components"]["schemas"].as_object_mut() {
        for name in &requested {
            if let Some(schema) = schemas.get_mut(name) {
                bound_strings(schema);
            }
        }
        for (name, required, choices) in INPUTS {
            let Some(schema) = schemas.get_mut(*name) else {
                continue;
            };
            schema["required"] = json!(required);
            for (field, list, optional) in choices.iter() {
                let mut values: Vec<&str> = list.iter().map(|(v, _)| *v).collect();
                if *optional {
                    values.push("");
                }
                schema["properties"][*field]["enum"] = json!(values);
            }
            for field in required.iter() {
                let p = &mut schema["properties"][*field];
                if p["type"] == "string" {
                    p["minLength"] = json!(1);
                }
            }
        }
    }
}

/// Every component schema a request body refers to, directly or through another schema.
fn request_schemas(doc: &Value) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut queue: Vec<String> = Vec::new();
    for item in doc["paths"]
        .as_object()
        .into_iter()
        .flat_map(|p| p.values())
    {
        for op in item.as_object().into_iter().flat_map(|o| o.values()) {
            refs_in(&op["requestBody"], &mut queue);
        }
    }
    while let Some(name) = queue.pop() {
        if found.contains(&name) {
            continue;
        }
        refs_in(&doc["components"]["schemas"][&name], &mut queue);
        found.push(name);
    }
    found
}

fn refs_in(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            if let Some(r) = m.get("$ref").and_then(Value::as_str)
                && let Some(name) = r.strip_prefix("#/components/schemas/")
            {
                out.push(name.to_string());
            }
            m.values().for_each(|x| refs_in(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| refs_in(x, out)),
        _ => {}
    }
}

fn is_string(schema: &Value) -> bool {
    schema["type"] == "string"
        || schema["type"]
            .as_array()
            .is_some_and(|t| t.iter().any(|x| x == "string"))
}

/// Bounds every string property of a request schema, and gives date fields their form.
fn bound_strings(schema: &mut Value) {
    // (`get_mut`, not indexing: indexing a missing member would write a null into the schema.)
    let Some(props) = schema.get_mut("properties").and_then(Value::as_object_mut) else {
        return;
    };
    for (name, p) in props.iter_mut() {
        if is_string(p) {
            if p.get("maxLength").is_none() {
                p["maxLength"] = json!(TEXT_MAX);
            }
            if is_date_field(name) && p.get("format").is_none() {
                p["pattern"] = json!(DATE_PATTERN);
            } else if p.get("pattern").is_none() && p.get("format").is_none() {
                p["pattern"] = json!(TEXT_PATTERN);
            }
        } else if p["type"] == "array" && is_string(&p["items"]) {
            p["items"]["maxLength"] = json!(TEXT_MAX);
        }
    }
}

/// Every error is a problem document, and every error status that the shared layers can answer
/// is documented where it can occur: 401 wherever a session is needed; 403 everywhere (no
/// permission, a sign-in stage to finish first, or an API token where only the person may act);
/// 404 under a path with an id; 400 and 422 wherever a query string is read; 400, 413, 415 and
/// 422 on every request body.
fn errors(doc: &mut Value) {
    let problem = |description: &str| {
        json!({
            "description": description,
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
        })
    };
    let Some(paths) = doc["paths"].as_object_mut() else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(ops) = item.as_object_mut() else {
            continue;
        };
        for op in ops.values_mut() {
            let public = op["security"]
                .as_array()
                .is_some_and(|s| s.iter().any(|r| r == &json!({})));
            let has_query = op["parameters"]
                .as_array()
                .is_some_and(|ps| ps.iter().any(|p| p["in"] == "query"));
            let has_body = op.get("requestBody").is_some();
            if let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) {
                for p in params.iter_mut().filter(|p| p["in"] == "query") {
                    if is_string(&p["schema"]) && p["schema"].get("maxLength").is_none() {
                        p["schema"]["maxLength"] = json!(QUERY_MAX);
                    }
                    if is_string(&p["schema"]) && p["schema"].get("pattern").is_none() {
                        p["schema"]["pattern"] = json!(TEXT_PATTERN);
                    }
                }
            }
            let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
                continue;
            };
            let mut add = |status: &str, description: &str| {
                responses
                    .entry(status.to_string())
                    .or_insert_with(|| problem(description));
            };
            if !public {
                add("401", "Not signed in, or the session has ended");
            }
            add(
                "403",
                "No permission for this, a sign-in stage to finish first, or an API token where only a signed-in person may act",
            );
            if path.contains('{') {
                add("404", "Nothing at this address that you may see");
            }
            if has_query {
                add("400", "The query string cannot be read");
                add(
                    "422",
                    "A query parameter fails its rule; each is named in `errors`",
                );
            }
            if has_body {
                add(
                    "400",
                    "The body cannot be read as the content type described",
                );
                add("413", "The request body is larger than the server accepts");
                add("415", "The body is not of the content type described");
                add("422", "A field fails its rule; each is named in `errors`");
            }
            for (status, r) in responses.iter_mut() {
                if status.as_str() >= "400"
                    && let Some(content) = r.get_mut("content").and_then(Value::as_object_mut)
                    && let Some(c) = content.remove("application/json")
                {
                    content.insert("application/problem+json".to_string(), c);
                }
            }
        }
    }
}
