//! The JSON API under `/api/v1`, described by an OpenAPI 3.1 document generated from this code
//! (utoipa) and served at `/api/v1/openapi.json`, with a readable page at `/api/docs`.
//!
//! Errors are RFC 9457 problem documents (see `error.rs`). Lists are cursor-paged.

use askama::Template;
use axum::Json;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use custodian_domain::{
    NewPracticeAndManager, PageRequest, Permission, PersonId, Practice, PracticeMember, PracticeRole,
    ProviderRole,
};

use serde::Serialize;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

use crate::kit::error::Problem;
use crate::kit::forms::{PageQuery, PracticeParam};
use crate::kit::layout::{Layout, render};
use crate::kit::routes::{Reach, Routes};
use crate::kit::session::{InPractice, PracticeScope, RequestMeta, SignedIn};
use crate::{AppError, AppState, HttpError};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Custodian",
        description = "Information governance and security for GP practices: staff and access, the audit trail, and the registers the DSPT asks for."
    ),
    paths(me, list_practices, create_practice, get_practice, list_people, get_person),
    components(schemas(Problem, Me, MembershipOut, PracticePage, PeoplePage, Practice, NewPracticeAndManager, PracticeAdded, PracticeMember)),
    modifiers(&SessionAuth),
    security(("session" = []), ("token" = [])),
    tags((name = "practices", description = "The practices the provider serves"), (name = "people", description = "Staff of a practice"),
         (name = "sign-in", description = "Sessions: sign in, the authenticator code, sign out"),
         (name = "me", description = "Your own password, security questions, two-factor authentication and API tokens"),
         (name = "access", description = "The User Authorisation Process: starters, movers, leavers, identity checks, administrators"),
         (name = "audit", description = "The tamper-evident audit trail: events, proofs, checkpoints, exports"),
         (name = "assets", description = "The information asset register: assets, data flows, who has access and why"),
         (name = "incidents", description = "Information incidents: reported by any member of staff, graded on the NHS grid, with the ICO and NDG clocks"))
)]
pub struct ApiDoc;

/// The whole OpenAPI document: every part of the API merged, with the rules every operation
/// shares written in (see [`crate::contract`]). Built once: it never changes while the server
/// runs, and `/api/v1/openapi.json` is public.
pub fn document() -> &'static serde_json::Value {
    static DOCUMENT: std::sync::LazyLock<serde_json::Value> = std::sync::LazyLock::new(build);
    &DOCUMENT
}

fn build() -> serde_json::Value {
    let mut api = ApiDoc::openapi();
    for part in crate::CAPABILITIES.iter().filter_map(|c| c.api) {
        let part = part();
        // Two capabilities' schemas by one name would silently become one (the first wins):
        // a request would be described by the other's fields.
        let schemas = |d: &utoipa::openapi::OpenApi| {
            d.components
                .as_ref()
                .map(|c| c.schemas.clone())
                .unwrap_or_default()
        };
        let (had, adds) = (schemas(&api), schemas(&part));
        for (name, schema) in &adds {
            if let Some(old) = had.get(name) {
                assert!(
                    serde_json::to_value(old).ok() == serde_json::to_value(schema).ok(),
                    "two different API schemas are named {name}: rename one"
                );
            }
        }
        api.merge(part);
    }
    // Security schemes are declared once, on the main document.
    let mut doc = serde_json::to_value(api).expect("the OpenAPI document is JSON");
    crate::contract::apply(&mut doc);
    doc
}

struct SessionAuth;

impl Modify for SessionAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "custodian_session",
                "The session cookie set at sign-in (named __Host-custodian_session when served over HTTPS).",
            ))),
        );
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(utoipa::openapi::security::HttpBuilder::new().scheme(utoipa::openapi::security::HttpAuthScheme::Bearer).description(Some("An API token (cst_…) created by a person for one practice with a subset of their permissions.")).build()),
        );
    }
}

/// The API document, the signed-in person and the practices and their people through the API.
pub const CAPABILITY: crate::kit::capability::Capability =
    crate::kit::capability::Capability::routes(routes);

