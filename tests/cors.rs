//! CORS: pages from the origins of `--cors-origins` may read the feed (`/events`, `/api/*`) and
//! resume it with `Last-Event-ID`; other origins get no CORS headers; the admin commands answer
//! only `--allowed-origins`; without either list nothing changes.

mod common;

use actix_web::http::StatusCode;
use actix_web::http::header::HeaderMap;
use common::{ALICE, SseClient, TestServer, client, with_admins};

const FAN: &str = "https://fans.example";
const CONSOLE: &str = "https://console.example";
const EVIL: &str = "https://evil.example";

fn acao(headers: &HeaderMap) -> Option<&str> {
    headers
        .get("access-control-allow-origin")
        .and_then(|v| v.to_str().ok())
}

/// GET `path` with `Origin: origin`: status and headers.
async fn get_from(server: &TestServer, path: &str, origin: &str) -> (StatusCode, HeaderMap) {
    let mut resp = client()
        .get(server.url(path))
        .insert_header(("Origin", origin))
        .send()
        .await
        .expect("request succeeds");
    let _ = resp.body().await;
    (resp.status(), resp.headers().clone())
}

/// A browser's preflight: `OPTIONS path` from `origin` for `method` with `headers`.
async fn preflight(
    server: &TestServer,
    path: &str,
    origin: &str,
    method: &str,
    headers: &str,
) -> (StatusCode, HeaderMap, String) {
    let mut resp = client()
        .request(actix_web::http::Method::OPTIONS, server.url(path))
        .insert_header(("Origin", origin))
        .insert_header(("Access-Control-Request-Method", method))
        .insert_header(("Access-Control-Request-Headers", headers))
        .send()
        .await
        .expect("request succeeds");
    let body = resp.body().await.unwrap();
    (
        resp.status(),
        resp.headers().clone(),
        String::from_utf8_lossy(&body).into_owned(),
    )
}

fn cors_server() -> TestServer {
    TestServer::start(|c| {
        with_admins(c);
        c.cors_origins = vec![FAN.into()];
        c.allowed_origins = vec![CONSOLE.into()];
    })
}

#[actix_rt::test]
async fn a_listed_origin_reads_the_feed_and_may_resume_with_last_event_id() {
    let server = cors_server();
    for path in ["/api/snapshot", "/api/matches", "/api/news"] {
        let (status, headers) = get_from(&server, path, FAN).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(acao(&headers), Some(FAN), "{path}");
        assert!(
            headers.get_all("vary").any(|v| v
                .to_str()
                .unwrap()
                .to_ascii_lowercase()
                .contains("origin")),
            "{path}: caches must key on Origin"
        );
    }

    let (status, headers, _) = preflight(&server, "/events", FAN, "GET", "last-event-id").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(acao(&headers), Some(FAN));
    let allowed = headers
        .get("access-control-allow-headers")
        .expect("allowed headers")
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(allowed.contains("last-event-id"), "{allowed}");
    assert!(headers.contains_key("access-control-max-age"));

    // The stream itself carries the header, and streams.
    let request = client()
        .get(server.url("/events"))
        .insert_header(("Origin", FAN))
        .insert_header(("Last-Event-ID", "nonsense.1"));
    let mut sse = SseClient::send(request).await;
    assert_eq!(sse.status, StatusCode::OK);
    assert_eq!(sse.header("access-control-allow-origin"), Some(FAN));
    assert!(sse.next_event().await.is_some());
}

#[actix_rt::test]
async fn an_unlisted_origin_gets_no_cors_headers_and_a_json_refusal_of_its_preflight() {
    let server = cors_server();
    let (status, headers) = get_from(&server, "/api/snapshot", EVIL).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "served as before; the browser withholds it"
    );
    assert_eq!(acao(&headers), None);

    let (status, headers, body) = preflight(&server, "/events", EVIL, "GET", "last-event-id").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(acao(&headers), None);
    let body: serde_json::Value = serde_json::from_str(&body).expect("a JSON error");
    assert_eq!(body["error"]["code"], "cors_refused");

    // Pages and metrics are for the server's own origin only, whatever the list says.
    for path in ["/", "/metrics"] {
        let (_, headers) = get_from(&server, path, FAN).await;
        assert_eq!(acao(&headers), None, "{path}");
    }
}

