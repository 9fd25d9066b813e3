//! `GET /readyz`: whether this node should be sent traffic now. `/healthz` says the process is
//! alive; this says it can do its job: the hub answers, the store takes writes, and the server
//! is not shutting down. A load balancer takes a node out while this answers 503.
//!
//! `200 {"ready":true,"checks":{"hub":"ok","store":"ok","shutdown":"ok"}}`, or `503` with
//! `"ready":false` and, for each failing check, a sentence saying what fails.

use std::sync::atomic::Ordering;
use std::time::Duration;

use actix_web::{HttpResponse, get, web};
use serde_json::json;

use crate::actors::hub::StoreReady;
use crate::http::AppState;

/// How long the hub may take to answer before the node counts as unready.
const HUB_ANSWER: Duration = Duration::from_secs(2);

const OK: &str = "ok";

#[get("/readyz")]
pub async fn readyz(app: web::Data<AppState>) -> HttpResponse {
    let (hub, store) = match tokio::time::timeout(HUB_ANSWER, app.hub.send(StoreReady)).await {
        Ok(Ok(store)) => (Ok(()), store),
        Ok(Err(e)) => {
            let why = format!("the hub does not answer: {e}");
            (Err(why), Err("unknown: the hub does not answer".to_owned()))
        }
        Err(_) => {
            let why = format!("the hub has not answered within {} s", HUB_ANSWER.as_secs());
            (Err(why), Err("unknown: the hub does not answer".to_owned()))
        }
    };
    let shutdown = if app.shutting_down.load(Ordering::Relaxed) {
        Err("shutting down".to_owned())
    } else {
        Ok(())
    };
    let ready = hub.is_ok() && store.is_ok() && shutdown.is_ok();
    let show = |check: Result<(), String>| check.err().unwrap_or_else(|| OK.to_owned());
    let body = json!({
        "ready": ready,
        "checks": {"hub": show(hub), "store": show(store), "shutdown": show(shutdown)},
    });
    let mut response = if ready {
        HttpResponse::Ok()
    } else {
        HttpResponse::ServiceUnavailable()
    };
    response
        .insert_header(actix_web::http::header::CacheControl(vec![
            actix_web::http::header::CacheDirective::NoCache,
        ]))
        .json(body)
}
