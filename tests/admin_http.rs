//! `POST /api/admin/commands`: the same commands and replies as the WebSocket, with fitting HTTP
//! statuses; and the `livescore admin` command-line client against a real server.

mod common;

use actix_web::http::StatusCode;
use common::*;
use serde_json::json;

#[actix_rt::test]
async fn each_outcome_has_its_status_and_the_protocol_body() {
    let server = TestServer::start(|c| {
        with_admins(c);
        c.max_body_bytes = 4096;
        c.admin_burst = 8;
        c.admin_rate = 0.01;
    });
    let mut viewer = SseClient::connect(&server.url("/events"), None).await;
    viewer.next_frame().await;
    viewer.next_frame().await;
    let post = |token: Option<&'static str>, body: serde_json::Value| {
        let server = &server;
        async move { post_command(server, token, body.to_string()).await }
    };

    let (status, body) = post(
        Some(ALICE),
        json!({"type":"match.status","id":"k","match_id":5,"status":"live"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (body["type"].as_str(), body["id"].as_str()),
        (Some("ack"), Some("k"))
    );
    let version = body["version"].as_u64().unwrap();
    // The change reached the SSE viewer.
    let frame = viewer.next_event().await.unwrap();
    assert_eq!(frame.event.as_deref(), Some("status"));
    assert_eq!(
        seq_of(frame.id.as_deref().unwrap()),
        body["seq"].as_u64().unwrap() - 1
    );

    let (status, body) = post(None, json!({"type":"news.publish","headline":"x"})).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthorized"))
    );
    let (status, _) = post(
        Some("not-a-real-token"),
        json!({"type":"news.publish","headline":"x"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let (status, body) = post(Some(ALICE), json!({"type":"score.set","match_id":5})).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_request"))
    );
    let (status, body) = post_command(&server, Some(ALICE), "{oops").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_request"))
    );
    let (status, body) = post(
        Some(ALICE),
        json!({"type":"score.set","match_id":77,"home":1,"away":0}),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    let (status, body) = post(Some(ALICE), json!({"type":"score.set","id":"c","match_id":5,"home":1,"away":0,"expected_version":version + 5})).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("conflict"))
    );
    assert_eq!(body["current_version"].as_u64(), Some(version));
    assert_eq!(body["id"], "c");
    let (status, body) = post(
        Some(ALICE),
        json!({"type":"score.set","match_id":5,"home":-4,"away":0}),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid"))
    );
    let big = json!({"type":"news.publish","headline":"y".repeat(5000)});
    let (status, body) = post(Some(ALICE), big).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("too_large"))
    );

    // The bucket holds 8; the 4 commands that were parsed above used one each (requests refused
    // before parsing cost nothing). 4 more pass, then 429 with Retry-After.
    let mut accepted = 0;
    let mut resp = loop {
        let resp = client()
            .post(server.url("/api/admin/commands"))
            .insert_header(("Authorization", format!("Bearer {ALICE}")))
            .send_body(json!({"type":"news.publish","headline":"again"}).to_string())
            .await
            .unwrap();
        if resp.status() != StatusCode::OK || accepted == 10 {
            break resp;
        }
        accepted += 1;
    };
    assert_eq!(accepted, 4);
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(resp.headers().get("retry-after").is_some());
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["code"], "rate_limited");
    // Bob has a bucket of his own.
    let (status, _) = post(Some(BOB), json!({"type":"news.publish","headline":"bob"})).await;
    assert_eq!(status, StatusCode::OK);
}

#[actix_rt::test]
async fn the_cli_sends_commands_and_prints_each_reply() {
    let server = TestServer::start(with_admins);
    let url = format!("ws://{}/ws/admin", server.addr);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_livescore"))
        .args(["admin", "--url", &url])
        .env("LIVESCORE_TOKEN", BOB)
        .arg(r#"{"type":"match.status","match_id":9,"status":"live"}"#)
        .arg(r#"{"type":"incident.add","match_id":9,"kind":"points","team":"home","points":3}"#)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert!(lines.iter().all(|l| l["type"] == "ack"));
    let game: serde_json::Value = get_json(&server.url("/api/matches/9")).await;
    assert_eq!(game["score"]["home"], 3);

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_livescore"))
        .args(["admin", "--url", &url])
        .env("LIVESCORE_TOKEN", "wrong-token-123")
        .arg(r#"{"type":"news.retract","news_id":1}"#)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("4001: unauthorized: unknown token"),
        "{stderr}"
    );
}
