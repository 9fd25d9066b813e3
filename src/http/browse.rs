//! Browsing the calendar: matches by day (`GET /api/matches?date=`, `from`/`to`, answered in
//! pages by `range.rs`), one match live or archived (`GET /api/matches/{id}`), and news pages
//! with a stable cursor (`GET /api/news?before=&limit=&match=`).
//!
//! Each answer joins the hub's live state with the archive: the hub's memory archive without a
//! store, else the store's (SQLite or PostgreSQL), read here, off the hub, one read at a time
//! per `--max-store-replays` turn like replays. An item archived while a lagging node still
//! shows it live is served as archived (its final form).

use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, get, web};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::actors::hub::{Browse, Read, json_array};
use crate::http::AppState;
use crate::http::compressed::{self, Content};
use crate::http::error::ApiError;
use crate::http::range::{self, MatchesQuery};
use crate::ids::{MatchId, NewsId};
use crate::store::Store;
use crate::store::archive::{ListedMatch, ListedNews, NewsQuery};

/// News items per page when `limit` is not given, and the most a page may ask for.
pub const NEWS_PAGE: usize = 20;
pub const MAX_NEWS_PAGE: usize = 100;

fn json(body: Bytes) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .insert_header(("Cache-Control", "no-cache"))
        .body(body)
}

/// `GET /api/matches`: the live state's matches; with `date=YYYY-MM-DD` (or `from`/`to`, at
/// most [`range::MAX_RANGE_DAYS`] days, in `--timezone`), every match of those days, live or
/// archived, in kick-off order and in pages of at most `--max-range-bytes` (see `range.rs`).
#[get("/api/matches")]
pub async fn matches(
    req: HttpRequest,
    query: web::Query<MatchesQuery>,
    app: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    match query.days()? {
        Some(days) => range::answer(&req, &app, &query, days).await,
        None => {
            let body = app.hub.send(Read::Matches).await?.unwrap_or_default();
            Ok(json(body))
        }
    }
}

/// `GET /api/matches/{id}`: one match, live or archived. An archived match never changes, so
/// its compressed form comes from the cache.
#[get("/api/matches/{id}")]
pub async fn one_match(
    req: HttpRequest,
    path: web::Path<String>,
    app: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let raw = path.into_inner();
    let id = raw
        .parse::<u32>()
        .map(MatchId)
        .map_err(|_| ApiError::bad_request(format!("`{raw}` is not a match id")))?;
    let mut browsed = app.hub.send(Browse::Match(id)).await?;
    if let Some(live) = browsed.matches.pop() {
        return Ok(json(live.json));
    }
    let archived = match browsed.archived.pop() {
        Some(m) => Some(m.json),
        None => stored_match(&app, id).await?,
    };
    let Some(body) = archived else {
        return Err(ApiError::not_found(format!("match {id} does not exist")));
    };
    let encoded = compressed::encode(&req, &app.compressed, body, Content::Fixed).await?;
    Ok(encoded.respond("application/json"))
}

#[derive(Debug, Deserialize)]
pub struct NewsParams {
    before: Option<String>,
    limit: Option<String>,
    #[serde(rename = "match")]
    match_id: Option<String>,
}

impl NewsParams {
    fn query(&self) -> Result<NewsQuery, ApiError> {
        let id = |param: &str, kind: &str, raw: &str| {
            raw.trim()
                .parse::<u32>()
                .map_err(|_| ApiError::bad_request(format!("{param}: `{raw}` is not a {kind} id")))
        };
        let limit = match &self.limit {
            None => NEWS_PAGE,
            Some(raw) => match raw.trim().parse::<usize>() {
                Ok(n) if (1..=MAX_NEWS_PAGE).contains(&n) => n,
                _ => {
                    return Err(ApiError::bad_request(format!(
                        "limit: `{raw}` is not a number from 1 to {MAX_NEWS_PAGE}"
                    )));
                }
            },
        };
        Ok(NewsQuery {
            before: self
                .before
                .as_deref()
                .map(|b| id("before", "news", b).map(NewsId))
                .transpose()?,
            limit,
            match_id: self
                .match_id
                .as_deref()
                .map(|m| id("match", "match", m).map(MatchId))
                .transpose()?,
        })
    }
}

