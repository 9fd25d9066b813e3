//! The SSE feed over real sockets: wire format, headers, resume without gaps, filters, limits.

mod common;

use std::time::Duration;

use actix_web::http::StatusCode;
use common::*;

#[actix_rt::test]
async fn stream_opens_with_retry_then_snapshot_then_numbered_events() {
    let server = TestServer::with_generator(11, 600.0);
    let mut sse = SseClient::connect(&server.url("/events"), None).await;

    assert_eq!(sse.status, StatusCode::OK);
    assert_eq!(sse.header("content-type"), Some("text/event-stream"));
    assert_eq!(sse.header("cache-control"), Some("no-cache"));
    assert_eq!(sse.header("x-accel-buffering"), Some("no"));
    assert_eq!(
        sse.header("content-encoding"),
        None,
        "SSE must never be compressed"
    );

    let first = sse.next_frame().await.unwrap();
    assert_eq!(
        first.retry,
        Some(3000),
        "the first frame is retry:, got {first:?}"
    );
    assert!(first.data.is_none());

    let snap_frame = sse.next_frame().await.unwrap();
    let snap = snapshot(&snap_frame);
    let id = snap_frame.id.clone().unwrap();
    assert_eq!(id, format!("{}.{}", server.stream, snap.seq));
    assert_eq!(snap.id, id);
    assert!(
        snap.state.matches().count() >= 12,
        "the fixtures' matches, and the generator's as it plans the coming days"
    );
    assert_eq!(snap.state.leagues().count(), 4);

    let mut last = snap.seq.0;
    for _ in 0..60 {
        let frame = sse.next_event().await.unwrap();
        let id = frame.id.clone().expect("every event has an id");
        let (stream, seq) = id.rsplit_once('.').unwrap();
        assert_eq!(stream, server.stream);
        let seq: u64 = seq.parse().unwrap();
        assert_eq!(
            seq,
            last + 1,
            "an unfiltered viewer sees every seq in order"
        );
        last = seq;
        let data: serde_json::Value =
            serde_json::from_str(frame.data.as_deref().unwrap()).expect("data is one line of JSON");
        assert_eq!(data["seq"].as_u64(), Some(seq), "data carries the id's seq");
        assert_eq!(data["id"].as_str(), Some(id.as_str()));
        assert_eq!(data["type"].as_str(), frame.event.as_deref());
        let at = data["at"].as_str().expect("at is a string");
        chrono::DateTime::parse_from_rfc3339(at).expect("at is RFC 3339");
        assert!(at.ends_with('Z'), "at is UTC: {at}");
        envelope(&frame);
    }
}

/// One viewer's life in the reconnect test: its filter, the seq of its snapshot, every seq it
/// received after that across all its connections, and the last id it held.
struct ViewerLog {
    query: &'static str,
    start: u64,
    seqs: Vec<u64>,
    last_id: String,
}

async fn churning_viewer(base: String, query: &'static str, seed: u64) -> ViewerLog {
    use rand::prelude::*;
    let mut rng = StdRng::seed_from_u64(seed);
    let mut log = ViewerLog {
        query,
        start: 0,
        seqs: Vec::new(),
        last_id: String::new(),
    };
    for session in 0..4 {
        let resume = (session > 0).then_some(log.last_id.as_str());
        let mut sse = SseClient::connect(&format!("{base}/events{query}"), resume).await;
        assert_eq!(sse.next_frame().await.unwrap().retry, Some(3000));
        if session == 0 {
            let frame = sse.next_frame().await.unwrap();
            log.start = snapshot(&frame).seq.0;
            log.last_id = frame.id.unwrap();
        }
        let until = std::time::Instant::now() + Duration::from_millis(rng.random_range(100..400));
        while std::time::Instant::now() < until {
            let left = until.saturating_duration_since(std::time::Instant::now());
            let Ok(frame) = actix_rt::time::timeout(left, sse.next_event()).await else {
                break;
            };
            let frame = frame.expect("stream stays open");
            assert_ne!(
                frame.event.as_deref(),
                Some("snapshot"),
                "a resuming viewer gets a replay, not a snapshot"
            );
            let id = frame.id.unwrap();
            log.seqs.push(seq_of(&id));
            log.last_id = id;
        }
        sse.close();
        actix_rt::time::sleep(Duration::from_millis(rng.random_range(0..150))).await;
    }
    log
}

