//! The admin WebSocket channel over real sockets: every command, live edits reaching viewers and
//! other admins, presence, optimistic concurrency, authentication, limits and garbage.

mod common;

use std::time::Duration;

use actix_web::http::StatusCode;
use common::*;
use serde_json::json;

#[actix_rt::test]
async fn every_command_is_acked_and_reaches_viewers_and_other_admins() {
    let server = TestServer::start(with_admins);
    let mut viewer = SseClient::connect(&server.url("/events"), None).await;
    viewer.next_frame().await;
    viewer.next_frame().await;
    let (mut alice, ready) = AdminClient::login(&server, ALICE).await;
    assert_eq!(ready["admin"], "alice");
    assert_eq!(ready["stream"], server.stream.as_str());
    let (mut bob, _) = AdminClient::login(&server, BOB).await;
    while alice.next_of("presence").await["admins"] != json!(["alice", "bob"]) {}

    let commands = [
        json!({"type":"match.status","id":"k1","match_id":1,"status":"live"}),
        json!({"type":"score.set","id":"s1","match_id":1,"home":1,"away":0}),
        json!({"type":"incident.add","id":"i1","match_id":1,"kind":"goal","team":"away","player":"Noah Dufour","minute":12}),
        json!({"type":"match.status","id":"h1","match_id":1,"status":"halftime"}),
        json!({"type":"match.create","id":"m1","league":"epl","home":"ARS","away":"LIV","kickoff":"2026-11-26T19:45:00Z"}),
        json!({"type":"news.publish","id":"n1","headline":"Stoppage-time drama","body":"...","tags":["epl"],"match_id":1}),
        json!({"type":"news.update","id":"n2","news_id":13,"headline":"Stoppage-time drama at the Emirates"}),
        json!({"type":"news.retract","id":"n3","news_id":13}),
    ];
    let mut last_seq = ready["seq"].as_u64().unwrap();
    for command in commands {
        let id = command["id"].as_str().unwrap().to_owned();
        let ack = alice.command(command.clone()).await;
        assert_eq!(ack["type"], "ack", "{command}: {ack}");
        // The ack names the item's new version; a retracted item has none left.
        if id == "n3" {
            assert_eq!(ack["news_id"], 13, "{ack}");
            assert!(ack.get("version").is_none(), "{ack}");
        } else {
            assert!(ack["version"].as_u64().unwrap() >= 1, "{id}: {ack}");
        }
        let seq = ack["seq"].as_u64().unwrap();
        assert!(seq > last_seq, "{id}: seq moves on");
        last_seq = seq;
        // Bob sees alice's change, attributed to her.
        let event = bob.next_of("event").await;
        assert_eq!(event["event"]["by"], "alice", "{id}");
    }
    let created = &alice.command(json!({"type":"match.create","id":"m2","league":"nba","home":"BOS","away":"LAL","kickoff":"2026-11-26T01:00:00Z"})).await;
    assert!(created["match_id"].as_u64().unwrap() > 12, "{created}");

    // The SSE viewer saw every change, in order, up to the last ack.
    let mut names = Vec::new();
    loop {
        let frame = viewer.next_event().await.unwrap();
        names.push(frame.event.clone().unwrap());
        if seq_of(frame.id.as_deref().unwrap()) == created["seq"].as_u64().unwrap() {
            break;
        }
    }
    for name in [
        "status",
        "score",
        "incident",
        "match",
        "news",
        "news_retracted",
    ] {
        assert!(
            names.iter().any(|n| n == name),
            "viewer missed a {name} event: {names:?}"
        );
    }
}

