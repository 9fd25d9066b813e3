//! Team sheets, substitutions and statistics on every store: the desk sets both lineups of
//! match 1 (Arsenal v Chelsea), makes five substitutions, is refused a benched scorer, a player
//! coming on a second time and a sixth substitution, sets the statistics and is refused bad
//! ones; the same sheets, timeline and figures then show in memory, on SQLite after a restart,
//! and on a second PostgreSQL node that only followed the first.

mod common;

use std::time::Duration;

use actix_web::http::StatusCode;
use common::desk::send;
use common::process::Proc;
use common::*;
use serde_json::{Value, json};

async fn accepted(base: &str, command: Value) {
    let (status, reply) = send(base, &command).await;
    assert_eq!(status, StatusCode::OK, "{command}: {reply}");
}

/// Send `command`, expect it refused as `invalid` with a message starting with `message`.
async fn refused(base: &str, command: Value, message: &str) {
    let (status, reply) = send(base, &command).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{command}: {reply}"
    );
    assert_eq!(reply["code"], "invalid", "{reply}");
    let text = reply["message"].as_str().unwrap();
    assert!(text.starts_with(message), "{command}: {text}");
}

fn sub(on: u32, off: u32) -> Value {
    json!({"type":"incident.add","match_id":1,"kind":"substitution","team":"home",
           "player":format!("#{on}"),"player_out":format!("#{off}")})
}

fn football_stats(home_shots: i64, home_on_target: i64, home_possession: i64) -> Value {
    json!({"type":"stats.set","match_id":1,
        "home":{"shots":home_shots,"shots_on_target":home_on_target,"possession":home_possession,
                "corners":4,"fouls":9},
        "away":{"shots":6,"shots_on_target":2,"possession":100 - home_possession,
                "corners":2,"fouls":12}})
}