/// `GET /api/news?before=<id>&limit=<n>&match=<id>`: news, newest first, live and archived, at
/// most `limit` (default [`NEWS_PAGE`]); the next page is `before=` the last id, and a full page
/// says so in a `Link: <...>; rel="next"` header.
#[get("/api/news")]
pub async fn news(
    params: web::Query<NewsParams>,
    app: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let query = params.query()?;
    let live = app.hub.send(Browse::News(query)).await?.news;
    let archived = stored_news(&app, query).await?;
    let mut by_id: BTreeMap<NewsId, ListedNews> = BTreeMap::new();
    for n in live.into_iter().chain(archived) {
        by_id.insert(n.id, n);
    }
    let page: Vec<ListedNews> = by_id.into_values().rev().take(query.limit).collect();
    let mut response = json(json_array(page.iter().map(|n| &n.json)));
    if page.len() == query.limit
        && let Some(last) = page.last()
    {
        let mut next = format!("</api/news?before={}&limit={}", last.id, query.limit);
        if let Some(m) = query.match_id {
            next.push_str(&format!("&match={m}"));
        }
        next.push_str(">; rel=\"next\"");
        if let Ok(value) = actix_web::http::header::HeaderValue::from_str(&next) {
            response
                .headers_mut()
                .insert(actix_web::http::header::LINK, value);
        }
    }
    Ok(response)
}

/// Run `read` on the store's archive (SQLite, off the actix threads), or answer `empty` when
/// there is no store (the hub's memory archive has answered already).
pub(crate) async fn from_store<T: Send + 'static>(
    app: &AppState,
    empty: T,
    sqlite: impl FnOnce(&Store) -> Result<T, crate::store::StoreError> + Send + 'static,
) -> Result<T, ApiError> {
    let Some(dir) = app.data_dir.clone() else {
        return Ok(empty);
    };
    let _turn = store_turn(app).await?;
    web::block(move || sqlite(&Store::open_read_only(&dir)?))
        .await
        .map_err(|_| unreadable("the archive could not be read"))?
        .map_err(|e| unreadable(format!("the archive could not be read: {e}")))
}

pub(crate) async fn store_turn(
    app: &AppState,
) -> Result<tokio::sync::SemaphorePermit<'_>, ApiError> {
    app.store_replays
        .acquire()
        .await
        .map_err(|_| ApiError::unavailable("the server is shutting down"))
}

pub(crate) fn unreadable(message: impl Into<String>) -> ApiError {
    ApiError::unavailable(message)
}

pub(crate) async fn stored_matches(
    app: &AppState,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<ListedMatch>, ApiError> {
    if let Some(pg) = &app.pg {
        let _turn = store_turn(app).await?;
        return pg
            .archived_matches(from, to)
            .await
            .map_err(|e| unreadable(format!("the archive could not be read: {e}")));
    }
    from_store(app, Vec::new(), move |store| {
        store.archived_matches(from, to)
    })
    .await
}

async fn stored_match(app: &AppState, id: MatchId) -> Result<Option<Bytes>, ApiError> {
    if let Some(pg) = &app.pg {
        let _turn = store_turn(app).await?;
        return pg
            .archived_match(id)
            .await
            .map_err(|e| unreadable(format!("the archive could not be read: {e}")));
    }
    from_store(app, None, move |store| store.archived_match(id)).await
}

pub(crate) async fn stored_news(
    app: &AppState,
    query: NewsQuery,
) -> Result<Vec<ListedNews>, ApiError> {
    if let Some(pg) = &app.pg {
        let _turn = store_turn(app).await?;
        return pg
            .archived_news(query)
            .await
            .map_err(|e| unreadable(format!("the archive could not be read: {e}")));
    }
    from_store(app, Vec::new(), move |store| store.archived_news(query)).await
}
