//! Bad requests get a clear JSON error with a specific code, and the server carries on.

mod common;

use actix_web::http::StatusCode;
use common::*;

#[actix_rt::test]
async fn bad_filters_and_ids_get_specific_400s_and_the_feed_carries_on() {
    let server = TestServer::with_generator(4, 300.0);
    let mut viewer = SseClient::connect(&server.url("/events"), None).await;
    viewer.next_frame().await;
    viewer.next_frame().await;

    let cases: &[(&str, StatusCode, &str, &str)] = &[
        (
            "/events?leagues=mls",
            StatusCode::BAD_REQUEST,
            "bad_request",
            "unknown league `mls`",
        ),
        (
            "/events?types=score,goalz",
            StatusCode::BAD_REQUEST,
            "bad_request",
            "unknown event type `goalz`",
        ),
        (
            "/events?matches=7,x",
            StatusCode::BAD_REQUEST,
            "bad_request",
            "`x` is not a match id",
        ),
        (
            "/api/events?since=abc",
            StatusCode::BAD_REQUEST,
            "bad_request",
            "`abc` is not an event id",
        ),
        (
            "/api/events?wait=soon",
            StatusCode::BAD_REQUEST,
            "bad_request",
            "wait: `soon`",
        ),
        (
            "/api/events?wait=3600",
            StatusCode::BAD_REQUEST,
            "bad_request",
            "from 0 to 60",
        ),
        (
            "/api/events?leagues=nope",
            StatusCode::BAD_REQUEST,
            "bad_request",
            "unknown league `nope`",
        ),
        (
            "/api/matches/abc",
            StatusCode::BAD_REQUEST,
            "bad_request",
            "`abc` is not a match id",
        ),
        (
            "/api/matches/4242",
            StatusCode::NOT_FOUND,
            "not_found",
            "match 4242 does not exist",
        ),
        (
            "/no/such/page",
            StatusCode::NOT_FOUND,
            "not_found",
            "no route for GET /no/such/page",
        ),
    ];
    for (path, status, code, needle) in cases {
        let (got_code, message) = expect_error(&server.url(path), *status).await;
        assert_eq!(&got_code, code, "{path}");
        assert!(
            message.contains(needle),
            "{path}: message {message:?} lacks {needle:?}"
        );
    }

    // The viewer that was connected all along is still served, without a gap.
    let a = viewer.next_event().await.unwrap();
    let b = viewer.next_event().await.unwrap();
    assert_eq!(
        seq_of(b.id.as_deref().unwrap()),
        seq_of(a.id.as_deref().unwrap()) + 1
    );
    let health: serde_json::Value = get_json(&server.url("/healthz")).await;
    assert_eq!(health["status"], "ok");
}

#[actix_rt::test]
async fn empty_filter_parameters_select_everything() {
    let server = TestServer::start(|_| {});
    let mut sse = SseClient::connect(&server.url("/events?leagues=&types=&matches="), None).await;
    assert_eq!(sse.status, StatusCode::OK);
    sse.next_frame().await;
    let snap = snapshot(&sse.next_frame().await.unwrap());
    assert_eq!(snap.state.matches().count(), 12);
}

#[actix_rt::test]
async fn admin_commands_with_duplicate_keys_hidden_characters_or_absurd_kickoffs_are_refused() {
    let server = TestServer::start(|c| {
        with_admins(c);
        c.admin_burst = 1_000;
    });
    let kickoff =
        |years: i64| (chrono::Utc::now() + chrono::Duration::days(365 * years)).to_rfc3339();
    let create = |kickoff: String| {
        serde_json::json!({"type":"match.create","league":"epl","home":"ARS","away":"CHE","kickoff":kickoff})
            .to_string()
    };
    let cases: Vec<(String, StatusCode, &str, &str)> = vec![
        (
            r#"{"type":"news.publish","headline":"Harmless","headline":"Evil"}"#.into(),
            StatusCode::BAD_REQUEST,
            "bad_request",
            "duplicate key `headline`",
        ),
        (
            r#"{"type":"news.publish","headline":"Trusted \u202Eevil"}"#.into(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "headline holds U+202E (a bidirectional override)",
        ),
        (
            r#"{"type":"news.publish","headline":"Fine","body":"a\u0007b"}"#.into(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "body holds U+0007 (a control character)",
        ),
        (
            r#"{"type":"news.publish","headline":"Fine","tags":["x\u2066y"]}"#.into(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "tag holds U+2066",
        ),
        (
            create(kickoff(30)),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "is more than 730 days from now",
        ),
    ];
    for (body, status, code, needle) in cases {
        let (got, reply) = post_command(&server, Some(ALICE), body.clone()).await;
        assert_eq!(got, status, "{body}: {reply}");
        assert_eq!(reply["code"], code, "{body}: {reply}");
        let message = reply["message"].as_str().unwrap();
        assert!(
            message.contains(needle),
            "{body}: {message:?} lacks {needle:?}"
        );
    }

    // Ordinary text, a multi-line body, and next year's fixture still pass.
    let body = r#"{"type":"news.publish","headline":"Late winner – «what a game»","body":"Para one.\n\n\tPara two."}"#;
    let (status, reply) = post_command(&server, Some(ALICE), body).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    let (status, reply) = post_command(&server, Some(ALICE), create(kickoff(1))).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    let news: Vec<serde_json::Value> = all_news(&server.url("")).await;
    assert!(
        !news
            .iter()
            .any(|n| n["headline"] == "Evil" || n["headline"] == "Harmless"),
        "nothing refused was published"
    );
}
