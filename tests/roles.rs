//! Roles over real sockets: what an editor and an admin may send, on the WebSocket and over
//! HTTP, what the `ready` frame tells each, and a token list with a role that does not exist.

mod common;

use actix_web::http::StatusCode;
use common::*;
use serde_json::{Value, json};

const CAROL: &str = "carol-token-0003";
const DAVE: &str = "dave-token-00004";

/// alice and bob as plain `name:token` (admins), carol an explicit admin, dave an editor.
fn with_roles(c: &mut livescore::config::Config) {
    c.admin_tokens = Some(livescore::config::Secret(format!(
        "alice:{ALICE},bob:{BOB},carol:{CAROL}:admin,dave:{DAVE}:editor"
    )));
}

/// One way of sending commands: the admin WebSocket or `POST /api/admin/commands`.
enum Via {
    Ws(AdminClient),
    Http(&'static str),
}

impl Via {
    /// Send `command` and return the reply frame (`ack` or `error`); over HTTP the status must
    /// fit the frame.
    async fn send(&mut self, server: &TestServer, command: Value) -> Value {
        match self {
            Via::Ws(ws) => ws.command(command).await,
            Via::Http(token) => {
                let (status, frame) = post_command(server, Some(token), command.to_string()).await;
                let expected = match frame["code"].as_str() {
                    None => StatusCode::OK,
                    Some("forbidden") => StatusCode::FORBIDDEN,
                    Some("unavailable") => StatusCode::SERVICE_UNAVAILABLE,
                    Some(other) => panic!("unexpected {other}: {frame}"),
                };
                assert_eq!(status, expected, "{frame}");
                frame
            }
        }
    }
}

async fn seq(server: &TestServer) -> u64 {
    get_json::<Value>(&server.url("/healthz")).await["seq"]
        .as_u64()
        .unwrap()
}

/// Every command type, sent in an order in which each is valid, by `name` with `role` over
/// `via`: the editor's are carried out, the admin-only ones refused with `forbidden` (and change
/// nothing); an admin's all pass the role check.
async fn every_command_as(name: &str, role: &str, token: &'static str, over_ws: bool) {
    let server = TestServer::start(with_roles);
    let mut via = if over_ws {
        Via::Ws(AdminClient::login(&server, token).await.0)
    } else {
        Via::Http(token)
    };
    let editor = role == "editor";
    let mut n = 0;
    let mut send = async |via: &mut Via, mut command: Value| {
        n += 1;
        command["id"] = json!(format!("c{n}"));
        via.send(&server, command).await
    };
    let ack = |reply: &Value, what: &str| {
        assert_eq!(reply["type"], "ack", "{name} ({role}) {what}: {reply}");
    };
    ack(
        &send(
            &mut via,
            json!({"type":"match.status","match_id":1,"status":"live"}),
        )
        .await,
        "match.status",
    );
    ack(
        &send(
            &mut via,
            json!({"type":"score.set","match_id":1,"home":1,"away":0}),
        )
        .await,
        "score.set",
    );
    ack(
        &send(
            &mut via,
            json!({"type":"incident.add","match_id":1,"kind":"goal","team":"away"}),
        )
        .await,
        "incident.add",
    );
    let game: Value = get_json(&server.url("/api/matches/1")).await;
    let goal = game["incidents"].as_array().unwrap().last().unwrap()["id"].clone();
    ack(
        &send(
            &mut via,
            json!({"type":"incident.amend","match_id":1,"incident_id":goal,"minute":3}),
        )
        .await,
        "incident.amend",
    );
    ack(
        &send(
            &mut via,
            json!({"type":"incident.remove","match_id":1,"incident_id":goal}),
        )
        .await,
        "incident.remove",
    );
    let published = send(
        &mut via,
        json!({"type":"news.publish","headline":"Desk test"}),
    )
    .await;
    ack(&published, "news.publish");
    let news_id = published["news_id"].clone();
    ack(
        &send(
            &mut via,
            json!({"type":"news.update","news_id":news_id,"headline":"Desk test 2"}),
        )
        .await,
        "news.update",
    );
    ack(
        &send(&mut via, json!({"type":"news.retract","news_id":news_id})).await,
        "news.retract",
    );

    let kickoff = (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339();
    let admin_only = [
        json!({"type":"match.create","league":"epl","home":"ARS","away":"LIV","kickoff":kickoff}),
        json!({"type":"calendar.roll","today":"2000-01-01"}),
        json!({"type":"generator.control","running":false}),
    ];
    for command in admin_only {
        let kind = command["type"].as_str().unwrap().to_owned();
        let before = seq(&server).await;
        let reply = send(&mut via, command).await;
        if editor {
            assert_eq!(reply["type"], "error", "{reply}");
            assert_eq!(reply["code"], "forbidden", "{reply}");
            assert_eq!(
                reply["message"],
                format!("{name} is an editor; {kind} needs the admin role")
            );
            assert_eq!(
                seq(&server).await,
                before,
                "a refused {kind} changed nothing"
            );
        } else if kind == "generator.control" {
            // Past the role check, this server has no generator to steer.
            assert_eq!(reply["code"], "unavailable", "{reply}");
        } else {
            ack(&reply, &kind);
        }
    }
}

#[actix_rt::test]
async fn an_editor_runs_the_desk_but_not_the_admin_commands_over_the_websocket() {
    every_command_as("dave", "editor", DAVE, true).await;
}

#[actix_rt::test]
async fn an_editor_runs_the_desk_but_not_the_admin_commands_over_http() {
    every_command_as("dave", "editor", DAVE, false).await;
}

#[actix_rt::test]
async fn an_admin_may_send_every_command_over_the_websocket() {
    every_command_as("carol", "admin", CAROL, true).await;
}

#[actix_rt::test]
async fn a_plain_name_token_entry_is_an_admin_over_http() {
    every_command_as("alice", "admin", ALICE, false).await;
}

#[actix_rt::test]
async fn the_ready_frame_says_the_role_and_what_it_can_send() {
    let server = TestServer::start(with_roles);
    let (_, ready) = AdminClient::login(&server, DAVE).await;
    assert_eq!(ready["admin"], "dave");
    assert_eq!(ready["role"], "editor");
    assert_eq!(
        ready["can"],
        json!([
            "score.set",
            "incident.add",
            "incident.remove",
            "incident.amend",
            "lineup.set",
            "stats.set",
            "match.status",
            "news.publish",
            "news.update",
            "news.retract"
        ])
    );
    for token in [ALICE, CAROL] {
        let (_, ready) = AdminClient::login(&server, token).await;
        assert_eq!(ready["role"], "admin", "{ready}");
        assert_eq!(
            ready["can"],
            json!([
                "score.set",
                "incident.add",
                "incident.remove",
                "incident.amend",
                "lineup.set",
                "stats.set",
                "match.status",
                "match.create",
                "news.publish",
                "news.update",
                "news.retract",
                "calendar.roll",
                "generator.control"
            ])
        );
    }
}

#[test]
fn a_role_that_does_not_exist_is_refused_at_start_up() {
    let tokens = format!("alice:{ALICE},dave:{DAVE}:boss");
    let (ok, _, stderr) = process::run(&[
        "--in-memory",
        "--bind",
        "127.0.0.1:0",
        "--admin-tokens",
        &tokens,
    ]);
    assert!(!ok, "the server must not start");
    assert!(
        stderr.contains("`dave` has the role `boss`; the roles are editor and admin"),
        "{stderr}"
    );
    assert!(
        !stderr.contains(DAVE),
        "the token must not be shown: {stderr}"
    );
}

#[actix_rt::test]
async fn the_token_generated_at_start_up_is_an_admin() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let mut child = Command::new(process::BIN)
        .args(["--in-memory", "--no-generator", "--bind", "127.0.0.1:0"])
        .env_remove("LIVESCORE_ADMIN_TOKENS")
        .env_remove("LIVESCORE_ADMIN_TOKENS_FILE")
        .env("LIVESCORE_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let (mut base, mut token) = (None, None);
    let mut line = String::new();
    while token.is_none() && out.read_line(&mut line).unwrap() > 0 {
        if let Some(rest) = line.trim().strip_prefix("livescore listening on ") {
            base = Some(rest.trim_end_matches('/').to_owned());
        }
        if let Some(rest) = line.trim().strip_prefix("admin token") {
            token = rest.split_whitespace().next().map(str::to_owned);
        }
        line.clear();
    }
    let (base, token) = (base.expect("the banner"), token.expect("a printed token"));
    let kickoff = (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339();
    let mut resp = client()
        .post(format!("{base}/api/admin/commands"))
        .insert_header(("Authorization", format!("Bearer {token}")))
        .send_body(
            json!({"type":"match.create","league":"epl","home":"ARS","away":"LIV","kickoff":kickoff})
                .to_string(),
        )
        .await
        .unwrap();
    let reply: Value = resp.json().await.unwrap();
    assert_eq!(reply["type"], "ack", "an admin-only command: {reply}");
    child.kill().unwrap();
    child.wait().unwrap();
}
