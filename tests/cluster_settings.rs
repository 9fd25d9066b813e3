//! The settings every node of a cluster must share (the live window: `--timezone`,
//! `--window-back-days`, `--window-ahead-days`, `--live-news`) are recorded in the database by the
//! first node; a node started with others is refused at start-up, the error naming each setting
//! that differs, the node's value and the recorded one.

mod common;

use common::postgres;
use livescore::config::{Config, Secret};
use livescore::server::Background;

/// Start a node on `url` as `postgres::cluster_node` does, adjusted by `configure`; the error
/// message if it is refused.
fn start(url: &str, configure: impl FnOnce(&mut Config)) -> Result<Background, String> {
    let mut config = Config::defaults();
    config.bind = "127.0.0.1:0".parse().unwrap();
    config.no_generator = true;
    config.workers = Some(1);
    config.in_memory = false;
    config.database_url = Some(Secret(url.to_owned()));
    config.live_news = 1_000_000;
    configure(&mut config);
    Background::start(config).map_err(|e| e.to_string())
}

#[actix_rt::test]
async fn a_node_whose_window_differs_from_the_recorded_one_is_refused_naming_each_setting() {
    let url = postgres::shared().fresh_database().await;
    let first = start(&url, |_| {}).expect("the first node records its settings");

    let refused = start(&url, |c| {
        c.timezone = chrono_tz::Europe::London;
        c.live_news = 5;
    })
    .err()
    .expect("a node with another time zone and news count is refused");
    assert!(
        refused.contains("--timezone is Europe/London on this node but UTC in the database"),
        "{refused}"
    );
    assert!(
        refused.contains("--live-news is 5 on this node but 1000000 in the database"),
        "{refused}"
    );
    assert!(!refused.contains("window-back-days"), "{refused}");

    let refused = start(&url, |c| c.window_back_days = 2)
        .err()
        .expect("a node keeping more days is refused");
    assert!(
        refused.contains("--window-back-days is 2 on this node but 1 in the database"),
        "{refused}"
    );
    let refused = start(&url, |c| c.window_ahead_days = 3)
        .err()
        .expect("a node scheduling further ahead is refused");
    assert!(
        refused.contains("--window-ahead-days is 3 on this node but 1 in the database"),
        "{refused}"
    );

    // The same settings join the same stream, also once the first node is gone: the record stays.
    let first_stream = first.stream.clone();
    drop(first);
    let second = start(&url, |_| {}).expect("a node with the recorded settings starts");
    assert_eq!(second.stream, first_stream);
}
