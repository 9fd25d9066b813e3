//! `GET /api/openapi.json` describes the HTTP API as it is: every route the server registers is
//! in it, and every path and method in it, called on a real server with good and bad input,
//! answers with a status it documents and a JSON body its schema accepts.

mod common;
#[path = "common/requests.rs"]
mod requests;
#[path = "common/schema.rs"]
mod schema;

use std::collections::{BTreeSet, HashMap};

use actix_web::http::StatusCode;
use common::*;
use requests::{case, send, trickled_post, upgrade};
use serde_json::{Value, json};

/// Routes the lead is adding on another branch: documented here already, skipped when this
/// server answers them with 404 "no route".
const LEAD_ROUTES: [&str; 1] = ["/readyz"];

/// An editor's token on the main test server.
const EDITOR: &str = "ed-token-000005";

/// Every `#[get("...")]` / `#[post("...")]` route in `src/http/`, and the three pages.
fn registered_routes() -> BTreeSet<(String, String)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/http");
    let mut routes = BTreeSet::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let source = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for line in source.lines().map(str::trim) {
            for method in ["get", "post", "put", "patch", "delete"] {
                if let Some(rest) = line.strip_prefix(&format!("#[{method}(\"")) {
                    let path = rest.split('"').next().unwrap().to_owned();
                    routes.insert((method.to_owned(), path));
                }
            }
        }
    }
    // The frontend's pages (http/assets.rs); its other files are static assets.
    routes.insert(("get".into(), "/".into()));
    routes.insert(("get".into(), "/admin".into()));
    routes.insert(("get".into(), "/match/{id}".into()));
    routes.insert(("get".into(), "/standings".into()));
    routes.insert(("get".into(), "/team/{id}".into()));
    routes
}

fn documented_routes(doc: &Value) -> BTreeSet<(String, String)> {
    let mut routes = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            routes.insert((method.clone(), path.clone()));
        }
    }
    routes
}

/// What the document says `status` of `method path` is; panics if it says nothing.
fn documented<'a>(doc: &'a Value, method: &str, path: &str, status: StatusCode) -> &'a Value {
    let responses = &doc["paths"][path][method]["responses"];
    let response = &responses[status.as_str()];
    assert!(
        response.is_object(),
        "{} {path} answered {status}, which the document does not list (it lists {:?})",
        method.to_uppercase(),
        responses.as_object().map(|r| r.keys().collect::<Vec<_>>())
    );
    response
}

/// Check one answer against the document: its status is listed, and a JSON body validates.
fn check(doc: &Value, method: &str, path: &str, status: StatusCode, kind: &str, body: &[u8]) {
    let response = documented(doc, method, path, status);
    let Some(content) = response["content"].as_object() else {
        return;
    };
    let (media, spec) = content
        .iter()
        .find(|(media, _)| kind.starts_with(media.as_str()))
        .unwrap_or_else(|| {
            panic!("{method} {path} {status}: content type {kind:?} not documented")
        });
    if media != "application/json" {
        return;
    }
    let value: Value = serde_json::from_slice(body).unwrap_or_else(|e| {
        panic!(
            "{method} {path} {status}: not JSON ({e}): {}",
            String::from_utf8_lossy(body)
        )
    });
    schema::assert_valid(
        doc,
        &spec["schema"],
        &value,
        &format!("{method} {path} {status}"),
    );
}

/// Whether `url` is refused with 400 (the server knows its parameters) rather than ignored.
async fn refuses(server: &TestServer, url: &str) -> bool {
    get(&server.url(url)).await.0 == StatusCode::BAD_REQUEST
}

#[actix_rt::test]
async fn every_registered_route_is_documented_and_nothing_else() {
    let server = TestServer::start(|_| {});
    let doc: Value = get_json(&server.url("/api/openapi.json")).await;
    assert_eq!(doc["openapi"], "3.1.0");
    let mut registered = registered_routes();
    registered.extend(
        LEAD_ROUTES
            .iter()
            .map(|p| ("get".to_owned(), p.to_string())),
    );
    let documented = documented_routes(&doc);
    let missing: Vec<_> = registered.difference(&documented).collect();
    let extra: Vec<_> = documented.difference(&registered).collect();
    assert!(
        missing.is_empty(),
        "routes the document leaves out: {missing:?}"
    );
    assert!(
        extra.is_empty(),
        "documented routes the server lacks: {extra:?}"
    );
    for route in ["/events", "/api/admin/commands", "/healthz", "/ws/admin"] {
        assert!(
            registered.iter().any(|(_, p)| p == route),
            "{route} found in src/http"
        );
    }
}