pub fn routes(r: &mut Routes) {
    use Reach::*;
    r.get("/api/v1/openapi.json", Public, openapi_json)
        .get("/api/docs", Public, docs_page)
        .get("/api/v1/me", SignedIn, me)
        .get("/api/v1/practices", SignedIn, list_practices)
        .post("/api/v1/practices", SignedIn, create_practice);
    r.api()
        .get("", get_practice)
        .get("/people", list_people)
        .get("/people/{person_id}", get_person);
}

async fn openapi_json() -> Response {
    static BODY: std::sync::LazyLock<axum::body::Bytes> = std::sync::LazyLock::new(|| {
        serde_json::to_vec(document())
            .expect("the OpenAPI document is JSON")
            .into()
    });
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        BODY.clone(),
    )
        .into_response()
}

/// The signed-in person, their practices and roles.
#[derive(Serialize, ToSchema)]
pub struct Me {
    pub id: PersonId,
    pub username: String,
    pub full_name: String,
    pub provider_roles: Vec<ProviderRole>,
    pub practices: Vec<MembershipOut>,
}

#[derive(Serialize, ToSchema)]
pub struct MembershipOut {
    pub practice: Practice,
    pub roles: Vec<PracticeRole>,
    /// What this person may do in this practice.
    pub permissions: Vec<Permission>,
}

/// A page of practices.
#[derive(Serialize, ToSchema)]
pub struct PracticePage {
    pub items: Vec<Practice>,
    /// Pass as `cursor` to read the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// A page of a practice's staff.
#[derive(Serialize, ToSchema)]
pub struct PeoplePage {
    pub items: Vec<PracticeMember>,
    pub next_cursor: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/me", summary = "Who am I",
    description = "The signed-in person, their provider roles, and each practice they belong to with their roles and permissions there.",
    responses((status = 200, body = Me), (status = 401, body = Problem)))]
async fn me(user: SignedIn) -> Json<Me> {
    Json(Me {
        id: user.person_id(),
        username: user.session.username.clone(),
        full_name: user.session.full_name.clone(),
        provider_roles: user.provider_roles.clone(),
        practices: user
            .memberships
            .iter()
            .map(|m| MembershipOut {
                practice: m.practice.clone(),
                roles: m.roles.clone(),
                permissions: custodian_domain::Access::new(
                    user.person_id(),
                    &m.roles,
                    &user.provider_roles,
                )
                .permissions(),
            })
            .collect(),
    })
}

#[utoipa::path(get, path = "/api/v1/practices", tag = "practices", summary = "List practices",
    description = "Provider staff see every practice; practice staff see the practices they belong to. Ordered by name.",
    params(("cursor" = Option<String>, Query, description = "The next_cursor of the previous page"),
           ("limit" = Option<u32>, Query, description = "Page size, 1 to 200 (default 50)")),
    responses((status = 200, body = PracticePage), (status = 400, body = Problem), (status = 401, body = Problem)))]
async fn list_practices(
    State(state): State<AppState>,
    user: SignedIn,
    Query(q): Query<PageQuery>,
) -> Result<Json<PracticePage>, HttpError> {
    let page = PageRequest::parse(q.cursor.as_deref(), q.limit)?;
    if user.provider_access().can(Permission::ProviderView) {
        let list = state.store.practices(&page).await?;
        return Ok(Json(PracticePage {
            items: list.items,
            next_cursor: list.next_cursor,
        }));
    }
    // A member's own practices (an API token's one practice): few, already loaded and sorted;
    // page them the same way.
    let after = page.after.clone();
    let rows: Vec<Practice> = user
        .memberships
        .iter()
        .filter(|m| {
            user.api_token
                .as_ref()
                .is_none_or(|t| t.practice_id == m.practice.id)
        })
        .map(|m| m.practice.clone())
        .filter(|p| {
            after
                .as_ref()
                .is_none_or(|c| (p.name.to_lowercase(), p.id.0) > (c.key.clone(), c.id))
        })
        .take(page.limit as usize + 1)
        .collect();
    let list = custodian_domain::Page::from_rows(rows, page.limit, |p| custodian_domain::Cursor {
        key: p.name.to_lowercase(),
        id: p.id.0,
    });
    Ok(Json(PracticePage {
        items: list.items,
        next_cursor: list.next_cursor,
    }))
}

