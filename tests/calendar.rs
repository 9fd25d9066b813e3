//! The calendar: the feed's day, the live window, and the archive behind it, on every store
//! (memory, SQLite, PostgreSQL). Matches and news that leave the live state arrive at viewers as
//! one `archived` event and stay browsable by day and by news cursor.

mod common;

use std::time::Duration;

use actix_web::http::StatusCode;
use chrono::{Days, NaiveDate, Utc};
use common::postgres::{cluster_node, shared};
use common::*;
use serde_json::{Value, json};

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

async fn command(server: &TestServer, body: Value) -> Value {
    let (status, reply) = post_command(server, Some(ALICE), body.to_string()).await;
    assert_eq!(status, StatusCode::OK, "{body} -> {reply}");
    reply
}

async fn snapshot_of(server: &TestServer) -> Value {
    get_json(&server.url("/api/snapshot")).await
}

/// Wait until the hub has rolled the feed to the real day (it does so at start-up).
async fn rolled_to_today(server: &TestServer) {
    eventually(
        "the feed's day is today",
        Duration::from_secs(10),
        || async { snapshot_of(server).await["calendar"]["today"] == json!(today().to_string()) },
    )
    .await;
}

/// Play match `id` to full time with a goal for the home side.
async fn play_to_final(server: &TestServer, id: u64) {
    let status = |s: &str| json!({"type":"match.status","match_id":id,"status":s});
    command(server, status("live")).await;
    command(
        server,
        json!({"type":"incident.add","match_id":id,"kind":"goal","team":"home","player":"unknown"}),
    )
    .await;
    for s in ["halftime", "live", "final"] {
        command(server, status(s)).await;
    }
}

fn ids(list: &Value) -> Vec<u64> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|item| item["id"].as_u64().unwrap())
        .collect()
}

/// The scenario every store must pass: a finished match leaves the live state on the day roll
/// that takes its day out of the window, viewers are told with one `archived` event, and the
/// match stays browsable by day and by id, exactly as it ended.
async fn a_roll_archives_and_the_archive_serves(server: &TestServer) {
    rolled_to_today(server).await;
    let before = snapshot_of(server).await;
    let todays = ids(&before["matches"]);
    assert!(todays.contains(&1), "{todays:?}");
    play_to_final(server, 1).await;
    let ended: Value = get_json(&server.url("/api/matches/1")).await;
    assert_eq!(ended["status"], "final");

    let mut viewer = SseClient::connect(&server.url("/events"), None).await;
    let first = viewer.next_event().await.unwrap();
    assert_eq!(first.event.as_deref(), Some("snapshot"));
    let last_id = first.id.clone().unwrap();

    let two_days_on = today().checked_add_days(Days::new(2)).unwrap();
    command(
        server,
        json!({"type":"calendar.roll","today": two_days_on.to_string()}),
    )
    .await;
    let archived = viewer.next_event().await.unwrap();
    assert_eq!(archived.event.as_deref(), Some("archived"));
    let body: Value = serde_json::from_str(archived.data.as_deref().unwrap()).unwrap();
    assert_eq!(body["today"], json!(two_days_on.to_string()));
    let gone = ids(&json!(
        body["matches"]
            .as_array()
            .unwrap()
            .iter()
            .map(|id| json!({"id": id}))
            .collect::<Vec<_>>()
    ));
    assert!(gone.contains(&1), "{body}");

    // The live state no longer carries it; the day and the match are still there to browse.
    let after = snapshot_of(server).await;
    assert_eq!(after["calendar"]["today"], json!(two_days_on.to_string()));
    assert!(!ids(&after["matches"]).contains(&1));
    let day: Value = get_json(&server.url(&format!("/api/matches?date={}", today()))).await;
    let listed = ids(&day);
    for id in &todays {
        assert!(
            listed.contains(id),
            "match {id} of today is listed: {listed:?}"
        );
    }
    let one: Value = get_json(&server.url("/api/matches/1")).await;
    assert_eq!(one, ended, "the archive serves the match as it ended");
    let from_list = day
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == 1)
        .unwrap();
    assert_eq!(from_list, &ended);

    // The archived event is an event like any other: a long-poll from before it carries it.
    let polled: Value = get_json(&server.url(&format!("/api/events?since={last_id}&wait=0"))).await;
    assert!(
        polled
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["type"] == "archived"),
        "{polled}"
    );
}

