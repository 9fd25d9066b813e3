//! The desk over HTTP, as alice, against a base URL: the same session of commands can run
//! against an in-process server, a spawned process and each node of a cluster.

use actix_web::http::StatusCode;
use serde_json::Value;

use super::{ALICE, client};

/// POST `command` to the server at `base`: the status and the reply.
pub async fn send(base: &str, command: &Value) -> (StatusCode, Value) {
    let mut resp = client()
        .post(format!("{base}/api/admin/commands"))
        .insert_header(("Authorization", format!("Bearer {ALICE}")))
        .send_body(command.to_string())
        .await
        .unwrap();
    let reply: Value = resp.json().await.unwrap();
    (resp.status(), reply)
}

/// POST `command`, which must be acknowledged: the ack.
pub async fn ack(base: &str, command: Value) -> Value {
    let (status, reply) = send(base, &command).await;
    assert_eq!(status, StatusCode::OK, "{command}: {reply}");
    reply
}