/// What match 1 shows of its sheets, substitutions and statistics.
async fn sheets_and_stats(base: &str) -> Value {
    let m: Value = get_json(&format!("{base}/api/matches/1")).await;
    let subs: Vec<Value> = m["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["kind"] == "substitution")
        .map(|i| json!([i["player"], i["player_out"], i["minute"]]))
        .collect();
    json!({"lineups": m["lineups"], "subs": subs, "stats": m["stats"], "score": m["score"]})
}

/// The desk at work on match 1; returns what the match then shows.
async fn desk_session(base: &str) -> Value {
    let xi = [1, 22, 2, 5, 12, 24, 26, 10, 17, 25, 28].map(|n| format!("#{n}"));
    let bench = [35, 14, 30, 39, 47].map(|n| format!("#{n}"));
    refused(
        base,
        json!({"type":"lineup.set","match_id":1,"team":"home","starting":&xi[..10],"bench":bench}),
        "starting: football needs exactly 11 starters, got 10",
    )
    .await;
    refused(
        base,
        json!({"type":"lineup.set","match_id":1,"team":"home","starting":xi,"bench":["Aaron Ridley"]}),
        "bench: `Aaron Ridley` is not in the Arsenal squad",
    )
    .await;
    accepted(
        base,
        json!({"type":"lineup.set","match_id":1,"team":"home","starting":xi,"bench":bench}),
    )
    .await;
    let chelsea = [
        "Aaron Ridley",
        "Fiifi Boakye",
        "Dominic Ogden",
        "Tunde Adewale",
        "Pape Diatta",
        "Santiago Olivera",
        "Florian Roussel",
        "Souleymane Sangare",
        "Loic Carpentier",
        "Jack Threlfall",
        "Andre Magalhaes",
    ];
    accepted(
        base,
        json!({"type":"lineup.set","match_id":1,"team":"away","starting":chelsea,
               "bench":["noah dufour","#19"]}),
    )
    .await;
    refused(base, football_stats(1, 0, 50), "match 1 is scheduled").await;
    accepted(
        base,
        json!({"type":"match.status","match_id":1,"status":"live","minute":60}),
    )
    .await;
    refused(
        base,
        json!({"type":"lineup.set","match_id":1,"team":"home","starting":xi,"bench":bench}),
        "match 1 is live; a lineup can only be set before kick-off",
    )
    .await;
    refused(
        base,
        json!({"type":"incident.add","match_id":1,"kind":"goal","team":"home","player":"#14"}),
        "player: Ricardo Seabra was not on the pitch in minute 60",
    )
    .await;
    accepted(base, sub(35, 28)).await;
    refused(
        base,
        sub(28, 25),
        "player: Clement Garnier has already played in match 1",
    )
    .await;
    accepted(
        base,
        json!({"type":"incident.add","match_id":1,"kind":"goal","team":"home","player":"#35"}),
    )
    .await;
    for (on, off) in [(14, 25), (30, 17), (39, 10), (47, 26)] {
        accepted(base, sub(on, off)).await;
    }
    refused(
        base,
        sub(28, 24),
        "kind: the home team has made 5 substitutions in match 1",
    )
    .await;
    accepted(base, football_stats(9, 4, 58)).await;
    // A correction downwards is fine; figures that cannot be are not.
    accepted(base, football_stats(8, 4, 58)).await;
    refused(
        base,
        football_stats(3, 4, 58),
        "home.shots_on_target is 4, more than the 3 shots",
    )
    .await;
    refused(
        base,
        football_stats(8, 4, 101),
        "home.possession must be between 0 and 100",
    )
    .await;
    refused(
        base,
        json!({"type":"stats.set","match_id":1,"home":{"rebounds":3},"away":{}}),
        "home.rebounds is not a football statistic",
    )
    .await;
    let shown = sheets_and_stats(base).await;
    assert_eq!(
        shown["lineups"]["home"]["starting"],
        json!([1, 22, 2, 5, 12, 24, 26, 10, 17, 25, 28])
    );
    assert_eq!(shown["lineups"]["away"]["bench"], json!([25, 19]));
    assert_eq!(shown["subs"].as_array().unwrap().len(), 5);
    assert_eq!(
        shown["subs"][0],
        json!(["Ikenna Ogunleye", "Clement Garnier", 60])
    );
    assert_eq!(shown["stats"]["home"]["shots"], 8);
    assert_eq!(shown["stats"]["away"]["possession"], 42);
    assert_eq!(shown["score"], json!({"home":1,"away":0}));
    shown
}

#[actix_rt::test]
async fn in_memory_sheets_substitutions_and_stats_follow_the_rules_and_reach_viewers() {
    let server = TestServer::start(with_admins);
    let base = server.url("");
    let base = base.trim_end_matches('/');
    let mut sse = SseClient::connect(&server.url("/events?types=lineup,stats"), None).await;
    desk_session(base).await;
    // A viewer of lineups and statistics gets just those: two sheets, two sets of figures.
    let mut seen = Vec::new();
    while seen.len() < 4 {
        let frame = sse
            .next_frame_within(Duration::from_secs(5))
            .await
            .expect("the lineup and stats events arrive");
        if let Some(name) = frame
            .event
            .clone()
            .filter(|n| !["snapshot", "ping"].contains(&n.as_str()))
        {
            seen.push(name);
        }
    }
    assert_eq!(seen, ["lineup", "lineup", "stats", "stats"]);
}

#[actix_rt::test]
async fn on_sqlite_sheets_substitutions_and_stats_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let p = Proc::start(dir.path(), &["--no-generator"]);
    let shown = desk_session(&p.base).await;
    p.stop();
    let p = Proc::start(dir.path(), &["--no-generator"]);
    assert_eq!(sheets_and_stats(&p.base).await, shown);
}

#[actix_rt::test]
async fn on_postgresql_the_other_node_shows_the_same_sheets_and_stats() {
    let pg = postgres::shared();
    let url = pg.fresh_database().await;
    let first = postgres::cluster_node(&url);
    let second = postgres::cluster_node(&url);
    let shown = desk_session(first.url("").trim_end_matches('/')).await;
    let other = second.url("");
    let other = other.trim_end_matches('/');
    eventually(
        "the second node follows",
        Duration::from_secs(10),
        || async { sheets_and_stats(other).await == shown },
    )
    .await;
}