#[actix_rt::test]
async fn generator_control_is_acked_and_announced_to_admins() {
    let server = TestServer::start(|c| {
        with_admins(c);
        c.no_generator = false;
        c.seed = Some(1);
        c.speed = 60.0;
    });
    let (mut alice, ready) = AdminClient::login(&server, ALICE).await;
    assert_eq!(ready["generator"], json!({"running": true, "speed": 60.0}));
    alice
        .send_json(json!({"type":"generator.control","id":"g1","running":false,"speed":2.5}))
        .await;
    let (mut ack, mut state) = (None, None);
    while ack.is_none() || state.is_none() {
        let frame = alice.next().await;
        match frame["type"].as_str() {
            Some("ack") => ack = Some(frame),
            Some("generator") => state = Some(frame),
            _ => {}
        }
    }
    let ack = ack.unwrap();
    assert_eq!(ack["id"], "g1");
    assert!(ack.get("version").is_none(), "no item, no version: {ack}");
    let state = state.unwrap();
    assert_eq!(
        (state["running"].as_bool(), state["speed"].as_f64()),
        (Some(false), Some(2.5))
    );
    let bad = alice
        .command(json!({"type":"generator.control","id":"g2","speed":0}))
        .await;
    assert_eq!(bad["code"], "invalid");

    let quiet = TestServer::start(with_admins);
    let (mut alice, _) = AdminClient::login(&quiet, ALICE).await;
    let err = alice
        .command(json!({"type":"generator.control","id":"g3","running":true}))
        .await;
    assert_eq!(err["code"], "unavailable", "{err}");
}

#[actix_rt::test]
async fn racing_admins_with_the_same_expected_version_get_one_ack_and_one_conflict() {
    let server = TestServer::start(with_admins);
    let (mut alice, _) = AdminClient::login(&server, ALICE).await;
    let (mut bob, _) = AdminClient::login(&server, BOB).await;
    let live = alice
        .command(json!({"type":"match.status","id":"l","match_id":2,"status":"live"}))
        .await;
    let version = live["version"].as_u64().unwrap();
    let set = |id: &str, home: u32| json!({"type":"score.set","id":id,"match_id":2,"home":home,"away":0,"expected_version":version});
    alice.send_json(set("a", 1)).await;
    bob.send_json(set("b", 2)).await;
    let (a, b) = (alice.reply_to("a").await, bob.reply_to("b").await);
    let mut types = [a["type"].as_str().unwrap(), b["type"].as_str().unwrap()];
    types.sort();
    assert_eq!(types, ["ack", "error"], "{a} {b}");
    let conflict = if a["type"] == "error" { &a } else { &b };
    assert_eq!(conflict["code"], "conflict");
    // The winner moved the match twice: its correction on the timeline, then the score.
    assert_eq!(conflict["current_version"].as_u64(), Some(version + 2));
}

#[actix_rt::test]
async fn authentication_failures_close_with_4001_or_refuse_the_upgrade() {
    let server = TestServer::start(|c| {
        with_admins(c);
        c.auth_timeout_secs = 1;
    });
    // Wrong token.
    let mut ws = AdminClient::open(&server, None).await.unwrap();
    ws.send_json(json!({"type":"auth","token":"guess-guess-guess"}))
        .await;
    let closed = ws.closed().await;
    assert_eq!(
        (closed.code, closed.reason.as_str()),
        (4001, "unauthorized: unknown token")
    );
    // A command before auth.
    let mut ws = AdminClient::open(&server, None).await.unwrap();
    ws.send_json(json!({"type":"score.set","id":"x","match_id":1,"home":1,"away":0}))
        .await;
    let closed = ws.closed().await;
    assert_eq!(
        (closed.code, closed.reason.as_str()),
        (4001, "unauthorized: authenticate first")
    );
    // Garbage before auth.
    let mut ws = AdminClient::open(&server, None).await.unwrap();
    ws.send_text("hello?").await;
    assert_eq!(ws.closed().await.code, 4001);
    // No auth at all: closed after the timeout, and a late auth is too late.
    let mut ws = AdminClient::open(&server, None).await.unwrap();
    let closed = ws.closed().await;
    assert_eq!(
        (closed.code, closed.reason.as_str()),
        (4001, "unauthorized: no auth within 1 s")
    );
    // A page from another site may not even open the channel; the server's own origin may.
    assert_eq!(
        AdminClient::open(&server, Some("https://evil.example"))
            .await
            .err(),
        Some(StatusCode::FORBIDDEN)
    );
    let own = format!("http://{}", server.addr);
    assert!(AdminClient::open(&server, Some(&own)).await.is_ok());
}

#[actix_rt::test]
async fn configured_origins_may_open_the_channel() {
    let server = TestServer::start(|c| {
        with_admins(c);
        c.allowed_origins = vec!["https://console.example".into()];
    });
    assert!(
        AdminClient::open(&server, Some("https://console.example"))
            .await
            .is_ok()
    );
    assert_eq!(
        AdminClient::open(&server, Some("https://other.example"))
            .await
            .err(),
        Some(StatusCode::FORBIDDEN)
    );
}

