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

/// A date that must be given: `YYYY-MM-DD`, years 1900 to 2199.
pub const REQUIRED_DATE_PATTERN: &str =
    "^(19|20|21)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$";

/// No control characters but tab, line feed and carriage return (the boundary's text rule).
pub const TEXT_PATTERN: &str = "^[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]*$";

/// Text that must be filled in: the text rule, and something other than spaces (the domain
/// trims what it is given).
pub const FILLED_PATTERN: &str = "^[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]*[^\\s\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F][^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]*$";

/// A page's cursor as the server issues it ([`custodian_domain::Cursor::encode`]): the last
/// item's id, a dot, and its sort key in hex (the rest of the query string's bound).
pub const CURSOR_PATTERN: &str = "^[0-9a-f]{32}\\.([0-9a-f]{2}){0,1000}$";

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
    inputs(doc);
    let requested = separate_requests(doc);
    if let Some(schemas) = doc["components"]["schemas"].as_object_mut() {
        for name in &requested {
            if let Some(schema) = schemas.get_mut(name) {
                bound_strings(schema);
            }
        }
    }
}

/// Every schema a request refers to, each its own: a schema that answers share (an asset's
/// fields, which the answer flattens into the asset) is copied as `…Request` for requests, so
/// that a request's rules (no members but those described) never constrain an answer.
fn separate_requests(doc: &mut Value) -> Vec<String> {
    let requested = schemas_under(doc, "requestBody");
    let answered = schemas_under(doc, "responses");
    let shared: Vec<&String> = requested.iter().filter(|n| answered.contains(n)).collect();
    if shared.is_empty() {
        return requested;
    }
    let renamed = |name: &str| format!("{name}Request");
    let retarget = |v: &mut Value| {
        walk_refs(v, &mut |target: &mut String| {
            if let Some(name) = target.strip_prefix("#/components/schemas/")
                && shared.iter().any(|s| s.as_str() == name)
            {
                *target = format!("#/components/schemas/{}", renamed(name));
            }
        })
    };
    for item in doc["paths"]
        .as_object_mut()
        .into_iter()
        .flat_map(|p| p.values_mut())
    {
        for op in item
            .as_object_mut()
            .into_iter()
            .flat_map(|o| o.values_mut())
        {
            if let Some(body) = op.get_mut("requestBody") {
                retarget(body);
            }
        }
    }
    let schemas = &mut doc["components"]["schemas"];
    for name in &shared {
        let mut copy = schemas[name.as_str()].clone();
        retarget(&mut copy);
        schemas[renamed(name)] = copy;
    }
    requested
        .iter()
        .map(|n| {
            if shared.contains(&n) {
                renamed(n)
            } else {
                n.clone()
            }
        })
        .collect()
}

fn walk_refs(v: &mut Value, f: &mut impl FnMut(&mut String)) {
    match v {
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                match x {
                    Value::String(target) if k == "$ref" => f(target),
                    _ => walk_refs(x, f),
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| walk_refs(x, f)),
        _ => {}
    }
}