#[actix_rt::test]
async fn cors_origins_do_not_open_the_admin_commands_but_allowed_origins_do() {
    let server = cors_server();
    let path = "/api/admin/commands";
    let asked = "authorization, content-type";

    let (status, headers, _) = preflight(&server, path, FAN, "POST", asked).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(acao(&headers), None, "--cors-origins must not open admin");

    let (status, headers, _) = preflight(&server, path, CONSOLE, "POST", asked).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(acao(&headers), Some(CONSOLE));

    for (origin, expected) in [(FAN, None), (CONSOLE, Some(CONSOLE))] {
        let mut resp = client()
            .post(server.url(path))
            .insert_header(("Origin", origin))
            .insert_header(("Authorization", format!("Bearer {ALICE}")))
            .send_body(r#"{"type":"news.publish","headline":"Cross-site"}"#)
            .await
            .unwrap();
        let _ = resp.body().await;
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(acao(resp.headers()), expected, "{origin}");
    }
}

#[actix_rt::test]
async fn a_percent_escaped_admin_path_is_judged_as_the_admin_path_it_routes_to() {
    let server = cors_server();
    for path in ["/api/%61dmin/commands", "/api/%61%64%6D%69%6E/commands"] {
        let asked = "authorization, content-type";
        let (status, headers, _) = preflight(&server, path, FAN, "POST", asked).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}");
        assert_eq!(
            acao(&headers),
            None,
            "{path}: --cors-origins must not open admin"
        );
        let mut resp = client()
            .post(server.url(path))
            .insert_header(("Origin", FAN))
            .insert_header(("Authorization", format!("Bearer {ALICE}")))
            .send_body(r#"{"type":"news.publish","headline":"Escaped"}"#)
            .await
            .unwrap();
        let _ = resp.body().await;
        assert_eq!(resp.status(), StatusCode::OK, "{path} is the admin route");
        assert_eq!(acao(resp.headers()), None, "{path}");
    }
    let (_, headers) = get_from(&server, "/api/%73napshot", FAN).await;
    assert_eq!(
        acao(&headers),
        Some(FAN),
        "an escaped viewer path is still a viewer path"
    );
}

#[actix_rt::test]
async fn a_star_lets_any_origin_read_the_feed_but_not_the_admin_commands() {
    let server = TestServer::start(|c| c.cors_origins = vec!["*".into()]);
    let (_, headers) = get_from(&server, "/api/snapshot", EVIL).await;
    assert_eq!(acao(&headers), Some(EVIL));
    let (_, headers, _) = preflight(
        &server,
        "/api/admin/commands",
        EVIL,
        "POST",
        "authorization",
    )
    .await;
    assert_eq!(acao(&headers), None);
}

#[actix_rt::test]
async fn without_cors_origins_nothing_changes_and_options_still_says_what_a_path_allows() {
    let server = TestServer::start(|_| {});
    let (status, headers) = get_from(&server, "/api/snapshot", FAN).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(acao(&headers), None);
    let (_, headers, _) = preflight(&server, "/events", FAN, "GET", "last-event-id").await;
    assert_eq!(acao(&headers), None);

    // A plain OPTIONS (no preflight) is answered by the routes, with or without CORS.
    for server in [server, cors_server()] {
        let resp = client()
            .request(actix_web::http::Method::OPTIONS, server.url("/events"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::NO_CONTENT);
        assert_eq!(resp.headers().get("allow").unwrap(), "GET, HEAD, OPTIONS");
    }
}

#[actix_rt::test]
async fn the_viewer_websocket_opens_from_a_listed_origin() {
    let server = cors_server();
    let url = server.url("/ws/feed").replace("http://", "ws://");
    let (resp, _conn) = client()
        .ws(&url)
        .origin(FAN)
        .connect()
        .await
        .expect("the viewer WebSocket opens from a listed origin");
    assert_eq!(resp.status(), StatusCode::SWITCHING_PROTOCOLS);
}