/// A practice brought in, with its first practice manager and their one-time password.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PracticeAdded {
    pub practice: Practice,
    /// The first practice manager, a member of the practice's staff.
    pub manager: PracticeMember,
    /// Read it to them (by phone or in person): it is shown only now, works once, and they
    /// choose their own password with it.
    pub one_time_password: String,
    pub one_time_password_expires_at: chrono::DateTime<chrono::Utc>,
}

impl From<custodian_app::practices::PracticeCreated> for PracticeAdded {
    fn from(c: custodian_app::practices::PracticeCreated) -> Self {
        PracticeAdded {
            practice: c.practice,
            manager: c.manager,
            one_time_password: c.one_time_password,
            one_time_password_expires_at: c.expires_at,
        }
    }
}

#[utoipa::path(post, path = "/api/v1/practices", tag = "practices", summary = "Bring a practice in with its first practice manager",
    description = "Provider administrators only. The practice and its first practice manager are created together or not at all; the answer holds the manager's one-time password, shown only once. The ODS code must be unique (409 names `ods_code`), as must the manager's username and email (409 names `manager_username` or `manager_email`). Without a username, one is made from the manager's name.",
    request_body = NewPracticeAndManager,
    responses((status = 201, body = PracticeAdded), (status = 400, body = Problem), (status = 403, body = Problem),
              (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_practice(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
    Json(body): Json<NewPracticeAndManager>,
) -> Result<Response, HttpError> {
    let c = custodian_app::practices::create_practice(
        &state,
        &user.provider_access(),
        &meta,
        &body,
    )
    .await?;
    Ok((axum::http::StatusCode::CREATED, Json(PracticeAdded::from(c))).into_response())
}

#[utoipa::path(get, path = "/api/v1/practices/{practice_id}", tag = "practices", summary = "One practice",
    params(PracticeParam),
    responses((status = 200, body = Practice), (status = 401, body = Problem), (status = 404, body = Problem)))]
async fn get_practice(scope: PracticeScope) -> Json<Practice> {
    Json(scope.practice)
}

#[utoipa::path(get, path = "/api/v1/practices/{practice_id}/people", tag = "people", summary = "A practice's staff",
    description = "Everyone on the practice's staff with their roles. Needs the people_view permission. Recorded in the audit trail with the number of records returned.",
    params(PracticeParam,
           ("cursor" = Option<String>, Query, description = "The next_cursor of the previous page"),
           ("limit" = Option<u32>, Query, description = "Page size, 1 to 200 (default 50)")),
    responses((status = 200, body = PeoplePage), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn list_people(
    State(state): State<AppState>,
    scope: PracticeScope,
    Query(q): Query<PageQuery>,
) -> Result<Json<PeoplePage>, HttpError> {
    scope.require(Permission::PeopleView, "people.list").await?;
    let page = PageRequest::parse(q.cursor.as_deref(), q.limit)?;
    let list = state.store.members(scope.id(), &page).await?;
    scope
        .record_list("people.list", "person", list.items.len())
        .await?;
    Ok(Json(PeoplePage {
        items: list.items,
        next_cursor: list.next_cursor,
    }))
}

#[utoipa::path(get, path = "/api/v1/practices/{practice_id}/people/{person_id}", tag = "people", summary = "One member of staff",
    description = "Anyone may read their own record; others need people_view. Recorded in the audit trail.",
    params(PracticeParam, ("person_id" = String, Path, description = "The person's id")),
    responses((status = 200, body = PracticeMember), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn get_person(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(person_id): InPractice<String>,
) -> Result<Json<PracticeMember>, HttpError> {
    let person_id: PersonId = person_id.parse().map_err(|_| AppError::NotFound)?;
    if person_id != scope.user.person_id() {
        scope.require(Permission::PeopleView, "person.view").await?;
    }
    let member = state
        .store
        .member(scope.id(), person_id)
        .await?
        .ok_or(AppError::NotFound)?;
    scope
        .record(scope.event("person.view", "person", Some(person_id.to_string())))
        .await?;
    Ok(Json(member))
}

// ---- the readable documentation page ------------------------------------------------------

struct ParamDoc {
    name: String,
    location: String,
    required: &'static str,
    description: String,
}

struct OperationDoc {
    method: &'static str,
    path: String,
    summary: String,
    description: String,
    parameters: Vec<ParamDoc>,
    responses: String,
}

struct SchemaDoc {
    name: String,
    json: String,
}

#[derive(Template)]
#[template(path = "practices/api_docs.html")]
struct ApiDocsPage {
    layout: Layout,
    title: String,
    version: String,
    operations: Vec<OperationDoc>,
    schemas: Vec<SchemaDoc>,
}

/// `/api/docs`: the OpenAPI document as a page people can read, without JavaScript.
pub async fn docs_page(user: Option<SignedIn>) -> Response {
    let doc = document();
    let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
    let mut operations = Vec::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for method in ["get", "post", "put", "patch", "delete"] {
            let op = &item[method];
            if op.is_null() {
                continue;
            }
            operations.push(OperationDoc {
                method: match method {
                    "get" => "GET",
                    "post" => "POST",
                    "put" => "PUT",
                    "patch" => "PATCH",
                    _ => "DELETE",
                },
                path: path.clone(),
                summary: text(&op["summary"]),
                description: text(&op["description"]),
                parameters: op["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|p| ParamDoc {
                        name: text(&p["name"]),
                        location: text(&p["in"]),
                        required: if p["required"] == true { "yes" } else { "no" },
                        description: text(&p["description"]),
                    })
                    .collect(),
                responses: op["responses"]
                    .as_object()
                    .map(|r| r.keys().cloned().collect::<Vec<_>>().join(", "))
                    .unwrap_or_default(),
            });
        }
    }
    let schemas = doc["components"]["schemas"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, s)| SchemaDoc {
            name: name.clone(),
            json: serde_json::to_string_pretty(s).unwrap_or_default(),
        })
        .collect();
    let layout = match &user {
        Some(u) => Layout::new(u, None, "/api/docs"),
        None => Layout::anonymous(),
    };
    render(&ApiDocsPage {
        layout,
        title: text(&doc["info"]["title"]),
        version: text(&doc["info"]["version"]),
        operations,
        schemas,
    })
}