#[actix_rt::test]
async fn reconnecting_viewers_see_every_matching_event_exactly_once() {
    let server = TestServer::with_generator(23, 900.0);
    let queries = [
        "",
        "?leagues=nba",
        "?types=score,status",
        "?leagues=epl,laliga&types=incident,score,news",
    ];
    let tasks: Vec<_> = (0..20)
        .map(|i| actix_rt::spawn(churning_viewer(server.url(""), queries[i % 4], i as u64)))
        .collect();
    let mut logs = Vec::new();
    for t in tasks {
        logs.push(t.await.unwrap());
    }
    for log in &logs {
        let mut sorted = log.seqs.clone();
        sorted.dedup();
        assert_eq!(sorted.len(), log.seqs.len(), "{}: duplicate seq", log.query);
        assert!(
            log.seqs.windows(2).all(|w| w[0] < w[1]),
            "{}: out of order",
            log.query
        );
        if log.query.is_empty() {
            let expected: Vec<u64> = (log.start + 1..=log.start + log.seqs.len() as u64).collect();
            assert_eq!(log.seqs, expected, "an unfiltered viewer misses nothing");
        }
        // What the log says this filter selects between the viewer's snapshot and its last event.
        let Some(&last) = log.seqs.last() else {
            continue;
        };
        // Page by page: one long-poll answer holds at most --max-poll-events.
        let mut expected: Vec<u64> = Vec::new();
        let mut since = log.start;
        while since < last {
            let url = format!(
                "/api/events{}{}since={}.{}&wait=0",
                log.query,
                if log.query.is_empty() { "?" } else { "&" },
                server.stream,
                since
            );
            let events: Vec<serde_json::Value> = get_json(&server.url(&url)).await;
            let Some(newest) = events.last().map(|e| e["seq"].as_u64().unwrap()) else {
                break;
            };
            expected.extend(
                events
                    .iter()
                    .map(|e| e["seq"].as_u64().unwrap())
                    .filter(|&s| s <= last),
            );
            since = newest;
        }
        assert_eq!(
            log.seqs, expected,
            "viewer {} saw a gap or an extra",
            log.query
        );
    }
    assert!(
        logs.iter().map(|l| l.seqs.len()).sum::<usize>() > 200,
        "the test saw real traffic"
    );
}

#[actix_rt::test]
async fn league_filter_delivers_only_that_leagues_matches() {
    let server = TestServer::with_generator(5, 3600.0);
    let mut sse =
        SseClient::connect(&server.url("/events?leagues=nba&types=score,match"), None).await;
    sse.next_frame().await;
    let snap = snapshot(&sse.next_frame().await.unwrap());
    let mut nba: std::collections::HashSet<u32> = snap
        .state
        .matches()
        .filter(|m| m.league.as_str() == "nba")
        .map(|m| m.id.0)
        .collect();
    assert!(!nba.is_empty());
    assert!(
        snap.state.matches().all(|m| m.league.as_str() == "nba"),
        "snapshot is filtered too"
    );
    let mut scores = 0;
    while scores < 20 {
        let frame = sse.next_event().await.unwrap();
        let data: serde_json::Value = serde_json::from_str(frame.data.as_deref().unwrap()).unwrap();
        match frame.event.as_deref() {
            // The generator's calendar creates the coming days' matches as it goes.
            Some("match") => {
                assert_eq!(data["match"]["league"], "nba", "{data}");
                nba.insert(data["match"]["id"].as_u64().unwrap() as u32);
                continue;
            }
            // A calendar roll reaches every viewer, so that it drops what left the window.
            Some("archived") => continue,
            other => assert_eq!(other, Some("score")),
        }
        scores += 1;
        let match_id = data["match_id"].as_u64().unwrap() as u32;
        assert!(
            nba.contains(&match_id),
            "match {match_id} is not an NBA match"
        );
    }
}

#[actix_rt::test]
async fn ids_from_another_stream_the_future_or_garbage_get_a_fresh_snapshot() {
    let server = TestServer::start(|_| {});
    let future = format!("{}.999999", server.stream);
    for resume in ["zzzzz.3", future.as_str(), "not-an-id", "12"] {
        let mut sse = SseClient::connect(&server.url("/events"), Some(resume)).await;
        assert_eq!(sse.next_frame().await.unwrap().retry, Some(3000));
        let frame = sse.next_frame().await.unwrap();
        assert_eq!(
            frame.event.as_deref(),
            Some("snapshot"),
            "resume {resume:?}"
        );
    }
    // The query parameter works like the header.
    let url = server.url(&format!("/events?lastEventId={}.0", server.stream));
    let mut sse = SseClient::connect(&url, None).await;
    sse.next_frame().await;
    let next = actix_rt::time::timeout(Duration::from_millis(300), sse.next_frame()).await;
    assert!(
        next.is_err(),
        "resuming at the head replays nothing and sends no snapshot"
    );
}

