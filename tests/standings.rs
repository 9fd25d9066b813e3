//! The league table on every store: four Premier League matches played through the admin API,
//! one of them counted "as it stands" while under way, then archived by a calendar roll; the
//! table, the top scorers and a team page stay what the results say, in memory, on SQLite
//! across a restart, and on both nodes of a PostgreSQL cluster.

mod common;

use actix_web::http::StatusCode;
use chrono::{Days, Utc};
use common::desk::ack;
use common::process::Proc;
use common::*;
use serde_json::{Value, json};

/// Play `match_id` to `home`-`away`, the home goals scored by `scorer` (any of the squad's
/// names or `#number`), then end it unless `keep_live`.
async fn play(
    base: &str,
    match_id: u32,
    (home, away): (u32, u32),
    scorer: Option<&str>,
    keep_live: bool,
) {
    ack(
        base,
        json!({"type":"match.status","match_id":match_id,"status":"live","minute":30}),
    )
    .await;
    for (side, goals) in [("home", home), ("away", away)] {
        for _ in 0..goals {
            let player = if side == "home" { scorer } else { None };
            ack(base, json!({"type":"incident.add","match_id":match_id,"kind":"goal","team":side,"player":player})).await;
        }
    }
    if !keep_live {
        ack(
            base,
            json!({"type":"match.status","match_id":match_id,"status":"final"}),
        )
        .await;
    }
}

async fn get_text(url: &str) -> (StatusCode, String) {
    let (status, body) = get(url).await;
    (status, String::from_utf8_lossy(&body).into_owned())
}

async fn table(base: &str) -> Value {
    get_json(&format!("{base}/api/standings?league=epl")).await
}

/// Each team's (played, won, drawn, lost, for, against), folded here from the matches' JSON.
fn fold(matches: &[Value]) -> std::collections::BTreeMap<String, [i64; 6]> {
    let mut rows = std::collections::BTreeMap::<String, [i64; 6]>::new();
    for m in matches
        .iter()
        .filter(|m| m["league"] == "epl" && m["status"] == "final")
    {
        let (h, a) = (
            m["score"]["home"].as_i64().unwrap(),
            m["score"]["away"].as_i64().unwrap(),
        );
        for (team, us, them) in [(&m["home"], h, a), (&m["away"], a, h)] {
            let row = rows.entry(team.as_str().unwrap().to_owned()).or_default();
            row[0] += 1;
            row[1 + usize::from(us == them) + 2 * usize::from(us < them)] += 1;
            row[4] += us;
            row[5] += them;
        }
    }
    rows
}

