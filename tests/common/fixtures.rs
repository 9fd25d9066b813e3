//! Fixture directories for `--fixtures`: the shipped leagues and teams with a made-up list of
//! matches today, for tests that need many matches on one day (or only a few).

use std::path::Path;

/// The shipped fixtures with `count` Premier League matches today (ids 1 to `count`, two at each
/// kick-off from 00:00 every five minutes, so that ties in kick-off are ordered by id) and no
/// news.
pub fn matches_today(count: u32) -> tempfile::TempDir {
    const TEAMS: [&str; 8] = ["ARS", "CHE", "LIV", "MCI", "MUN", "TOT", "NEW", "AVL"];
    let dir = tempfile::tempdir().unwrap();
    for name in ["leagues.json", "teams.json"] {
        let src = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(name);
        std::fs::copy(src, dir.path().join(name)).unwrap();
    }
    let matches: Vec<serde_json::Value> = (1..=count)
        .map(|id| {
            let minutes = (id - 1) / 2 * 5 % (24 * 60);
            let home = TEAMS[id as usize % 8];
            let away = TEAMS[(id as usize + 1 + id as usize / 8) % 8];
            let away = if away == home {
                TEAMS[(id as usize + 3) % 8]
            } else {
                away
            };
            serde_json::json!({
                "id": id,
                "league": "epl",
                "home": home,
                "away": away,
                "kickoff": format!("{:02}:{:02}", minutes / 60, minutes % 60),
            })
        })
        .collect();
    std::fs::write(
        dir.path().join("matches.json"),
        serde_json::to_string(&matches).unwrap(),
    )
    .unwrap();
    std::fs::write(dir.path().join("news.json"), "[]").unwrap();
    dir
}