#[actix_rt::test]
async fn garbage_gets_specific_errors_and_disturbs_no_one_else() {
    let server = TestServer::start(|c| {
        with_admins(c);
        c.no_generator = false;
        c.seed = Some(17);
        c.speed = 300.0;
    });
    let mut viewer = SseClient::connect(&server.url("/events"), None).await;
    viewer.next_frame().await;
    let mut last = snapshot(&viewer.next_frame().await.unwrap()).seq.0;
    let (mut bob, _) = AdminClient::login(&server, BOB).await;
    let (mut alice, _) = AdminClient::login(&server, ALICE).await;
    // A match of alice's own: the generator plays the fixtures on its calendar, so whether
    // match 3 is still to play depends on the time of day.
    let created = alice
        .command(json!({"type":"match.create","id":"new","league":"epl","home":"ARS","away":"CHE","kickoff":chrono::Utc::now()}))
        .await;
    let id = created["match_id"].as_u64().expect("created");
    alice
        .command(json!({"type":"match.status","id":"go","match_id":id,"status":"live"}))
        .await;

    let ours = format!("\"match_id\":{id}");
    let cases = [
        ("{not json", "bad_request", "invalid JSON"),
        (
            r#"{"type":"score.nuke","id":"u"}"#,
            "bad_request",
            "unknown type `score.nuke`",
        ),
        (
            r#"{"type":"score.set","id":"m","match_id":3}"#,
            "bad_request",
            "missing field `home`",
        ),
        (
            r#"{"type":"score.set","id":"t","match_id":"three","home":1,"away":0}"#,
            "bad_request",
            "invalid type",
        ),
        (
            r#"{"type":"score.set","id":"h","match_id":3,"home":99999999999999999999999,"away":0}"#,
            "bad_request",
            "score.set",
        ),
        (
            r#"{"type":"score.set","id":"n","match_id":3,"home":-2,"away":0}"#,
            "invalid",
            "got -2",
        ),
        (
            r#"{"type":"match.status","id":"s","match_id":3,"status":"scheduled"}"#,
            "invalid",
            "cannot go from live to scheduled",
        ),
        (
            r#"{"type":"score.set","id":"f","match_id":404,"home":1,"away":0}"#,
            "not_found",
            "match 404 does not exist",
        ),
        (
            r#"{"type":"news.retract","id":"r","news_id":999}"#,
            "not_found",
            "news item 999",
        ),
    ];
    for (text, code, needle) in cases {
        let text = text.replace("\"match_id\":3", &ours);
        let text = text.as_str();
        alice.send_text(text).await;
        let error = alice.next_of("error").await;
        assert_eq!(error["code"], code, "{text}: {error}");
        assert!(
            error["message"].as_str().unwrap().contains(needle),
            "{text}: {error}"
        );
    }
    alice.send_binary(vec![1, 2, 3]).await;
    let error = alice.next_of("error").await;
    assert!(
        error["message"].as_str().unwrap().contains("binary"),
        "{error}"
    );

    // The session is still good, and bob and the viewer were not disturbed.
    let ack = alice
        .command(json!({"type":"score.set","id":"ok","match_id":id,"home":1,"away":1}))
        .await;
    assert_eq!(ack["type"], "ack");
    assert_eq!(bob.next_of("event").await["type"], "event");
    for _ in 0..20 {
        let seq = seq_of(viewer.next_event().await.unwrap().id.as_deref().unwrap());
        assert_eq!(seq, last + 1);
        last = seq;
    }
}

#[actix_rt::test]
async fn a_frame_over_the_limit_closes_with_1009() {
    let server = TestServer::start(with_admins);
    let (mut alice, _) = AdminClient::login(&server, ALICE).await;
    let huge = format!(
        r#"{{"type":"news.publish","id":"big","headline":"{}"}}"#,
        "x".repeat(1 << 20)
    );
    alice.send_text(huge).await;
    let closed = alice.closed().await;
    assert_eq!(closed.code, 1009, "{closed:?}");
    assert!(closed.reason.contains("65536 bytes"), "{closed:?}");

    let small = TestServer::start(|c| {
        with_admins(c);
        c.max_frame_bytes = 1024;
    });
    let (mut alice, _) = AdminClient::login(&small, ALICE).await;
    let body = format!(
        r#"{{"type":"news.publish","id":"mid","headline":"{}"}}"#,
        "y".repeat(2000)
    );
    alice.send_text(body).await;
    assert_eq!(alice.closed().await.code, 1009);
}

