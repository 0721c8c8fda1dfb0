//! The OpenAPI document is generated from the same list as the router, so it cannot drift:
//! every documented operation answers, and no API route is registered any other way.

use crate::common::TestApp;
use crate::on_both;
use evident_core::access::Role;
use reqwest::{Method, StatusCode};
use std::path::Path;

fn operations() -> Vec<(String, String)> {
    let document = serde_json::to_value(evident_web::api::openapi()).unwrap();
    let mut operations = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            operations.push((method.to_uppercase(), path.clone()));
        }
    }
    operations
}

fn api_sources() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/api");
    std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            (
                path.display().to_string(),
                std::fs::read_to_string(&path).unwrap(),
            )
        })
        .collect()
}

#[test]
fn api_routes_are_registered_only_through_the_documented_route_list() {
    for (file, source) in api_sources() {
        for forbidden in [".route(", ".nest(", "Router::new()"] {
            assert!(
                !source.contains(forbidden),
                "{file} registers a route with {forbidden}, bypassing the OpenAPI document"
            );
        }
    }
    let annotated: usize = api_sources()
        .iter()
        .map(|(_, s)| s.matches("#[utoipa::path(").count())
        .sum();
    assert_eq!(
        annotated,
        operations().len(),
        "every #[utoipa::path] handler is one documented operation"
    );
}

on_both!(the_document_is_served_and_every_documented_operation_answers);

async fn the_document_is_served_and_every_documented_operation_answers(app: &TestApp) {
    let mut anonymous = app.anonymous();
    let served = anonymous.get("/api/v1/openapi.json").await;
    served.assert_status(StatusCode::OK);
    let document = served.json();
    assert!(
        document["openapi"].as_str().unwrap().starts_with("3."),
        "{}",
        document["openapi"]
    );
    assert!(document["components"]["securitySchemes"]["bearer"].is_object());
    assert!(document["components"]["schemas"]["ErrorBody"].is_object());

    let mut api = app.api_as(Role::Auditor, "SE").await;
    for (method, template) in operations() {
        let path = template
            .replace("{code}", "03")
            .replace("{id}", "1")
            .replace("{role}", "auditor")
            .replace("{org}", "SE");
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let reply = api
            .send(method.clone(), &path, |r| {
                r.header("content-type", "application/json").body("{}")
            })
            .await;
        assert_ne!(
            reply.status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}"
        );
        if reply.status == StatusCode::NOT_FOUND {
            assert!(
                !reply.body.contains("API route"),
                "{method} {path} is documented but not routed"
            );
        }
    }
}
