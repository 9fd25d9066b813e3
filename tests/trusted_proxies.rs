//! `--trusted-proxies`: behind a proxy it names, the client address in `X-Forwarded-For` is what
//! the per-address viewer cap and the failed-login throttle count; from anyone else the header
//! is ignored, so a client cannot escape either by writing it.

mod common;

use actix_web::http::StatusCode;
use common::*;

/// Open `GET /events` with `X-Forwarded-For: forwarded`; the response (kept open) and its status.
async fn viewer(
    server: &TestServer,
    forwarded: &str,
) -> (StatusCode, awc::ClientResponse<impl Sized>) {
    let response = client()
        .get(server.url("/events"))
        .insert_header(("X-Forwarded-For", forwarded))
        .send()
        .await
        .expect("request succeeds");
    (response.status(), response)
}

/// POST a command with `token` and `X-Forwarded-For: forwarded`; the status.
async fn login(server: &TestServer, forwarded: &str, token: &str) -> StatusCode {
    client()
        .post(server.url("/api/admin/commands"))
        .insert_header(("X-Forwarded-For", forwarded))
        .insert_header(("Authorization", format!("Bearer {token}")))
        .send_body(r#"{"type":"news.publish","headline":"From behind the proxy"}"#)
        .await
        .expect("request succeeds")
        .status()
}

#[actix_rt::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_viewer_slots() {
    let server = TestServer::start(|c| {
        c.max_viewers_per_ip = 1;
        c.trusted_proxies = vec![livescore::config::parse_trusted("127.0.0.1").unwrap()];
    });
    let (status, _first) = viewer(&server, "198.51.100.1").await;
    assert_eq!(status, StatusCode::OK);
    let (status, _second) = viewer(&server, "198.51.100.2").await;
    assert_eq!(status, StatusCode::OK, "another client behind the proxy");
    let (status, _) = viewer(&server, "198.51.100.1").await;
    assert_eq!(
        status,
        StatusCode::SERVICE_UNAVAILABLE,
        "the same client again"
    );
    // The client may write the header's first entries itself; the rightmost untrusted one is the
    // address our proxy saw, and that is the one counted.
    let (status, _) = viewer(&server, "203.0.113.50, 198.51.100.1").await;
    assert_eq!(
        status,
        StatusCode::SERVICE_UNAVAILABLE,
        "a forged left entry"
    );
    assert_eq!(metric(&server, "viewers_refused_address_total").await, 2.0);
}

#[actix_rt::test]
async fn forwarded_ipv6_clients_are_counted_by_their_64() {
    let server = TestServer::start(|c| {
        c.max_viewers_per_ip = 1;
        c.trusted_proxies = vec![livescore::config::parse_trusted("127.0.0.1").unwrap()];
    });
    let (status, _first) = viewer(&server, "2001:db8:1:2::1").await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = viewer(&server, "2001:db8:1:2:a:b:c:d").await;
    assert_eq!(
        status,
        StatusCode::SERVICE_UNAVAILABLE,
        "another address in the same /64 is the same client"
    );
    let (status, _other) = viewer(&server, "[2001:db8:1:3::1]:4711").await;
    assert_eq!(status, StatusCode::OK, "the next /64 is another client");
}

#[actix_rt::test]
async fn without_trusted_proxies_a_forged_header_is_ignored() {
    let server = TestServer::start(|c| c.max_viewers_per_ip = 1);
    let (status, _first) = viewer(&server, "198.51.100.1").await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = viewer(&server, "198.51.100.2").await;
    assert_eq!(
        status,
        StatusCode::SERVICE_UNAVAILABLE,
        "the peer address is counted, whatever the header says"
    );
}

#[actix_rt::test]
async fn the_login_throttle_counts_forwarded_clients_only_behind_a_trusted_proxy() {
    let throttled = |trusted: bool| {
        TestServer::start(move |c| {
            with_admins(c);
            c.auth_fail_limit = 1;
            c.auth_backoff_ms = 60_000;
            if trusted {
                c.trusted_proxies = vec![livescore::config::parse_trusted("127.0.0.0/8").unwrap()];
            }
        })
    };
    let server = throttled(true);
    assert_eq!(
        login(&server, "198.51.100.1", "wrong-token-123").await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        login(&server, "198.51.100.1", ALICE).await,
        StatusCode::TOO_MANY_REQUESTS,
        "the client that failed must wait"
    );
    assert_eq!(
        login(&server, "198.51.100.2", ALICE).await,
        StatusCode::OK,
        "another client behind the same proxy is not slowed"
    );

    let server = throttled(false);
    assert_eq!(
        login(&server, "198.51.100.1", "wrong-token-123").await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        login(&server, "198.51.100.2", ALICE).await,
        StatusCode::TOO_MANY_REQUESTS,
        "a forged header does not make a new address"
    );
}