#[actix_rt::test]
async fn a_burst_past_the_rate_gets_rate_limited_errors_and_the_session_stays() {
    let server = TestServer::start(|c| {
        with_admins(c);
        c.admin_rate = 5.0;
        c.admin_burst = 50;
    });
    let (mut alice, _) = AdminClient::login(&server, ALICE).await;
    alice
        .command(json!({"type":"match.status","id":"go","match_id":4,"status":"live"}))
        .await;
    for n in 0..200u32 {
        alice.send_json(json!({"type":"score.set","id":format!("b{n}"),"match_id":4,"home":n % 900 + 1,"away":0})).await;
    }
    let replies = alice.replies(200).await;
    let (mut acks, mut limited) = (0, 0);
    for n in 0..200u32 {
        let reply = &replies[&format!("b{n}")];
        match reply["type"].as_str() {
            Some("ack") => acks += 1,
            _ => {
                assert_eq!(reply["code"], "rate_limited", "{reply}");
                limited += 1;
            }
        }
    }
    // The burst, less the command that started the match, plus what refilled meanwhile.
    assert!(
        (49..=60).contains(&acks),
        "about the burst got through: {acks}"
    );
    assert_eq!(acks + limited, 200, "every message got exactly one reply");
    alice.idle_for(Duration::from_millis(400)).await;
    let ack = alice
        .command(json!({"type":"score.set","id":"later","match_id":4,"home":0,"away":0}))
        .await;
    assert_eq!(
        ack["type"], "ack",
        "the session stays and the bucket refills"
    );
}

#[actix_rt::test]
async fn twenty_bad_messages_in_a_row_close_with_1008() {
    let server = TestServer::start(|c| {
        with_admins(c);
        c.max_bad_messages = 20;
    });
    let (mut alice, _) = AdminClient::login(&server, ALICE).await;
    for _ in 0..19 {
        alice.send_text("nope").await;
        assert_eq!(alice.next_of("error").await["code"], "bad_request");
    }
    // A good message resets the count.
    let ack = alice
        .command(json!({"type":"news.publish","id":"ok","headline":"Still here"}))
        .await;
    assert_eq!(ack["type"], "ack");
    for _ in 0..19 {
        alice.send_text("nope").await;
        alice.next_of("error").await;
    }
    alice.send_text("nope").await;
    alice.next_of("error").await;
    let closed = alice.closed().await;
    assert_eq!(
        (closed.code, closed.reason.as_str()),
        (1008, "20 bad messages in a row")
    );
}

#[actix_rt::test]
async fn a_client_that_stops_answering_pings_is_closed_and_leaves_presence() {
    let server = TestServer::start(|c| {
        with_admins(c);
        c.ws_ping_secs = 1;
        c.ws_timeout_secs = 2;
    });
    let (mut alice, _) = AdminClient::login(&server, ALICE).await;
    let (silent, _) = AdminClient::login(&server, BOB).await;
    // Bob's client now reads nothing and answers nothing.
    loop {
        let presence = alice.next_of("presence").await;
        if presence["admins"] == json!(["alice", "bob"]) {
            break;
        }
    }
    loop {
        let presence = alice.next_of("presence").await;
        if presence["admins"] == json!(["alice"]) {
            break;
        }
    }
    drop(silent);
    // Alice answers pings (the client does it while reading) and stays.
    alice.idle_for(Duration::from_secs(3)).await;
    let ack = alice
        .command(json!({"type":"news.publish","id":"still","headline":"Alive"}))
        .await;
    assert_eq!(ack["type"], "ack");
}

#[actix_rt::test]
async fn shutdown_closes_admin_sessions_with_1001() {
    let server = TestServer::start(with_admins);
    let (mut alice, _) = AdminClient::login(&server, ALICE).await;
    let stopper = server.stopper();
    actix_rt::spawn(async move { stopper.shut_down().await });
    let closed = alice.closed().await;
    assert_eq!(
        (closed.code, closed.reason.as_str()),
        (1001, "server shutting down")
    );
}
