//! The editor's desk reads: the audit trail (`GET /api/admin/audit`) and a story's history
//! (`GET /api/admin/news/{id}/history`), both for holders of an admin or editor token and both
//! read back from the event log (see [`crate::feed::audit`]): the store's, off the hub, one read
//! per `--max-store-replays` turn; or without a store the hub's memory log.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, ResponseError, get, web};
use serde::Deserialize;

use crate::actors::hub::{Browse, ReadLog};
use crate::feed::Envelope;
use crate::feed::audit::{
    AUDIT_PAGE, AuditEntry, Author, LogQuery, MAX_AUDIT_PAGE, audited, history, is_about_news,
};
use crate::http::AppState;
use crate::http::browse::{from_store, store_turn, stored_news, unreadable};
use crate::http::client_ip::client_key;
use crate::http::error::ApiError;
use crate::ids::{NewsId, Seq};
use crate::store::archive::NewsQuery;
use crate::throttle::whole_seconds;

/// The name behind the request's `Authorization: Bearer` token, or why it is refused: 401
/// without a known token, 429 for an address that must wait after failed logins (the same
/// throttle as the admin channel).
fn person(req: &HttpRequest, app: &AppState) -> Result<String, ApiError> {
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let peer = client_key(req, &app.config.trusted_proxies);
    let throttle = &app.admin.throttle;
    if token.is_some()
        && let Some(Err(wait)) = peer.map(|ip| throttle.check(ip))
    {
        let mut error = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            throttle.message(wait),
        );
        error.retry_after = Some(whole_seconds(wait));
        return Err(error);
    }
    let Some(identity) = token.and_then(|t| app.admin.tokens.authenticate(t)) else {
        let message = match token {
            None => "send an admin or editor token as `Authorization: Bearer TOKEN`",
            Some(_) => {
                if let Some(ip) = peer {
                    throttle.failed(ip);
                }
                "unknown token"
            }
        };
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            message,
        ));
    };
    if let Some(ip) = peer {
        throttle.succeeded(ip);
    }
    Ok(identity.name.to_owned())
}

/// The answer to a refused [`person`]: its error, and on 401 the `WWW-Authenticate` challenge.
fn refusal(error: &ApiError) -> HttpResponse {
    let mut response = error.error_response();
    if error.status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Bearer"),
        );
    }
    response
}

fn json(body: Vec<u8>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body)
}

/// The events `query` selects, as `(seq, envelope JSON)`, from wherever the log is kept. The
/// memory log's events are filtered and cut to the page here, off the hub.
async fn read_log(app: &AppState, query: LogQuery) -> Result<Vec<(Seq, String)>, ApiError> {
    if let Some(pg) = &app.pg {
        let _turn = store_turn(app).await?;
        return pg
            .read_log(query)
            .await
            .map_err(|e| unreadable(format!("the log could not be read: {e}")));
    }
    if app.data_dir.is_some() {
        return from_store(app, Vec::new(), move |store| store.read_log(query)).await;
    }
    let held = app.hub.send(ReadLog(query)).await?;
    let as_text =
        |e: &crate::feed::Committed| (e.seq, String::from_utf8_lossy(&e.json).into_owned());
    Ok(match query {
        LogQuery::Audit { limit, all, .. } => held
            .iter()
            .filter(|e| {
                serde_json::from_slice::<Author<'_>>(&e.json).is_ok_and(|a| audited(&a.by, all))
            })
            .take(limit)
            .map(|e| as_text(e))
            .collect(),
        LogQuery::NewsHistory(id) => held
            .iter()
            .filter(|e| is_about_news(&e.json, id))
            .map(|e| as_text(e))
            .collect(),
    })
}

fn envelopes(rows: &[(Seq, String)]) -> Result<Vec<Envelope>, ApiError> {
    rows.iter()
        .map(|(seq, json)| {
            serde_json::from_str(json)
                .map_err(|e| unreadable(format!("event {seq} could not be read: {e}")))
        })
        .collect()
}

#[derive(Debug, Deserialize)]
pub struct AuditParams {
    limit: Option<String>,
    before: Option<String>,
    all: Option<String>,
}