fn figures(t: &Value) -> std::collections::BTreeMap<String, [i64; 6]> {
    t["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["played"].as_i64().unwrap() > 0)
        .map(|r| {
            let n = |k: &str| r[k].as_i64().unwrap();
            (
                r["team"].as_str().unwrap().to_owned(),
                [
                    n("played"),
                    n("won"),
                    n("drawn"),
                    n("lost"),
                    n("scored"),
                    n("conceded"),
                ],
            )
        })
        .collect()
}

fn order(t: &Value) -> Vec<&str> {
    t["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["team"].as_str().unwrap())
        .collect()
}

/// Order of the table after the four results below: 3 points each for AVL (+3), ARS (+2) and
/// MCI (+1); LIV and MUN level on everything, their meeting drawn, so by name; then the losers.
const EXPECTED: [&str; 8] = ["AVL", "ARS", "MCI", "LIV", "MUN", "TOT", "CHE", "NEW"];

/// The round, checked as it goes; returns the table once archived.
async fn round(base: &str) -> Value {
    play(base, 1, (2, 0), Some("#14"), false).await; // ARS 2-0 CHE, Ricardo Seabra twice
    play(base, 2, (1, 1), None, false).await; // LIV 1-1 MUN
    play(base, 3, (0, 3), None, false).await; // NEW 0-3 AVL
    play(base, 4, (1, 0), Some("Ikenna Chukwu"), true).await; // MCI 1-0 TOT, under way

    let live = table(base).await;
    assert_eq!(live["live"], true, "{live}");
    let mci = &live["rows"].as_array().unwrap()[2];
    assert_eq!(
        (mci["team"].as_str(), mci["playing"].as_i64()),
        (Some("MCI"), Some(4)),
        "{live}"
    );
    assert_eq!(mci["points"], 3);
    assert_eq!(mci["form"], "", "form counts final results only");
    ack(
        base,
        json!({"type":"match.status","match_id":4,"status":"final"}),
    )
    .await;

    let today = Utc::now().date_naive();
    let day: Value = get_json(&format!("{base}/api/matches?date={today}")).await;
    let played = day.as_array().unwrap().clone();
    let before = table(base).await;
    assert_eq!(
        figures(&before),
        fold(&played),
        "the table is the sum of the results"
    );
    assert_eq!(order(&before), EXPECTED);
    assert_eq!(before["live"], false);
    assert_eq!(before["scorers"][0]["player"], "Ricardo Seabra");
    assert_eq!(before["scorers"][0]["scored"], 2);

    let later = today.checked_add_days(Days::new(2)).unwrap();
    ack(
        base,
        json!({"type":"calendar.roll","today": later.to_string()}),
    )
    .await;
    let snapshot: Value = get_json(&format!("{base}/api/snapshot")).await;
    let live_ids: Vec<i64> = snapshot["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_i64().unwrap())
        .collect();
    assert!(
        !live_ids.contains(&1),
        "the round was archived: {live_ids:?}"
    );
    assert!(
        snapshot.get("season").is_none(),
        "viewers' snapshots leave the season out"
    );
    let after = table(base).await;
    assert_eq!(
        figures(&after),
        figures(&before),
        "archived results still count"
    );
    assert_eq!(order(&after), EXPECTED);
    after
}

async fn team_page_shows_the_archived_result(base: &str) {
    let page: Value = get_json(&format!("{base}/api/teams/ARS")).await;
    assert_eq!(page["standing"]["position"], 2, "{page}");
    assert_eq!(page["standing"]["form"], "W");
    let result = &page["results"][0];
    assert_eq!(
        (
            result["match_id"].as_i64(),
            result["scored"].as_i64(),
            result["conceded"].as_i64()
        ),
        (Some(1), Some(2), Some(0)),
        "{page}"
    );
    assert_eq!(result["opponent"], "CHE");
    assert_eq!(
        page["team"]["squad"].as_array().map(Vec::len),
        Some(16),
        "{page}"
    );
}

#[actix_rt::test]
async fn in_memory_the_table_is_the_sum_of_the_results_archived_or_not() {
    let server = TestServer::start(with_admins);
    let base = server.url("");
    let base = base.trim_end_matches('/');
    round(base).await;
    team_page_shows_the_archived_result(base).await;

    let (status, body) = get_text(&format!("{base}/api/standings?league=mls")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("league `mls` does not exist"), "{body}");
    let (status, body) = get_text(&format!("{base}/api/standings")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("league: required, one of epl"), "{body}");
    let (status, body) = get_text(&format!("{base}/api/teams/XYZ")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("team `XYZ` does not exist"), "{body}");
}

#[actix_rt::test]
async fn on_sqlite_the_season_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let p = Proc::start(dir.path(), &["--no-generator"]);
    let before = round(&p.base).await;
    p.stop();
    let p = Proc::start(dir.path(), &["--no-generator"]);
    let after = table(&p.base).await;
    assert_eq!(after["rows"], before["rows"]);
    assert_eq!(after["scorers"], before["scorers"]);
    team_page_shows_the_archived_result(&p.base).await;
}

#[actix_rt::test]
async fn on_postgresql_both_nodes_have_the_same_table() {
    let pg = postgres::shared();
    let url = pg.fresh_database().await;
    let first = postgres::cluster_node(&url);
    let second = postgres::cluster_node(&url);
    let before = round(first.url("").trim_end_matches('/')).await;
    let other = second.url("");
    let other = other.trim_end_matches('/');
    eventually(
        "the second node has the table",
        std::time::Duration::from_secs(10),
        || async { table(other).await["rows"] == before["rows"] },
    )
    .await;
    assert_eq!(table(other).await["scorers"], before["scorers"]);
    team_page_shows_the_archived_result(other).await;
}