#[cfg(test)]
mod tests {
    use crate::contract::{CURSOR_PATTERN, DATE_PATTERN, FILLED_PATTERN, TEXT_PATTERN};
    use crate::kit::input::QUERY_MAX;
    use custodian_domain::risks::RiskInput;
    use custodian_domain::validation::TEXT_MAX;
    use serde_json::{Value, json};

    #[test]
    fn the_openapi_document_is_3_1_and_lists_every_api_route() {
        let doc = super::document();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
        for path in [
            "/api/v1/me",
            "/api/v1/practices",
            "/api/v1/practices/{practice_id}",
            "/api/v1/practices/{practice_id}/people",
            "/api/v1/practices/{practice_id}/people/{person_id}",
            "/api/v1/session",
            "/api/v1/practices/{practice_id}/requests/{request_id}/approve",
            "/api/v1/practices/{practice_id}/people/{person_id}/verify-identity",
            "/api/v1/practices/{practice_id}/people/{person_id}/leaver",
        ] {
            assert!(
                doc["paths"][path].is_object(),
                "{path} missing from OpenAPI"
            );
        }
        assert!(doc["components"]["schemas"]["Problem"].is_object());
        assert!(doc["components"]["schemas"]["AccessRequest"].is_object());
        assert!(
            doc["paths"]
                .as_object()
                .unwrap()
                .keys()
                .all(|p| p.starts_with("/api/v1/")),
            "no doubled slashes"
        );
    }