#[actix_web::test]
async fn in_memory_a_roll_archives_and_the_archive_serves() {
    let server = TestServer::start(with_admins);
    a_roll_archives_and_the_archive_serves(&server).await;
}

#[actix_web::test]
async fn with_sqlite_a_roll_archives_and_the_archive_serves_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_owned();
    let on_disk = move |c: &mut livescore::config::Config| {
        with_admins(c);
        c.in_memory = false;
        c.data_dir = path.clone();
    };
    let server = TestServer::start(on_disk.clone());
    a_roll_archives_and_the_archive_serves(&server).await;
    let day_url = format!("/api/matches?date={}", today());
    let day: Value = get_json(&server.url(&day_url)).await;
    server.stopper().shut_down().await;
    drop(server);

    let server = TestServer::start(on_disk);
    let again: Value = get_json(&server.url(&day_url)).await;
    assert_eq!(again, day, "the archive survives a restart");
    assert!(!ids(&snapshot_of(&server).await["matches"]).contains(&1));
}

#[actix_web::test]
async fn in_a_cluster_a_roll_archives_and_every_node_serves_the_archive() {
    let pg = shared();
    let url = pg.fresh_database().await;
    let a = cluster_node(&url);
    let b = cluster_node(&url);
    a_roll_archives_and_the_archive_serves(&a).await;
    let day_url = format!("/api/matches?date={}", today());
    let on_a: Value = get_json(&a.url(&day_url)).await;
    eventually("node b has the roll", Duration::from_secs(10), || async {
        !ids(&snapshot_of(&b).await["matches"]).contains(&1)
    })
    .await;
    let on_b: Value = get_json(&b.url(&day_url)).await;
    assert_eq!(on_a, on_b);
    let one: Value = get_json(&b.url("/api/matches/1")).await;
    assert_eq!(one["status"], "final");
}

/// Every news id through the cursor, page by page, checking the `Link` header on full pages.
async fn all_news_by_cursor(server: &TestServer, limit: usize, extra: &str) -> Vec<u64> {
    let mut seen = Vec::new();
    let mut next = format!("/api/news?limit={limit}{extra}");
    loop {
        let mut resp = client().get(server.url(&next)).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let link = resp
            .headers()
            .get("link")
            .map(|v| v.to_str().unwrap().to_owned());
        let page: Value = serde_json::from_slice(&resp.body().await.unwrap()).unwrap();
        let page = ids(&page);
        assert!(page.len() <= limit);
        seen.extend(&page);
        if page.len() < limit {
            assert!(link.is_none(), "no next page after a short one");
            return seen;
        }
        let link = link.expect("a full page links the next");
        next = link
            .trim_start_matches('<')
            .split('>')
            .next()
            .unwrap()
            .to_owned();
        assert!(next.contains(&format!("before={}", page.last().unwrap())));
    }
}

async fn news_pages_cover_live_and_archived_news(server: &TestServer) {
    rolled_to_today(server).await;
    let fixture_news = all_news_by_cursor(server, 100, "").await.len() as u64;
    for i in 0..30 {
        command(
            server,
            json!({"type":"news.publish","headline": format!("Story {i}"),"match_id": if i % 3 == 0 { json!(2) } else { json!(null) }}),
        )
        .await;
    }
    let mut live = ids(&snapshot_of(server).await["news"]);
    live.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(live.len(), 5, "the live state keeps --live-news items");
    let all = all_news_by_cursor(server, 7, "").await;
    assert_eq!(all.len() as u64, fixture_news + 30);
    let mut sorted = all.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    sorted.dedup();
    assert_eq!(all, sorted, "newest first, each once");
    assert_eq!(&all[..5], &live[..], "the newest are the live ones");
    let tagged = all_news_by_cursor(server, 4, "&match=2").await;
    assert!(tagged.len() >= 10, "{tagged:?}");
    for id in tagged {
        let page: Value =
            get_json(&server.url(&format!("/api/news?before={}&limit=1", id + 1))).await;
        assert_eq!(page[0]["match_id"], 2);
    }
}

