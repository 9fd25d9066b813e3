//! Per-match presence over the admin WebSocket: each admin's `editing` frame reaches every admin
//! in `presence` frames ("bob is editing"), a session that ends stops editing, and a bad match
//! id is a `bad_request` that leaves the session open; over HTTP `editing` is no command. (The
//! cluster-wide half is in `tests/cluster.rs`.)

mod common;

use actix_web::http::StatusCode;
use common::*;
use serde_json::json;

/// The presence frame that shows `editing`, skipping the ones before it.
async fn presence_with(admin: &mut AdminClient, editing: serde_json::Value) -> serde_json::Value {
    loop {
        let presence = admin.next_of("presence").await;
        if presence.get("editing").cloned().unwrap_or(json!([])) == editing {
            return presence;
        }
    }
}

#[actix_rt::test]
async fn admins_see_who_is_at_work_on_which_match() {
    let server = TestServer::start(with_admins);
    let (mut alice, _) = AdminClient::login(&server, ALICE).await;
    let (mut bob, _) = AdminClient::login(&server, BOB).await;
    bob.send_json(json!({"type":"editing","match_id":4})).await;
    let seen = presence_with(&mut alice, json!([{"admin":"bob","match_id":4}])).await;
    assert_eq!(seen["admins"], json!(["alice", "bob"]));
    alice
        .send_json(json!({"type":"editing","match_id":4}))
        .await;
    presence_with(
        &mut bob,
        json!([{"admin":"alice","match_id":4},{"admin":"bob","match_id":4}]),
    )
    .await;
    bob.send_json(json!({"type":"editing","match_id":null}))
        .await;
    presence_with(&mut alice, json!([{"admin":"alice","match_id":4}])).await;
    bob.send_json(json!({"type":"editing","match_id":7})).await;
    presence_with(
        &mut alice,
        json!([{"admin":"alice","match_id":4},{"admin":"bob","match_id":7}]),
    )
    .await;
    // A session that ends stops editing.
    drop(bob);
    presence_with(&mut alice, json!([{"admin":"alice","match_id":4}])).await;

    // A bad match id is a bad request naming the field; the session goes on.
    alice
        .send_json(json!({"type":"editing","match_id":"four"}))
        .await;
    let error = alice.next_of("error").await;
    assert_eq!(error["code"], "bad_request", "{error}");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("`match_id` must be a match id or null"),
        "{error}"
    );
    // Over HTTP it is no command.
    let mut resp = client()
        .post(server.url("/api/admin/commands"))
        .insert_header(("Authorization", format!("Bearer {ALICE}")))
        .send_body(json!({"type":"editing","match_id":1}).to_string())
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert!(body.to_string().contains("it is not a command"), "{body}");
}