#[actix_rt::test]
async fn every_documented_operation_answers_as_documented() {
    let main = TestServer::start(|c| {
        c.admin_tokens = Some(livescore::config::Secret(format!(
            "alice:{ALICE},bob:{BOB},ed:{EDITOR}:editor"
        )));
        c.max_body_bytes = 2048;
        c.body_timeout_secs = 1;
    });
    // A server whose one viewer slot is taken.
    let full = TestServer::start(|c| c.max_viewers = 1);
    let _holder = SseClient::connect(&full.url("/events"), None).await;
    let strict = TestServer::start(|c| {
        with_admins(c);
        c.auth_fail_limit = 1;
        c.auth_backoff_ms = 60_000;
    });
    let doc: Value = get_json(&main.url("/api/openapi.json")).await;
    let ws_cases: Vec<(&TestServer, &str, &str, u16)> = vec![
        (
            &main,
            "/ws/feed",
            "/ws/feed?leagues=epl&lastEventId=x.1",
            101,
        ),
        (&main, "/ws/admin", "/ws/admin", 101),
    ];
    for (server, path, url, want) in ws_cases {
        let status = upgrade(server, url).await;
        assert_eq!(status.as_u16(), want, "WebSocket {url}");
        documented(&doc, "get", path, status);
    }
    let post = ("post", "/api/admin/commands");
    let audit = ("get", "/api/admin/audit");
    let history = ("get", "/api/admin/news/{id}/history");
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339();
    let since = format!("/api/events?since={}.0&wait=0", main.stream);
    let mut cases = vec![
        case(&main, ("get", "/events"), "/events?matches=1,2&types=score,status", 200),
        case(&main, ("get", "/events"), "/events", 200).header("Last-Event-ID", "zz.9"),
        case(&main, ("get", "/events"), "/events?leagues=xfl", 400),
        case(&main, ("get", "/events"), "/events?types=goals", 400),
        case(&full, ("get", "/events"), "/events", 503),
        case(&main, ("get", "/ws/feed"), "/ws/feed", 400),
        case(&main, ("get", "/ws/feed"), "/ws/feed?matches=one", 400),
        case(&full, ("get", "/ws/feed"), "/ws/feed", 503),
        case(&main, ("get", "/ws/admin"), "/ws/admin", 400),
        case(&main, ("get", "/ws/admin"), "/ws/admin", 403).header("Origin", "https://evil.example"),
        case(&main, ("get", "/api/snapshot"), "/api/snapshot", 200),
        case(&main, ("get", "/api/snapshot"), "/api/snapshot?types=score,status&leagues=epl", 200),
        case(&main, ("get", "/api/snapshot"), "/api/snapshot?leagues=xfl", 400),
        case(&main, post, "/api/admin/commands", 200).admin()
            .body(json!({"type":"news.publish","headline":"Kick-off soon","tags":["epl"],"match_id":1,"breaking":true})),
        case(&main, post, "/api/admin/commands", 200).admin()
            .body(json!({"type":"match.status","id":"s1","match_id":1,"status":"live"})),
        case(&main, post, "/api/admin/commands", 200).admin()
            .body(json!({"type":"incident.add","id":7,"match_id":1,"kind":"goal","team":"home"})),
        case(&main, post, "/api/admin/commands", 200).admin()
            .body(json!({"type":"score.set","match_id":1,"home":2,"away":0})),
        case(&main, post, "/api/admin/commands", 200).admin()
            .body(json!({"type":"match.create","league":"epl","home":"ARS","away":"CHE","kickoff":tomorrow})),
        case(&main, post, "/api/admin/commands", 200).admin()
            .body(json!({"type":"news.update","news_id":1,"headline":"Updated"})),
        case(&main, post, "/api/admin/commands", 200).admin()
            .body(json!({"type":"news.retract","news_id":2})),
        case(&main, post, "/api/admin/commands", 400).admin().body("{not json"),
        case(&main, post, "/api/admin/commands", 400).admin().body(json!({"type":"score.nuke"})),
        case(&main, post, "/api/admin/commands", 401).body(json!({"type":"news.retract","news_id":3})),
        case(&main, post, "/api/admin/commands", 404).admin().body(json!({"type":"news.retract","news_id":999})),
        case(&main, post, "/api/admin/commands", 404).admin()
            .body(json!({"type":"incident.remove","match_id":1,"incident_id":999999})),
        case(&main, post, "/api/admin/commands", 404).admin()
            .body(json!({"type":"incident.amend","match_id":1,"incident_id":999999,"player":"unknown"})),
        case(&main, post, "/api/admin/commands", 403)
            .header("Authorization", format!("Bearer {EDITOR}"))
            .body(json!({"type":"match.create","league":"epl","home":"ARS","away":"CHE","kickoff":tomorrow})),
        case(&main, post, "/api/admin/commands", 200)
            .header("Authorization", format!("Bearer {EDITOR}"))
            .body(json!({"type":"news.update","news_id":1,"breaking":true})),
        case(&main, audit, "/api/admin/audit", 200).admin(),
        case(&main, audit, "/api/admin/audit?limit=1&before=1000&all=true", 200).admin(),
        case(&main, audit, "/api/admin/audit?limit=0", 400).admin(),
        case(&main, audit, "/api/admin/audit", 401),
        case(&main, history, "/api/admin/news/1/history", 200).admin(),
        case(&main, history, "/api/admin/news/x/history", 400).admin(),
        case(&main, history, "/api/admin/news/1/history", 401),
        case(&main, history, "/api/admin/news/9999/history", 404).admin(),
        case(&main, post, "/api/admin/commands", 409).admin()
            .body(json!({"type":"score.set","match_id":1,"home":3,"away":0,"expected_version":1})),
        case(&main, post, "/api/admin/commands", 413).admin().body(json!({"type":"news.publish","headline":"x".repeat(4000)})),
        case(&main, post, "/api/admin/commands", 422).admin().body(json!({"type":"score.set","match_id":1,"home":-1,"away":0})),
        case(&main, post, "/api/admin/commands", 503).admin().body(json!({"type":"generator.control","running":false})),
        case(&main, ("get", "/api/events"), "/api/events?wait=0", 200),
        case(&main, ("get", "/api/events"), &since, 200),
        case(&main, ("get", "/api/events"), &format!("{since}&limit=1&types=news"), 200),
        case(&main, ("get", "/api/events"), "/api/events?wait=abc", 400),
        case(&main, ("get", "/api/events"), "/api/events?since=zz", 400),
        case(&main, ("get", "/api/events"), "/api/events?limit=0", 400),
        case(&full, ("get", "/api/events"), "/api/events?wait=0", 503),
        case(&main, ("get", "/api/matches"), "/api/matches", 200),
        case(&main, ("get", "/api/matches"), "/api/matches?from=2026-11-01&to=2026-11-30&after=2026-11-25T15:00:00Z_4", 200),
        case(&main, ("get", "/api/matches"), "/api/matches?date=2026-11-25&after=4", 400),
        case(&full, ("get", "/api/matches"), "/api/matches?date=2026-11-25", 503),
        case(&main, ("get", "/api/matches/{id}"), "/api/matches/1", 200),
        case(&main, ("get", "/api/matches/{id}"), "/api/matches/x", 400),
        case(&main, ("get", "/api/matches/{id}"), "/api/matches/999", 404),
        case(&main, ("get", "/api/news"), "/api/news", 200),
        case(&main, ("get", "/api/teams"), "/api/teams", 200),
        case(&main, ("get", "/api/teams/{id}"), "/api/teams/ARS", 200),
        case(&main, ("get", "/api/teams/{id}"), "/api/teams/XYZ", 404),
        case(&main, ("get", "/api/standings"), "/api/standings?league=epl", 200),
        case(&main, ("get", "/api/standings"), "/api/standings?league=nba", 200),
        case(&main, ("get", "/api/standings"), "/api/standings", 400),
        case(&main, ("get", "/api/standings"), "/api/standings?league=mls", 404),
        case(&main, ("get", "/healthz"), "/healthz", 200),
        case(&main, ("get", "/readyz"), "/readyz", 200),
        case(&main, ("get", "/metrics"), "/metrics", 200),
        case(&main, ("get", "/api/openapi.json"), "/api/openapi.json", 200),
        case(&main, ("get", "/"), "/", 200),
        case(&main, ("get", "/admin"), "/admin", 200),
        case(&main, ("get", "/match/{id}"), "/match/1", 200),
        case(&main, ("get", "/match/{id}"), "/match/abc", 404),
        case(&main, ("get", "/standings"), "/standings?league=epl", 200),
        case(&main, ("get", "/team/{id}"), "/team/ARS", 200),
        case(&main, ("get", "/team/{id}"), "/team/a-b", 404),
        case(&strict, post, "/api/admin/commands", 401).header("Authorization", "Bearer wrong-token-1"),
        case(&strict, post, "/api/admin/commands", 429).admin().body(json!({"type":"news.retract","news_id":1})),
        case(&strict, ("get", "/ws/admin"), "/ws/admin", 429),
        case(&strict, audit, "/api/admin/audit", 429).admin(),
        case(&strict, history, "/api/admin/news/1/history", 429).admin(),
    ];
    // The lead's query parameters: run when this server knows them (a bad value is refused),
    // skipped when it ignores them.
    if refuses(&main, "/api/matches?date=2026-13-45").await {
        cases.extend([
            case(
                &main,
                ("get", "/api/matches"),
                "/api/matches?date=2026-11-25",
                200,
            ),
            case(
                &main,
                ("get", "/api/matches"),
                "/api/matches?from=2026-11-01&to=2026-11-30",
                200,
            ),
            case(
                &main,
                ("get", "/api/matches"),
                "/api/matches?date=2026-13-45",
                400,
            ),
            case(
                &main,
                ("get", "/api/matches"),
                "/api/matches?from=2026-01-01&to=2026-03-01",
                400,
            ),
            case(
                &main,
                ("get", "/api/matches"),
                "/api/matches?from=2026-11-30&to=2026-11-01",
                400,
            ),
        ]);
    } else {
        eprintln!("SKIPPED: GET /api/matches?date=|from=&to= (this server ignores them)");
    }
    if refuses(&main, "/api/news?limit=0").await {
        cases.extend([
            case(
                &main,
                ("get", "/api/news"),
                "/api/news?limit=2&before=10&match=1",
                200,
            ),
            case(&main, ("get", "/api/news"), "/api/news?limit=0", 400),
            case(&main, ("get", "/api/news"), "/api/news?limit=101", 400),
            case(&main, ("get", "/api/news"), "/api/news?before=x", 400),
            case(&main, ("get", "/api/news"), "/api/news?match=x", 400),
        ]);
    } else {
        eprintln!("SKIPPED: GET /api/news?before=&limit=&match= (this server ignores them)");
    }

    let mut exercised = BTreeSet::new();
    let mut etags: HashMap<&str, String> = HashMap::new();
    for c in &cases {
        let (method, path) = c.route;
        let (status, kind, body) = send(c).await;
        if LEAD_ROUTES.contains(&path) && status == StatusCode::NOT_FOUND {
            let text = String::from_utf8_lossy(&body);
            if text.contains("no route for") {
                eprintln!(
                    "SKIPPED: {} {path} (not on this branch yet)",
                    method.to_uppercase()
                );
                continue;
            }
        }
        assert_eq!(
            status,
            c.want,
            "{} {}: {}",
            method.to_uppercase(),
            c.url,
            String::from_utf8_lossy(&body)
        );
        check(&doc, method, path, status, &kind, &body);
        exercised.insert((method.to_owned(), path.to_owned()));
        if status == StatusCode::OK && kind.starts_with("text/html") {
            etags.insert(path, c.url.clone());
        }
    }
    // A page asked again with its ETag: 304.
    for (path, url) in etags {
        let response = client().get(main.url(&url)).send().await.unwrap();
        let etag = response
            .headers()
            .get("etag")
            .expect("pages have an ETag")
            .clone();
        let again = client()
            .get(main.url(&url))
            .insert_header(("If-None-Match", etag))
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
        documented(&doc, "get", path, again.status());
    }
    let (status, body) = trickled_post(&main).await;
    assert_eq!(status, StatusCode::REQUEST_TIMEOUT);
    check(
        &doc,
        "post",
        "/api/admin/commands",
        status,
        "application/json",
        &body,
    );

    let skipped: BTreeSet<_> = LEAD_ROUTES
        .iter()
        .map(|p| ("get".to_owned(), p.to_string()))
        .collect();
    let untested: Vec<_> = documented_routes(&doc)
        .into_iter()
        .filter(|r| !exercised.contains(r) && !skipped.contains(r))
        .collect();
    assert!(
        untested.is_empty(),
        "documented but never called: {untested:?}"
    );
}

#[actix_rt::test]
async fn long_polls_cut_at_their_limit_say_so_in_a_documented_header() {
    let server = TestServer::start(with_admins);
    for i in 0..3 {
        post_command(
            &server,
            Some(ALICE),
            json!({"type":"news.publish","headline":format!("N{i}")}).to_string(),
        )
        .await;
    }
    let doc: Value = get_json(&server.url("/api/openapi.json")).await;
    let url = server.url(&format!(
        "/api/events?since={}.0&wait=0&limit=1",
        server.stream
    ));
    let response = client().get(url).send().await.unwrap();
    assert_eq!(response.headers().get("livescore-more").unwrap(), "true");
    let headers = &doc["paths"]["/api/events"]["get"]["responses"]["200"]["headers"];
    assert!(headers["Livescore-More"].is_object(), "{headers}");
}