    #[test]
    fn every_error_is_a_problem_document_and_every_shared_refusal_is_described() {
        let doc = super::document();
        let mut operations = 0;
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                operations += 1;
                let responses = op["responses"].as_object().unwrap();
                for (status, r) in responses {
                    if status.as_str() >= "400" {
                        let content = r["content"].as_object().unwrap();
                        assert!(
                            content.contains_key("application/problem+json")
                                && !content.contains_key("application/json"),
                            "{method} {path} {status}: {content:?}"
                        );
                    }
                }
                // Every list is paged: no operation answers a bare array.
                let ok = &responses.get("200").or(responses.get("201"));
                let schema = ok.map(|r| &r["content"]["application/json"]["schema"]);
                assert!(
                    schema.is_none_or(|s| s["type"] != "array"),
                    "{method} {path} answers a bare list: page it with kit::forms::Paged"
                );
                if op.get("requestBody").is_some() {
                    for status in ["400", "413", "415", "422"] {
                        assert!(responses.contains_key(status), "{method} {path} {status}");
                    }
                }
                if path.contains("{practice_id}") {
                    for status in ["401", "403", "404"] {
                        assert!(responses.contains_key(status), "{method} {path} {status}");
                    }
                }
            }
        }
        assert!(operations > 70, "{operations}");
        // Signing in needs no session, so it is not said to answer 401 for want of one.
        assert!(
            doc["paths"]["/api/v1/session"]["post"]["responses"]["401"]["description"]
                .as_str()
                .is_some_and(|d| !d.contains("Not signed in"))
        );
    }

    #[test]
    fn a_generated_client_is_as_strict_as_the_server_about_the_registers_inputs() {
        let doc = super::document();
        // The schema a client posts (requests have their own copy of a schema an answer shares).
        let posted = |path: &str| {
            let target =
                doc["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]
                    ["$ref"]
                    .as_str()
                    .unwrap()
                    .strip_prefix("#/components/schemas/")
                    .unwrap();
            &doc["components"]["schemas"][target]
        };
        let risk = posted("/api/v1/practices/{practice_id}/risks");
        // No members but those described; an answer that flattens the fields is not held to it.
        assert_eq!(risk["additionalProperties"], false);
        assert!(doc["components"]["schemas"]["RiskInput"]["additionalProperties"].is_null());
        // `{}` is no longer a valid risk: the required fields are named.
        let required: Vec<&str> = risk["required"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(required, RiskInput::REQUIRED);
        assert_eq!(risk["properties"]["title"]["minLength"], 1);
        assert_eq!(
            risk["properties"]["category"]["enum"],
            json!(["people", "process", "technology", "supplier", "physical"])
        );
        assert_eq!(risk["properties"]["raised_on"]["pattern"], DATE_PATTERN);
        // A field's own limit where it has one, and never more than the boundary's.
        assert_eq!(risk["properties"]["controls"]["maxLength"], 4000);
        for (name, p) in risk["properties"].as_object().unwrap() {
            if p["type"] == "string" {
                assert!(
                    p["maxLength"].as_u64().unwrap() <= TEXT_MAX as u64,
                    "{name}"
                );
            }
        }
        let asset = posted("/api/v1/practices/{practice_id}/assets");
        assert!(
            asset["properties"]["hosting"]["enum"]
                .as_array()
                .unwrap()
                .contains(&json!(""))
        );
        assert_eq!(asset["properties"]["retain_until"]["pattern"], DATE_PATTERN);
        // Query strings are bounded too.
        let search = doc["paths"]["/api/v1/practices/{practice_id}/assets"]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "search")
            .unwrap();
        assert_eq!(search["schema"]["maxLength"], QUERY_MAX);
        assert_eq!(search["schema"]["pattern"], TEXT_PATTERN);
        // A required text must hold something other than spaces; an optional one may be empty.
        assert_eq!(risk["properties"]["title"]["pattern"], FILLED_PATTERN);
        assert_eq!(risk["properties"]["controls"]["pattern"], TEXT_PATTERN);
        // Pages are read from a cursor the server issued.
        let cursor = doc["paths"]["/api/v1/practices/{practice_id}/assets"]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "cursor")
            .unwrap();
        assert_eq!(cursor["schema"]["pattern"], CURSOR_PATTERN);
    }

    #[test]
    fn the_rules_leave_no_null_where_the_specification_wants_a_value() {
        fn walk(v: &Value, at: &str) {
            match v {
                Value::Object(m) => {
                    for (k, x) in m {
                        assert!(
                            !x.is_null() || k == "default" || k == "example",
                            "null at {at}/{k}"
                        );
                        walk(x, &format!("{at}/{k}"));
                    }
                }
                Value::Array(a) => a.iter().for_each(|x| walk(x, at)),
                _ => {}
            }
        }
        walk(super::document(), "");
    }
}
