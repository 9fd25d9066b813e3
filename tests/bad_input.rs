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