#[actix_web::test]
async fn in_memory_news_pages_cover_live_and_archived_news() {
    let server = TestServer::start(|c| {
        with_admins(c);
        c.live_news = 5;
        c.admin_rate = 1e6;
        c.admin_burst = 1_000_000;
    });
    news_pages_cover_live_and_archived_news(&server).await;
}

#[actix_web::test]
async fn with_sqlite_news_pages_cover_live_and_archived_news() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_owned();
    let server = TestServer::start(move |c| {
        with_admins(c);
        c.in_memory = false;
        c.data_dir = path;
        c.live_news = 5;
        c.admin_rate = 1e6;
        c.admin_burst = 1_000_000;
    });
    news_pages_cover_live_and_archived_news(&server).await;
}

#[actix_web::test]
async fn the_memory_archive_stays_within_its_bound() {
    let server = TestServer::start(|c| {
        with_admins(c);
        c.live_news = 1;
        c.archive_memory_mb = 1;
        c.admin_rate = 1e6;
        c.admin_burst = 1_000_000;
    });
    let body = "x".repeat(9_000);
    for i in 0..300 {
        command(
            &server,
            json!({"type":"news.publish","headline": format!("Long read {i}"),"body": body}),
        )
        .await;
    }
    let all = all_news_by_cursor(&server, 100, "").await;
    // 300 items of ~9 KB are ~2.7 MB; a 1 MiB archive keeps about a hundred of the newest.
    assert!(all.len() < 150, "{} items kept", all.len());
    assert!(all.len() > 50, "{} items kept", all.len());
    let newest: Value = get_json(&server.url("/api/news?limit=1")).await;
    assert_eq!(newest[0]["headline"], "Long read 299");
}

#[actix_web::test]
async fn bad_dates_cursors_and_limits_get_clear_400s() {
    let server = TestServer::start(with_admins);
    for (query, says) in [
        (
            "/api/matches?date=2026-13-01",
            "date: `2026-13-01` is not a day",
        ),
        ("/api/matches?date=yesterday", "expected YYYY-MM-DD"),
        ("/api/matches?from=2026-11-10&to=2026-11-01", "is after to"),
        (
            "/api/matches?from=2026-01-01&to=2026-03-01",
            "more than 31 days",
        ),
        ("/api/matches?date=2026-11-01&from=2026-11-01", "not both"),
        (
            "/api/news?limit=0",
            "limit: `0` is not a number from 1 to 100",
        ),
        ("/api/news?limit=101", "from 1 to 100"),
        ("/api/news?before=abc", "before"),
        ("/api/news?match=x", "match: `x` is not a match id"),
    ] {
        let (code, message) = expect_error(&server.url(query), StatusCode::BAD_REQUEST).await;
        assert_eq!(code, "bad_request", "{query}");
        assert!(message.contains(says), "{query}: {message}");
    }
    let (code, _) = expect_error(&server.url("/api/matches/4242"), StatusCode::NOT_FOUND).await;
    assert_eq!(code, "not_found");
    // A roll far past the feed's day is refused, and names the limit.
    let far = today().checked_add_days(Days::new(400)).unwrap();
    let (status, reply) = post_command(
        &server,
        Some(ALICE),
        json!({"type":"calendar.roll","today": far.to_string()}).to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{reply}");
    assert!(reply.to_string().contains("31 days"), "{reply}");
    // A date one day wide still answers (nothing that day).
    let empty: Value = get_json(&server.url("/api/matches?date=2001-01-01")).await;
    assert_eq!(empty, json!([]));
}