impl AuditParams {
    fn query(&self) -> Result<LogQuery, ApiError> {
        let limit = match &self.limit {
            None => AUDIT_PAGE,
            Some(raw) => match raw.trim().parse::<usize>() {
                Ok(n) if (1..=MAX_AUDIT_PAGE).contains(&n) => n,
                _ => {
                    return Err(ApiError::bad_request(format!(
                        "limit: `{raw}` is not a number from 1 to {MAX_AUDIT_PAGE}"
                    )));
                }
            },
        };
        let before = match &self.before {
            None => None,
            Some(raw) => match raw.trim().parse::<u64>() {
                Ok(seq) if seq >= 1 => Some(Seq(seq)),
                _ => {
                    return Err(ApiError::bad_request(format!(
                        "before: `{raw}` is not a seq (a whole number from 1)"
                    )));
                }
            },
        };
        let all = match self.all.as_deref().map(str::trim) {
            None | Some("false") => false,
            Some("true") => true,
            Some(raw) => {
                return Err(ApiError::bad_request(format!(
                    "all: `{raw}` is not true or false"
                )));
            }
        };
        Ok(LogQuery::Audit { before, limit, all })
    }
}

/// `GET /api/admin/audit?limit=&before=&all=`: who changed what, newest first, at most `limit`
/// (default [`AUDIT_PAGE`]) events before seq `before`; people's only, unless `all=true` adds
/// the generator's and the calendar's. A full page links to the next in a `Link` header.
#[get("/api/admin/audit")]
pub async fn audit(
    req: HttpRequest,
    params: web::Query<AuditParams>,
    app: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    if let Err(refused) = person(&req, &app) {
        return Ok(refusal(&refused));
    }
    let query = params.query()?;
    let rows = read_log(&app, query).await?;
    let entries: Vec<AuditEntry> = envelopes(&rows)?.iter().map(AuditEntry::of).collect();
    let mut response = json(serde_json::to_vec(&entries).expect("audit entries serialize"));
    if let LogQuery::Audit { limit, all, .. } = query
        && entries.len() == limit
        && let Some(last) = entries.last()
    {
        let all = if all { "&all=true" } else { "" };
        let next = format!(
            "</api/admin/audit?before={}&limit={limit}{all}>; rel=\"next\"",
            last.seq
        );
        if let Ok(value) = header::HeaderValue::from_str(&next) {
            response.headers_mut().insert(header::LINK, value);
        }
    }
    Ok(response)
}

/// Whether news item `id` exists, live or archived.
async fn news_exists(app: &AppState, id: NewsId) -> Result<bool, ApiError> {
    let Some(next) = id.0.checked_add(1) else {
        return Ok(false);
    };
    let query = NewsQuery {
        before: Some(NewsId(next)),
        limit: 1,
        match_id: None,
    };
    let live = app.hub.send(Browse::News(query)).await?.news;
    if live.first().is_some_and(|n| n.id == id) {
        return Ok(true);
    }
    let archived = stored_news(app, query).await?;
    Ok(archived.first().is_some_and(|n| n.id == id))
}

/// `GET /api/admin/news/{id}/history`: every version of a story the log holds, oldest first,
/// its retraction last; 404 for an item that never existed (or has left the log and the
/// archive alike).
#[get("/api/admin/news/{id}/history")]
pub async fn news_history(
    req: HttpRequest,
    path: web::Path<String>,
    app: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    if let Err(refused) = person(&req, &app) {
        return Ok(refusal(&refused));
    }
    let raw = path.into_inner();
    let id = raw
        .parse::<u32>()
        .map(NewsId)
        .map_err(|_| ApiError::bad_request(format!("`{raw}` is not a news id")))?;
    let rows = read_log(&app, LogQuery::NewsHistory(id)).await?;
    let entries = history(id, envelopes(&rows)?.iter());
    if entries.is_empty() && !news_exists(&app, id).await? {
        return Err(ApiError::not_found(format!(
            "news item {id} does not exist"
        )));
    }
    Ok(json(
        serde_json::to_vec(&entries).expect("history entries serialize"),
    ))
}
