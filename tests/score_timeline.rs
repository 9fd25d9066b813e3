//! The score is the sum of its timeline, on every store: after goals, a scorer named afterwards
//! (`incident.amend`), a manual correction, the undo of a goal and of the correction, the
//! match's `score` is what its incidents add up to, in memory, on SQLite across a restart, and on
//! two PostgreSQL nodes (the one that took the commands and the one that followed them).

mod common;

use actix_web::http::StatusCode;
use common::desk::ack;
use common::process::Proc;
use common::*;
use serde_json::{Value, json};

/// What a timeline adds up to, folded here independently of the server's own code: goals for
/// their side, own goals for the other, basketball points, corrections' adjustments.
fn tally(incidents: &[Value]) -> (i64, i64) {
    let (mut home, mut away) = (0, 0);
    for i in incidents {
        let side = i["team"].as_str();
        let points = match i["kind"].as_str().unwrap() {
            "goal" | "penalty_goal" => 1,
            "own_goal" => -1,
            "points" => i["points"].as_i64().unwrap(),
            _ => 0,
        };
        match (side, points) {
            (Some("home"), p) if p > 0 => home += p,
            (Some("away"), p) if p > 0 => away += p,
            (Some("home"), -1) => away += 1,
            (Some("away"), -1) => home += 1,
            _ => {}
        }
        home += i["adjust"]["home"].as_i64().unwrap_or(0);
        away += i["adjust"]["away"].as_i64().unwrap_or(0);
    }
    (home, away)
}

/// Match 1's score and the tally of its timeline, from `base`.
async fn score_and_tally(base: &str) -> ((i64, i64), (i64, i64)) {
    let m: Value = get_json(&format!("{base}/api/matches/1")).await;
    let score = (
        m["score"]["home"].as_i64().unwrap(),
        m["score"]["away"].as_i64().unwrap(),
    );
    (score, tally(m["incidents"].as_array().unwrap()))
}

/// Who match 1's home goal is credited to, from `base`.
async fn scorer_of_home_goal(base: &str) -> Option<String> {
    let m: Value = get_json(&format!("{base}/api/matches/1")).await;
    let incidents = m["incidents"].as_array().unwrap().clone();
    let goal = incidents
        .iter()
        .find(|i| i["kind"] == "goal" && i["team"] == "home")?;
    goal["player"].as_str().map(str::to_owned)
}

/// The desk at work on match 1: two goals and an own goal, a correction to 5-2, the away goal
/// taken back, then the correction; the score follows the timeline at every step.
async fn desk_session(base: &str) {
    ack(
        base,
        json!({"type":"match.status","match_id":1,"status":"live","minute":30}),
    )
    .await;
    let mut goals = Vec::new();
    for (kind, team) in [("goal", "home"), ("goal", "away"), ("own_goal", "away")] {
        let reply = ack(
            base,
            json!({"type":"incident.add","match_id":1,"kind":kind,"team":team}),
        )
        .await;
        goals.push(reply);
    }
    let (score, sum) = score_and_tally(base).await;
    assert_eq!((score, sum), ((2, 1), (2, 1)));

    // The home goal gets its scorer afterwards: the timeline reads better, the score stays.
    let m: Value = get_json(&format!("{base}/api/matches/1")).await;
    let home_goal = m["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == "goal" && i["team"] == "home")
        .unwrap()["id"]
        .clone();
    ack(
        base,
        json!({"type":"incident.amend","match_id":1,"incident_id":home_goal,"player":"#14","minute":29,"expected_version":m["version"]}),
    )
    .await;
    let m: Value = get_json(&format!("{base}/api/matches/1")).await;
    let named = m["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == home_goal)
        .unwrap()
        .clone();
    assert_eq!(
        (named["player"].as_str(), named["minute"].as_u64()),
        (Some("Ricardo Seabra"), Some(29))
    );
    assert_eq!(score_and_tally(base).await, ((2, 1), (2, 1)));

    ack(
        base,
        json!({"type":"score.set","match_id":1,"home":5,"away":2}),
    )
    .await;
    let m: Value = get_json(&format!("{base}/api/matches/1")).await;
    let correction = m["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == "correction")
        .expect("the override is on the timeline")
        .clone();
    assert_eq!(correction["detail"], "score corrected from 2-1 to 5-2");
    assert_eq!(score_and_tally(base).await, ((5, 2), (5, 2)));

    let away_goal = m["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == "goal" && i["team"] == "away")
        .unwrap()["id"]
        .clone();
    ack(
        base,
        json!({"type":"incident.remove","match_id":1,"incident_id":away_goal}),
    )
    .await;
    assert_eq!(score_and_tally(base).await, ((5, 1), (5, 1)));
    ack(
        base,
        json!({"type":"incident.remove","match_id":1,"incident_id":correction["id"]}),
    )
    .await;
    assert_eq!(score_and_tally(base).await, ((2, 0), (2, 0)));

    // A minute the match has not reached is refused, and changes nothing.
    let mut resp = client()
        .post(format!("{base}/api/admin/commands"))
        .insert_header(("Authorization", format!("Bearer {ALICE}")))
        .send_body(
            json!({"type":"incident.add","match_id":1,"kind":"goal","team":"home","minute":150})
                .to_string(),
        )
        .await
        .unwrap();
    let refused: Value = resp.json().await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .starts_with("minute: 150"),
        "{refused}"
    );
    assert_eq!(score_and_tally(base).await, ((2, 0), (2, 0)));
}

#[actix_rt::test]
async fn in_memory_the_score_follows_its_timeline_through_corrections_and_undo() {
    let server = TestServer::start(with_admins);
    desk_session(server.url("").trim_end_matches('/')).await;
}

#[actix_rt::test]
async fn on_sqlite_the_score_and_its_timeline_survive_a_restart_together() {
    let dir = tempfile::tempdir().unwrap();
    let p = Proc::start(dir.path(), &["--no-generator"]);
    desk_session(&p.base).await;
    p.stop();
    let p = Proc::start(dir.path(), &["--no-generator"]);
    assert_eq!(score_and_tally(&p.base).await, ((2, 0), (2, 0)));
    assert_eq!(
        scorer_of_home_goal(&p.base).await.as_deref(),
        Some("Ricardo Seabra")
    );
}

#[actix_rt::test]
async fn on_postgresql_every_node_has_the_score_its_timeline_adds_up_to() {
    let pg = postgres::shared();
    let url = pg.fresh_database().await;
    let first = postgres::cluster_node(&url);
    let second = postgres::cluster_node(&url);
    desk_session(first.url("").trim_end_matches('/')).await;
    let other = second.url("");
    let other = other.trim_end_matches('/');
    eventually(
        "the second node follows",
        std::time::Duration::from_secs(10),
        || async { score_and_tally(other).await.0 == (2, 0) },
    )
    .await;
    assert_eq!(score_and_tally(other).await, ((2, 0), (2, 0)));
    assert_eq!(
        scorer_of_home_goal(other).await.as_deref(),
        Some("Ricardo Seabra")
    );
}
