//! The desk's corrections and flags over real sockets: `incident.remove` (the undo of
//! `incident.add`) as viewers and the audit see it, and the `breaking` flag on news.

mod common;

use common::*;
use livescore::feed::{Envelope, Event};
use serde_json::{Value, json};

async fn next_event_named(viewer: &mut SseClient, name: &str) -> Envelope {
    loop {
        let frame = viewer.next_event().await.expect("the feed goes on");
        if frame.event.as_deref() == Some(name) {
            return envelope(&frame);
        }
    }
}

#[actix_rt::test]
async fn removing_a_goal_lowers_the_score_and_viewers_see_the_removal_then_the_score() {
    let server = TestServer::start(with_admins);
    let (mut alice, _) = AdminClient::login(&server, ALICE).await;
    let live = json!({"type":"match.status","id":"l","match_id":1,"status":"live"});
    assert_eq!(alice.command(live).await["type"], "ack");
    let goal = json!({"type":"incident.add","id":"g","match_id":1,"kind":"goal","team":"home","player":"George Oakes"});
    assert_eq!(alice.command(goal).await["type"], "ack");
    let before: Value = get_json(&server.url("/api/matches/1")).await;
    assert_eq!(before["score"], json!({"home":1,"away":0}));
    let incident = before["incidents"].as_array().unwrap().last().unwrap()["id"].clone();

    let mut viewer = SseClient::connect(&server.url("/events"), None).await;
    viewer.next_frame().await;
    viewer.next_frame().await;
    let remove = json!({"type":"incident.remove","id":"r","match_id":1,"incident_id":incident});
    let ack = alice.command(remove).await;
    assert_eq!(ack["type"], "ack", "{ack}");

    let removed = next_event_named(&mut viewer, "incident_removed").await;
    let Event::IncidentRemoved {
        match_id,
        incident_id,
        version,
    } = removed.event
    else {
        panic!("{removed:?}")
    };
    assert_eq!(
        (match_id.0, u64::from(incident_id.0)),
        (1, incident.as_u64().unwrap())
    );
    assert_eq!(removed.by, "alice");
    let score = viewer.next_event().await.unwrap();
    assert_eq!(
        score.event.as_deref(),
        Some("score"),
        "the score follows at once"
    );
    let score = envelope(&score);
    assert_eq!(score.seq.0, removed.seq.0 + 1);
    let Event::Score {
        home,
        away,
        version: score_version,
        ..
    } = score.event
    else {
        panic!("{score:?}")
    };
    assert_eq!((home, away), (0, 0));

    // The match's version moved past both, and the ack names it.
    let after: Value = get_json(&server.url("/api/matches/1")).await;
    let old = before["version"].as_u64().unwrap();
    assert_eq!(version.0, old + 1);
    assert_eq!(score_version.0, old + 2);
    assert_eq!(after["version"], old + 2);
    assert_eq!(ack["version"], old + 2);
    assert_eq!(after["score"], json!({"home":0,"away":0}));
    assert!(
        after["incidents"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["id"] != incident),
        "{after}"
    );

    // Gone is gone; and an incident that never was is not found either.
    let again = json!({"type":"incident.remove","id":"r2","match_id":1,"incident_id":incident});
    let reply = alice.command(again).await;
    assert_eq!(reply["code"], "not_found", "{reply}");
    assert_eq!(
        reply["message"],
        format!("match 1 has no incident {incident}")
    );
    let unknown = json!({"type":"incident.remove","id":"r3","match_id":1,"incident_id":999999});
    assert_eq!(alice.command(unknown).await["code"], "not_found");
    let no_match = json!({"type":"incident.remove","id":"r4","match_id":4040,"incident_id":1});
    assert_eq!(alice.command(no_match).await["code"], "not_found");

    // The audit shows the correction, newest first, as the contract's example has it.
    let mut resp = client()
        .get(server.url("/api/admin/audit?limit=2"))
        .insert_header(("Authorization", format!("Bearer {ALICE}")))
        .send()
        .await
        .unwrap();
    let entries: Value = resp.json().await.unwrap();
    let seq = score.seq.0;
    assert!(
        entries[0]["at"].as_str().unwrap().starts_with("20"),
        "{entries}"
    );
    let mut first = entries[0].clone();
    first.as_object_mut().unwrap().remove("at");
    assert_eq!(
        first,
        json!({"seq":seq,"id":format!("{}.{seq}", server.stream),"by":"alice","type":"score",
               "match_id":1,"news_id":null,"summary":"score 0-0"})
    );
    assert_eq!(entries[1]["type"], "incident_removed");
    assert_eq!(
        entries[1]["summary"],
        format!("removed incident {incident}")
    );
}

#[actix_rt::test]
async fn a_removal_after_full_time_is_refused() {
    let server = TestServer::start(with_admins);
    let (mut alice, _) = AdminClient::login(&server, ALICE).await;
    for (id, status) in [("l", "live"), ("f", "final")] {
        let command = json!({"type":"match.status","id":id,"match_id":2,"status":status});
        if id == "f" {
            let goal =
                json!({"type":"incident.add","id":"g","match_id":2,"kind":"goal","team":"away"});
            assert_eq!(alice.command(goal).await["type"], "ack");
        }
        assert_eq!(alice.command(command).await["type"], "ack");
    }
    let game: Value = get_json(&server.url("/api/matches/2")).await;
    let goal = game["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == "goal")
        .unwrap()["id"]
        .clone();
    let remove = json!({"type":"incident.remove","id":"r","match_id":2,"incident_id":goal});
    let reply = alice.command(remove).await;
    assert_eq!(reply["code"], "invalid", "{reply}");
    assert_eq!(
        reply["message"],
        "match 2 is final; incidents can only be removed while it is in play"
    );
}

fn news_item(list: &Value, id: &Value) -> Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == *id)
        .cloned()
        .unwrap_or_else(|| panic!("news {id} is not in {list}"))
}

#[actix_rt::test]
async fn breaking_news_is_flagged_in_the_snapshot_and_the_news_api_until_unflagged() {
    let server = TestServer::start(with_admins);
    let (mut alice, _) = AdminClient::login(&server, ALICE).await;
    let publish =
        json!({"type":"news.publish","id":"p","headline":"Manager sacked","breaking":true});
    let ack = alice.command(publish).await;
    assert_eq!(ack["type"], "ack", "{ack}");
    let id = ack["news_id"].clone();

    let snapshot: Value = get_json(&server.url("/api/snapshot")).await;
    assert_eq!(news_item(&snapshot["news"], &id)["breaking"], true);
    let news: Value = get_json(&server.url("/api/news")).await;
    assert_eq!(news_item(&news, &id)["breaking"], true);
    // Ordinary items carry no flag at all.
    let other = news
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] != id)
        .unwrap();
    assert!(other.get("breaking").is_none(), "{other}");

    let unflag = json!({"type":"news.update","id":"u","news_id":id,"breaking":false});
    assert_eq!(alice.command(unflag).await["type"], "ack");
    let news: Value = get_json(&server.url("/api/news")).await;
    let item = news_item(&news, &id);
    assert!(item.get("breaking").is_none(), "{item}");
    assert_eq!(item["version"], 2);

    let bad = json!({"type":"news.update","id":"b","news_id":id,"breaking":"yes"});
    assert_eq!(alice.command(bad).await["code"], "bad_request");
}
