//! A `HEAD` asking for brotli costs what a `HEAD` costs, not what compressing the body it never
//! sends would: measured as this process's CPU time, which is why the test has a file (and so a
//! process) of its own; tests running beside it would add theirs.

mod common;

use std::time::Duration;

use actix_web::http::StatusCode;
use common::{ALICE, TestServer, client, with_admins};
use serde_json::json;

/// CPU time this process has used (user and system).
fn cpu_time() -> Duration {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage fills the struct it is given, which is large enough.
    let usage = unsafe {
        assert_eq!(libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()), 0);
        usage.assume_init()
    };
    let time = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    time(usage.ru_utime) + time(usage.ru_stime)
}

/// CPU time for `n` requests of `method` on `url` with `Accept-Encoding: br`, bodies read.
async fn cost(method: actix_web::http::Method, url: &str, n: usize) -> Duration {
    let started = cpu_time();
    for _ in 0..n {
        let mut resp = client()
            .request(method.clone(), url)
            .insert_header(("Accept-Encoding", "br"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(resp.headers().get("content-encoding").unwrap(), "br");
        resp.body().limit(16 << 20).await.unwrap();
    }
    cpu_time() - started
}

#[actix_rt::test]
async fn a_head_with_brotli_compresses_nothing() {
    let server = TestServer::start(with_admins);
    for n in 0..8 {
        let body: String = (0..900).map(|i| format!("line {n}-{i} ")).collect();
        let (status, reply) = common::post_command(
            &server,
            Some(ALICE),
            json!({"type": "news.publish", "headline": format!("story {n}"), "body": &body[..9_000]})
                .to_string(),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{reply}");
    }
    let url = server.url("/api/snapshot");
    use actix_web::http::Method;
    cost(Method::GET, &url, 2).await;
    let get = cost(Method::GET, &url, 30).await;
    let head = cost(Method::HEAD, &url, 30).await;
    eprintln!("30 GETs: {get:?} of CPU, 30 HEADs: {head:?}");
    assert!(
        head * 3 < get,
        "a HEAD costs {head:?} of CPU against {get:?} for a GET that compresses"
    );
}