/// The registers' inputs: their required fields and their choices.
fn inputs(doc: &mut Value) {
    if let Some(schemas) = doc["components"]["schemas"].as_object_mut() {
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

/// Every component schema that an operation's `part` (its request body, or its responses)
/// refers to, directly or through another schema.
fn schemas_under(doc: &Value, part: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut queue: Vec<String> = Vec::new();
    for item in doc["paths"]
        .as_object()
        .into_iter()
        .flat_map(|p| p.values())
    {
        for op in item.as_object().into_iter().flat_map(|o| o.values()) {
            refs_in(&op[part], &mut queue);
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

/// An integer a request carries is not negative unless its schema says otherwise (each input
/// states its own range on its fields: `#[schema(minimum = …, maximum = …)]`).
fn bound_integer(p: &mut Value) {
    if p.get("minimum").is_none() {
        p["minimum"] = json!(0);
    }
}

fn is_integer(schema: &Value) -> bool {
    schema["type"] == "integer"
        || schema["type"]
            .as_array()
            .is_some_and(|t| t.iter().any(|x| x == "integer"))
}

/// Bounds every string property of a request schema, gives date fields their form and
/// integers their range, and says that a request carries no members but those described (the
/// server ignores others, but refuses any whose name is not clean text).
fn bound_strings(schema: &mut Value) {
    if schema.get("properties").is_some() && schema.get("additionalProperties").is_none() {
        schema["additionalProperties"] = json!(false);
    }
    // (`get_mut`, not indexing: indexing a missing member would write a null into the schema.)
    let required: Vec<String> = schema["required"]
        .as_array()
        .map(|r| {
            r.iter()
                .filter_map(|x| x.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    let Some(props) = schema.get_mut("properties").and_then(Value::as_object_mut) else {
        return;
    };
    for (name, p) in props.iter_mut() {
        if is_integer(p) {
            bound_integer(p);
        }
        if is_string(p) {
            if p.get("maxLength").is_none() {
                p["maxLength"] = json!(TEXT_MAX);
            }
            if p.get("pattern").is_some() || p.get("format").is_some() {
                continue;
            }
            let pattern = if is_date_field(name) && required.contains(name) {
                REQUIRED_DATE_PATTERN
            } else if is_date_field(name) {
                DATE_PATTERN
            } else if p["minLength"].as_u64().is_some_and(|n| n > 0) {
                FILLED_PATTERN
            } else {
                TEXT_PATTERN
            };
            p["pattern"] = json!(pattern);
        } else if p["type"] == "array" && is_string(&p["items"]) {
            p["items"]["maxLength"] = json!(TEXT_MAX);
            if p["items"].get("pattern").is_none() {
                p["items"]["pattern"] = json!(TEXT_PATTERN);
            }
        }
    }
}

/// A query or path parameter as the server reads it: strings bounded and clean (a cursor in
/// the form the server issues, a date in the one form), a page size within the page bound,
/// other integers not negative.
fn query_param(p: &mut Value) {
    let name = p["name"].as_str().unwrap_or_default().to_string();
    let in_query = p["in"] == "query";
    let schema = &mut p["schema"];
    if is_string(schema) && in_query {
        if schema.get("maxLength").is_none() {
            schema["maxLength"] = json!(QUERY_MAX);
        }
        if schema.get("pattern").is_none() {
            let pattern = match name.as_str() {
                "cursor" => CURSOR_PATTERN,
                n if is_date_field(n) => DATE_PATTERN,
                _ => TEXT_PATTERN,
            };
            schema["pattern"] = json!(pattern);
        }
    } else if is_integer(schema) {
        if name == "limit" {
            if schema.get("maximum").is_none() {
                schema["minimum"] = json!(1);
                schema["maximum"] = json!(custodian_domain::page::MAX_PAGE);
            }
        } else {
            bound_integer(schema);
        }
    }
}

/// Every error is a problem document, and every error status that the shared layers can answer
/// is documented where it can occur: 401 wherever a session is needed; 403 everywhere (no
/// permission, a sign-in stage to finish first, or an API token where only the person may act);
/// 404 under a path with an id; 400 and 422 wherever a query string is read; 400, 413, 415 and
/// 422 on every request body; 409 on every change and wherever a query names a place in a
/// list or the log (a conflict with the state of things, not a malformed request).
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
        for (method, op) in ops.iter_mut() {
            let writes = method != "get";
            let public = op["security"]
                .as_array()
                .is_some_and(|s| s.iter().any(|r| r == &json!({})));
            let has_query = op["parameters"]
                .as_array()
                .is_some_and(|ps| ps.iter().any(|p| p["in"] == "query"));
            let has_body = op.get("requestBody").is_some();
            if let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) {
                for p in params.iter_mut() {
                    query_param(p);
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
            if writes || has_query {
                add(
                    "409",
                    "What this asks about or changes has moved on: already decided, done or signed, a name already taken, a list changed since its cursor was issued, or a proof of a size the log does not have",
                );
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
