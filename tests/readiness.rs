//! `/readyz`: ready while the hub answers, the store takes writes and the server is not shutting
//! down; 503 naming what fails otherwise (a database that is down, a shutdown under way), and
//! ready again once it is over. `/healthz` (liveness) stays 200 throughout.

mod common;

use std::time::Duration;

use actix_web::http::StatusCode;
use common::postgres::{self, PgServer};
use common::process::post_command_to;
use common::*;
use serde_json::{Value, json};

async fn readyz(server: &TestServer) -> (StatusCode, Value) {
    let (status, body) = get(&server.url("/readyz")).await;
    (status, serde_json::from_slice(&body).expect("JSON body"))
}

#[actix_rt::test]
async fn a_node_is_ready_until_its_shutdown_begins_then_answers_503_while_it_drains() {
    let server = TestServer::start(|c| c.drain_secs = 60);
    let (status, body) = readyz(&server).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({"ready":true,"checks":{"hub":"ok","store":"ok","shutdown":"ok"}})
    );
    let head = client().head(server.url("/readyz")).send().await.unwrap();
    assert_eq!(head.status(), StatusCode::OK, "HEAD answers too");

    let stopper = server.stopper();
    actix_rt::spawn(async move { stopper.shut_down().await });
    eventually(
        "readiness is withdrawn",
        Duration::from_secs(10),
        || async { readyz(&server).await.0 == StatusCode::SERVICE_UNAVAILABLE },
    )
    .await;
    let (_, body) = readyz(&server).await;
    assert_eq!(
        body,
        json!({"ready":false,"checks":{"hub":"ok","store":"ok","shutdown":"shutting down"}})
    );
    let (status, _) = get(&server.url("/healthz")).await;
    assert_eq!(status, StatusCode::OK, "still alive while draining");
}

#[actix_rt::test]
async fn a_node_is_unready_while_its_database_is_down_and_ready_again_once_it_is_back() {
    let pg = PgServer::start();
    let url = pg.fresh_database().await;
    let node = postgres::cluster_node(&url);
    let command = || {
        let url = node.url("/api/admin/commands");
        async move {
            let body = json!({"type": "news.publish", "headline": "readiness", "tags": ["epl"]});
            post_command_to(&url, body).await.0
        }
    };
    assert_eq!(command().await, StatusCode::OK);
    assert_eq!(readyz(&node).await.0, StatusCode::OK);

    pg.crash();
    eventually(
        "unready while writes fail",
        Duration::from_secs(30),
        || async {
            let refused = command().await;
            assert_ne!(
                refused,
                StatusCode::OK,
                "no write is taken with the database down"
            );
            readyz(&node).await.0 == StatusCode::SERVICE_UNAVAILABLE
        },
    )
    .await;
    let (_, body) = readyz(&node).await;
    assert_eq!(body["ready"], false);
    assert_eq!(body["checks"]["hub"], "ok");
    assert_eq!(body["checks"]["shutdown"], "ok");
    let store = body["checks"]["store"].as_str().unwrap();
    assert!(store.starts_with("writes are "), "says what fails: {store}");
    let (status, _) = get(&node.url("/healthz")).await;
    assert_eq!(status, StatusCode::OK, "alive all the same");

    pg.restart();
    eventually("ready again", Duration::from_secs(30), || async {
        command().await == StatusCode::OK && readyz(&node).await.0 == StatusCode::OK
    })
    .await;
    let (_, body) = readyz(&node).await;
    assert_eq!(
        body,
        json!({"ready":true,"checks":{"hub":"ok","store":"ok","shutdown":"ok"}})
    );
}