#[actix_rt::test]
async fn a_viewer_that_never_reads_is_dropped_without_holding_up_the_others() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let server = TestServer::start(|c| {
        with_admins(c);
        c.admin_rate = 10_000.0;
        c.admin_burst = 10_000;
        c.no_generator = false;
        c.seed = Some(3);
        c.speed = 3600.0;
        c.viewer_buffer = 16;
    });
    // The generator keeps a calendar, so its traffic comes and goes: long news items from an
    // admin make sure the stalled viewer's socket buffers fill whatever the time of day.
    let long_story = serde_json::json!({
        "type": "news.publish",
        "headline": "A long read",
        "body": "words ".repeat(1_500),
    })
    .to_string();
    let mut steady = SseClient::connect(&server.url("/events"), None).await;
    steady.next_frame().await;
    let start = snapshot(&steady.next_frame().await.unwrap()).seq.0;

    // A client with a tiny receive window that sends its request and then reads nothing.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut stalled = socket.connect(server.addr).await.unwrap();
    stalled
        .write_all(b"GET /events HTTP/1.1\r\nHost: test\r\nAccept: text/event-stream\r\n\r\n")
        .await
        .unwrap();

    let mut expected = start + 1;
    let deadline = std::time::Instant::now() + Duration::from_secs(90);
    while metric(&server, "viewers_dropped_slow_total").await < 1.0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the stalled viewer was never dropped"
        );
        for _ in 0..20 {
            let (status, reply) = post_command(&server, Some(ALICE), long_story.clone()).await;
            assert_eq!(status, StatusCode::OK, "{reply}");
        }
        for _ in 0..200 {
            let frame = steady
                .next_event()
                .await
                .expect("the steady viewer stays connected");
            assert_eq!(
                seq_of(frame.id.as_deref().unwrap()),
                expected,
                "steady viewer lost an event"
            );
            expected += 1;
        }
    }
    // The steady viewer is still served, in order.
    for _ in 0..50 {
        let frame = steady
            .next_event()
            .await
            .expect("the steady viewer stays connected");
        assert_eq!(seq_of(frame.id.as_deref().unwrap()), expected);
        expected += 1;
    }
    // The stalled viewer's response was ended by the server: its last bytes are the end of the
    // chunked body, so a browser would reconnect with Last-Event-ID.
    let mut received = Vec::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = actix_rt::time::timeout(Duration::from_secs(10), stalled.read(&mut buf))
            .await
            .expect("the dropped viewer's stream ends")
            .unwrap();
        received.extend_from_slice(&buf[..n]);
        if n == 0 || received.ends_with(b"\r\n0\r\n\r\n") {
            break;
        }
    }
    assert!(received.ends_with(b"\r\n0\r\n\r\n"), "stream ended cleanly");
    eprintln!(
        "stalled viewer dropped after {} events, {} bytes read",
        expected - start,
        received.len()
    );
}

#[actix_rt::test]
async fn viewers_that_hang_up_are_pruned_by_the_heartbeat() {
    let server = TestServer::start(|c| c.heartbeat_secs = 1);
    let mut viewers = Vec::new();
    for _ in 0..5 {
        let mut sse = SseClient::connect(&server.url("/events"), None).await;
        sse.next_frame().await;
        viewers.push(sse);
    }
    eventually("5 viewers counted", Duration::from_secs(5), || async {
        metric(&server, "viewers").await == 5.0
    })
    .await;
    // Heartbeats reach live viewers as comments.
    let ping = viewers[0].next_frame().await.unwrap();
    let ping = if ping.comment.is_none() {
        viewers[0].next_frame().await.unwrap()
    } else {
        ping
    };
    assert_eq!(ping.comment.as_deref(), Some("ping"));
    for v in viewers {
        v.close();
    }
    eventually(
        "the viewer gauge falls to 0",
        Duration::from_secs(10),
        || async { metric(&server, "viewers").await == 0.0 },
    )
    .await;
    assert!(metric(&server, "viewers_pruned_total").await >= 5.0);
}

#[actix_rt::test]
async fn viewers_past_the_limit_get_503_with_retry_after() {
    let server = TestServer::start(|c| c.max_viewers = 2);
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut sse = SseClient::connect(&server.url("/events"), None).await;
        assert_eq!(sse.status, StatusCode::OK);
        sse.next_frame().await;
        held.push(sse);
    }
    let mut resp = client().get(server.url("/events")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(resp.headers().get("retry-after").unwrap(), "5");
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "too_many_viewers");
    // A freed slot admits the next viewer.
    held.pop().unwrap().close();
    eventually("a slot frees up", Duration::from_secs(20), || async {
        client()
            .get(server.url("/events"))
            .send()
            .await
            .unwrap()
            .status()
            == StatusCode::OK
    })
    .await;
}
