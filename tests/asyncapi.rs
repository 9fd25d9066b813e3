//! docs/asyncapi.yaml describes the push channels as they are: every SSE event, every admin
//! command and every frame a real server sends is there, and each matches its schema.

mod common;
#[path = "common/schema.rs"]
mod schema;

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use common::*;
use futures_util::StreamExt;
use livescore::sse::{Frame, Parser};
use serde_json::{Value, json};

fn document() -> Value {
    serde_yaml::from_str(include_str!("../docs/asyncapi.yaml")).expect("docs/asyncapi.yaml is YAML")
}

/// `value`, or what its `$ref` (a pointer into `doc`) names.
fn resolve<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    match value["$ref"].as_str() {
        Some(pointer) => {
            let target = pointer.strip_prefix('#').expect("local reference");
            doc.pointer(target)
                .unwrap_or_else(|| panic!("{pointer} points at nothing"))
        }
        None => value,
    }
}

/// A channel's messages by their `name` (the SSE event name or the JSON `type`), as payload
/// schemas.
fn messages<'a>(doc: &'a Value, channel: &str) -> HashMap<String, &'a Value> {
    doc["channels"][channel]["messages"]
        .as_object()
        .unwrap_or_else(|| panic!("no channel {channel}"))
        .values()
        .map(|m| {
            let message = resolve(doc, m);
            let name = message["name"].as_str().expect("every message has a name");
            (name.to_owned(), &message["payload"])
        })
        .collect()
}

/// Check `value` against the message of `channel` named `name`.
fn check(doc: &Value, channel: &str, name: &str, value: &Value) {
    let messages = messages(doc, channel);
    let payload = messages
        .get(name)
        .unwrap_or_else(|| panic!("channel {channel} has no message {name:?}: {value}"));
    schema::assert_valid(doc, payload, value, &format!("{channel} message {name}"));
}

#[test]
fn every_event_command_and_frame_is_described() {
    let doc = document();
    assert_eq!(doc["asyncapi"], "3.0.0");
    let names = |channel| messages(&doc, channel).into_keys().collect::<BTreeSet<_>>();
    let feed: BTreeSet<String> = ["retry", "ping", "farewell", "snapshot"]
        .into_iter()
        .chain(livescore::feed::Event::NAMES)
        .map(String::from)
        .collect();
    assert_eq!(names("events"), feed, "/events");
    assert_eq!(names("feed"), feed, "/ws/feed sends the same frames");
    let mut admin: BTreeSet<String> = livescore::protocol::COMMAND_TYPES
        .iter()
        .chain(&["auth", "editing", "calendar.roll"])
        .chain(&["ready", "ack", "error", "event", "presence", "generator"])
        .map(|s| s.to_string())
        .collect();
    assert_eq!(names("admin"), std::mem::take(&mut admin), "/ws/admin");
    for (channel, address) in [
        ("events", "/events"),
        ("feed", "/ws/feed"),
        ("admin", "/ws/admin"),
    ] {
        assert_eq!(doc["channels"][channel]["address"], address);
    }
    // Every operation names a channel and messages of that channel, and every payload compiles.
    for (name, operation) in doc["operations"].as_object().unwrap() {
        let channel = resolve(&doc, &operation["channel"]);
        for message in operation["messages"].as_array().unwrap() {
            let pointer = message["$ref"].as_str().unwrap();
            let in_channel = channel["messages"]
                .as_object()
                .unwrap()
                .keys()
                .any(|key| pointer.ends_with(&format!("/messages/{key}")));
            assert!(
                in_channel,
                "operation {name}: {pointer} is not its channel's"
            );
            schema::validator(&doc, &resolve(&doc, resolve(&doc, message))["payload"]);
        }
    }
}

/// The event frames of an SSE text, as (`event:` name, JSON data).
fn events_of(frames: Vec<Frame>) -> Vec<(String, Value)> {
    frames
        .into_iter()
        .filter_map(|f| {
            let data = serde_json::from_str(f.data.as_deref()?).expect("data is JSON");
            Some((f.event.expect("events are named"), data))
        })
        .collect()
}

/// Send `command` as alice and check every frame that comes until its reply; the reply.
async fn run(doc: &Value, admin: &mut AdminClient, command: Value) -> Value {
    let kind = command["type"].as_str().unwrap();
    check(doc, "admin", kind, &command);
    admin.send_json(command.clone()).await;
    loop {
        let frame = admin.next().await;
        let kind = frame["type"]
            .as_str()
            .expect("frames have a type")
            .to_owned();
        check(doc, "admin", &kind, &frame);
        if (kind == "ack" || kind == "error") && frame["id"] == command["id"] {
            return frame;
        }
    }
}

