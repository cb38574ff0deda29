//! The JSON API under `/api/v1`, described by an OpenAPI 3.1 document generated from this code
//! (utoipa) and served at `/api/v1/openapi.json`, with a readable page at `/api/docs`.
//!
//! Errors are RFC 9457 problem documents (see `error.rs`). Lists are cursor-paged.

use askama::Template;
use axum::Json;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use custodian_domain::{
    NewPractice, PageRequest, Permission, PersonId, Practice, PracticeMember, PracticeRole,
    ProviderRole,
};
use custodian_store::Outcome;
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
    components(schemas(Problem, Me, MembershipOut, PracticePage, PeoplePage, Practice, NewPractice, PracticeMember)),
    modifiers(&SessionAuth),
    security(("session" = []), ("token" = [])),
    tags((name = "practices", description = "The practices the provider serves"), (name = "people", description = "Staff of a practice"),
         (name = "sign-in", description = "Sessions: sign in, the authenticator code, sign out"),
         (name = "me", description = "Your own password, security questions, two-factor authentication and API tokens"),
         (name = "access", description = "The User Authorisation Process: starters, movers, leavers, identity checks, administrators"),
         (name = "audit", description = "The tamper-evident audit trail: events, proofs, checkpoints, exports"),
         (name = "assets", description = "The information asset register: assets, data flows, who has access and why"))
)]
pub struct ApiDoc;

/// The whole OpenAPI document: every part of the API merged.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    for api in crate::CAPABILITIES.iter().filter_map(|c| c.api) {
        doc.merge(api());
    }
    // Security schemes are declared once, on the main document.
    describe_errors(&mut doc);
    doc
}

/// Every error is a problem document (`application/problem+json`), and every error status that
/// the shared layers can answer is documented where it can occur, so a generated client knows
/// them all: 401 and 403 wherever a session is needed (signed out; no permission, or a sign-in
/// stage still to finish), 404 under a practice or an id, and on every request body 413 (too
/// large), 415 (not JSON) and 422 (a field fails its rule: control characters, length, the
/// register's own checks). One rule here rather than a line on each of a hundred handlers.
fn describe_errors(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
    let problem = |description: &str| {
        RefOr::T(
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/problem+json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("Problem")))
                        .build(),
                )
                .build(),
        )
    };
    for (path, item) in doc.paths.paths.iter_mut() {
        for op in [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ]
        .into_iter()
        .flatten()
        {
            let public = op.security.as_ref().is_some_and(|s| {
                s.iter()
                    .any(|r| serde_json::to_value(r).is_ok_and(|v| v == serde_json::json!({})))
            });
            let mut add = |status: &str, description: &str| {
                op.responses
                    .responses
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
            let has_query = op.parameters.as_ref().is_some_and(|ps| {
                ps.iter()
                    .any(|p| matches!(p.parameter_in, utoipa::openapi::path::ParameterIn::Query))
            });
            if has_query {
                add("400", "The query string cannot be read");
                add(
                    "422",
                    "A query parameter fails its rule; each is named in `errors`",
                );
            }
            if path.contains('{') {
                add("404", "Nothing at this address that you may see");
            }
            if op.request_body.is_some() {
                add(
                    "400",
                    "The body cannot be read as the content type described",
                );
                add("413", "The request body is larger than the server accepts");
                add("415", "The body is not of the content type described");
                add("422", "A field fails its rule; each is named in `errors`");
            }
            for (status, response) in op.responses.responses.iter_mut() {
                if let (true, RefOr::T(r)) = (status.as_str() >= "400", response)
                    && let Some(c) = r.content.shift_remove("application/json")
                {
                    r.content.insert("application/problem+json".to_string(), c);
                }
            }
        }
    }
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
        .post("/api/v1/practices", SignedIn, create_practice)
        .get("/api/v1/practices/{practice_id}", Practice, get_practice)
        .get(
            "/api/v1/practices/{practice_id}/people",
            Practice,
            list_people,
        )
        .get(
            "/api/v1/practices/{practice_id}/people/{person_id}",
            Practice,
            get_person,
        );
}

async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(document())
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

#[utoipa::path(post, path = "/api/v1/practices", tag = "practices", summary = "Add a practice",
    description = "Provider administrators only. The ODS code must be unique.",
    request_body = NewPractice,
    responses((status = 201, body = Practice), (status = 400, body = Problem), (status = 403, body = Problem),
              (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_practice(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
    Json(body): Json<NewPractice>,
) -> Result<Response, HttpError> {
    if !user.provider_access().can(Permission::ProviderManage) {
        let event = meta
            .event(
                None,
                "practice.create",
                "permission",
                Some("provider_manage".into()),
            )
            .outcome(Outcome::Denied);
        state.store.append_event(&event).await?;
        return Err(AppError::Forbidden.into());
    }
    let valid = body.validate()?;
    let practice = state.store.create_practice(&valid, &meta).await?;
    Ok((axum::http::StatusCode::CREATED, Json(practice)).into_response())
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
    let mut operations = Vec::new();
    for (path, item) in &doc.paths.paths {
        let ops = [
            ("GET", &item.get),
            ("POST", &item.post),
            ("PUT", &item.put),
            ("PATCH", &item.patch),
            ("DELETE", &item.delete),
        ];
        for (method, op) in ops {
            let Some(op) = op else { continue };
            operations.push(OperationDoc {
                method,
                path: path.clone(),
                summary: op.summary.clone().unwrap_or_default(),
                description: op.description.clone().unwrap_or_default(),
                parameters: op
                    .parameters
                    .iter()
                    .flatten()
                    .map(|p| ParamDoc {
                        name: p.name.clone(),
                        location: serde_json::to_value(&p.parameter_in)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_string))
                            .unwrap_or_default(),
                        required: if matches!(p.required, utoipa::openapi::Required::True) {
                            "yes"
                        } else {
                            "no"
                        },
                        description: p.description.clone().unwrap_or_default(),
                    })
                    .collect(),
                responses: op
                    .responses
                    .responses
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
    }
    let schemas = doc
        .components
        .as_ref()
        .map(|c| {
            c.schemas
                .iter()
                .map(|(name, s)| SchemaDoc {
                    name: name.clone(),
                    json: serde_json::to_string_pretty(s).unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default();
    let layout = match &user {
        Some(u) => Layout::new(u, None, "/api/docs"),
        None => Layout::anonymous(),
    };
    render(&ApiDocsPage {
        layout,
        title: doc.info.title.clone(),
        version: doc.info.version.clone(),
        operations,
        schemas,
    })
}

#[cfg(test)]
mod tests {

    #[test]
    fn the_openapi_document_is_3_1_and_lists_every_api_route() {
        let doc = serde_json::to_value(super::document()).unwrap();
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
        let doc = serde_json::to_value(super::document()).unwrap();
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
}
