//! The README's "Use the feed from your page" works as written: its EventSource URL filters as
//! it says, its resume parameter resumes (over SSE and the viewer WebSocket), its listeners cover
//! every event type docs/asyncapi.yaml describes, and the documents it links exist.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::*;
use futures_util::StreamExt;
use livescore::sse::Parser;
use serde_json::{Value, json};

/// The README's section, from its heading to the next one.
fn section() -> &'static str {
    let readme = include_str!("../README.md");
    let start = readme
        .find("## Use the feed from your page")
        .expect("the README has the section");
    let rest = &readme[start + 3..];
    &readme[start..start + 3 + rest.find("\n## ").unwrap_or(rest.len())]
}

/// The text between `before` and the next `after` in the section.
fn between<'a>(before: &str, after: &str) -> &'a str {
    let text = section();
    let start = text
        .find(before)
        .unwrap_or_else(|| panic!("the section has no {before:?}"))
        + before.len();
    &text[start..start + text[start..].find(after).unwrap()]
}

#[test]
fn the_section_links_documents_that_exist_and_listens_for_every_event() {
    for link in ["docs/deploy.md", "docs/openapi.json", "docs/asyncapi.yaml"] {
        assert!(
            section().contains(&format!("]({link})")),
            "no link to {link}"
        );
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(link);
        assert!(path.exists(), "{link} does not exist");
    }
    let listened: BTreeSet<String> = between("for (const type of [", "]")
        .split(',')
        .map(|t| t.trim().trim_matches('"').to_owned())
        .collect();
    let doc: Value = serde_yaml::from_str(include_str!("../docs/asyncapi.yaml")).unwrap();
    let described: BTreeSet<String> = doc["channels"]["events"]["messages"]
        .as_object()
        .unwrap()
        .keys()
        // Comments and the snapshot are no events to listen for.
        .filter(|name| !["retry", "heartbeat", "farewell", "snapshot"].contains(&name.as_str()))
        .cloned()
        .collect();
    assert_eq!(
        listened, described,
        "the listeners against docs/asyncapi.yaml's events"
    );
}

#[actix_rt::test]
async fn the_event_source_url_filters_and_its_resume_parameter_resumes() {
    let server = TestServer::start(with_admins);
    let url = between("new EventSource(\"", "\"");
    let mut viewer = SseClient::connect(&server.url(url), None).await;
    assert_eq!(viewer.status, 200, "{url}");
    let snapshot = snapshot(&viewer.next_event().await.unwrap());
    assert!(
        snapshot
            .state
            .matches()
            .all(|m| ["epl", "nba"].contains(&m.league.0.as_str()))
    );
    // A La Liga item is filtered out by `leagues=`; the EPL one that follows arrives.
    for (headline, tag) in [("Sevilla sign a keeper", "laliga"), ("Arsenal win", "epl")] {
        let body = json!({"type":"news.publish","headline":headline,"tags":[tag]});
        post_command(&server, Some(ALICE), body.to_string()).await;
    }
    let first = viewer.next_event().await.unwrap();
    assert_eq!(envelope(&first).event.name(), "news");
    assert!(
        first.data.as_deref().unwrap().contains("Arsenal win"),
        "{first:?}"
    );

    // The page-reload resume: `?lastEventId=` as the section writes it.
    let resume = between("`new EventSource(\"/events?", "=");
    assert_eq!(resume, "lastEventId");
    let missed = json!({"type":"news.publish","headline":"Missed","tags":["nba"]});
    post_command(&server, Some(ALICE), missed.to_string()).await;
    let id = first.id.unwrap();
    let url = server.url(&format!("/events?{resume}={id}"));
    let mut resumed = SseClient::connect(&url, None).await;
    let next = resumed.next_event().await.unwrap();
    assert_eq!(
        next.event.as_deref(),
        Some("news"),
        "a replay, not a snapshot"
    );
    assert_eq!(seq_of(next.id.as_deref().unwrap()), seq_of(&id) + 1);
}

#[actix_rt::test]
async fn the_websocket_snippet_s_query_resumes() {
    let server = TestServer::start(with_admins);
    let name = between("if (lastEventId) query.set(\"", "\"");
    assert!(section().contains("/ws/feed?${query}"));
    for headline in ["One", "Two"] {
        let body = json!({"type":"news.publish","headline":headline,"tags":["epl"]});
        post_command(&server, Some(ALICE), body.to_string()).await;
    }
    let url = format!(
        "{}?leagues=epl,nba&types=score,status,news&{name}={}.1",
        server.url("/ws/feed").replace("http://", "ws://"),
        server.stream
    );
    let (_, mut feed) = client().ws(url).connect().await.unwrap();
    let message = tokio::time::timeout(Duration::from_secs(20), feed.next())
        .await
        .expect("a message in time")
        .unwrap()
        .unwrap();
    let awc::ws::Frame::Text(text) = message else {
        panic!("not text: {message:?}");
    };
    let frame = Parser::new()
        .feed(&text)
        .into_iter()
        .find(|f| f.data.is_some())
        .expect("a frame with data");
    assert_eq!(
        frame.event.as_deref(),
        Some("news"),
        "a replay, not a snapshot"
    );
    assert_eq!(seq_of(frame.id.as_deref().unwrap()), 2);
}