#[actix_rt::test]
async fn every_message_a_real_server_sends_matches_its_schema() {
    let doc = document();
    let server = TestServer::start(|c| {
        c.admin_tokens = Some(livescore::config::Secret(format!(
            "alice:{ALICE},bob:{BOB},ed:ed-token-000005:editor"
        )));
        c.no_generator = false;
        c.seed = Some(7);
    });
    let mut sse = SseClient::connect(&server.url("/events"), None).await;
    let retry = sse.next_frame().await.expect("the stream opens");
    let line = format!("retry: {}", retry.retry.expect("a retry: frame first"));
    check(&doc, "events", "retry", &Value::from(line));

    let (mut alice, ready) = AdminClient::login(&server, ALICE).await;
    check(&doc, "admin", "ready", &ready);
    let (_bob, _) = AdminClient::login(&server, BOB).await;
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339();
    let commands = [
        json!({"type":"generator.control","id":"g","running":false}),
        json!({"type":"match.status","id":1,"match_id":1,"status":"live"}),
        json!({"type":"incident.add","id":2,"match_id":1,"kind":"goal","team":"home","player":"George Oakes"}),
        json!({"type":"score.set","id":3,"match_id":1,"home":2,"away":0,"expected_version":3}),
        json!({"type":"match.create","id":4,"league":"epl","home":"ARS","away":"CHE","kickoff":tomorrow}),
        json!({"type":"news.publish","id":5,"headline":"Schema check","tags":["epl"],"match_id":1,"breaking":true}),
        json!({"type":"score.set","id":"late","match_id":999,"home":1,"away":0}),
        json!({"type":"lineup.set","id":8,"match_id":2,"team":"away","starting":[
            "#1","#2","#4","#6","#8","#9","#14","#16","#18","#23","#24"],"bench":["#13","#28"]}),
        json!({"type":"stats.set","id":9,"match_id":1,
            "home":{"shots":4,"shots_on_target":2,"possession":55,"corners":1,"fouls":3},
            "away":{"shots":2,"shots_on_target":0,"possession":45,"corners":0,"fouls":5}}),
    ];
    for command in commands {
        run(&doc, &mut alice, command).await;
    }
    let game: Value = get_json(&server.url("/api/matches/1")).await;
    let goal = game["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .rfind(|i| i["kind"] == "goal")
        .expect("the goal is on the timeline")["id"]
        .clone();
    let removed = run(
        &doc,
        &mut alice,
        json!({"type":"incident.remove","id":"undo","match_id":1,"incident_id":goal}),
    )
    .await;
    assert_eq!(removed["type"], "ack", "{removed}");
    // An editor is told its role, and refused an admin's command.
    let (mut editor, ready) = AdminClient::login(&server, "ed-token-000005").await;
    check(&doc, "admin", "ready", &ready);
    assert_eq!(ready["role"], "editor");
    let refused = run(
        &doc,
        &mut editor,
        json!({"type":"match.create","id":"no","league":"epl","home":"ARS","away":"CHE","kickoff":tomorrow}),
    )
    .await;
    assert_eq!(refused["code"], "forbidden", "{refused}");
    let published = run(
        &doc,
        &mut alice,
        json!({"type":"news.publish","id":6,"headline":"Gone soon"}),
    )
    .await;
    let news_id = published["news_id"].clone();
    run(
        &doc,
        &mut alice,
        json!({"type":"news.update","id":7,"news_id":news_id,"body":"Soon"}),
    )
    .await;
    run(
        &doc,
        &mut alice,
        json!({"type":"news.retract","id":8,"news_id":news_id}),
    )
    .await;

    // Every kind of event reached the SSE viewer, each as described.
    let mut seen = BTreeSet::new();
    let wanted = [
        "snapshot",
        "score",
        "status",
        "incident",
        "incident_removed",
        "match",
        "news",
        "news_retracted",
    ];
    while !wanted.iter().all(|w| seen.contains(*w)) {
        let frame = sse.next_event().await.expect("the stream goes on");
        for (name, data) in events_of(vec![frame]) {
            check(&doc, "events", &name, &data);
            seen.insert(name);
        }
    }

    // The viewer WebSocket: text messages of the same SSE frames.
    let url = server.url("/ws/feed").replace("http://", "ws://");
    let (_, mut feed) = client()
        .ws(url)
        .max_frame_size(4 << 20)
        .connect()
        .await
        .unwrap();
    let message = tokio::time::timeout(Duration::from_secs(20), feed.next())
        .await
        .expect("a message in time")
        .expect("the feed is open")
        .expect("a frame");
    let awc::ws::Frame::Text(text) = message else {
        panic!("not a text message: {message:?}");
    };
    let frames = events_of(Parser::new().feed(&text));
    assert_eq!(frames[0].0, "snapshot");
    for (name, data) in frames {
        check(&doc, "feed", &name, &data);
    }
}
