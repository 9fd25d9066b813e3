//! HTTP routes, one file per family. Handlers parse and check the request, ask an actor, and
//! shape the answer; they hold no feed state of their own.

pub mod access;
pub mod admin;
pub mod admission;
pub mod api;
pub mod assets;
pub mod browse;
pub mod canonical_path;
pub mod client_ip;
pub mod compressed;
pub mod cors;
pub mod desk;
pub mod error;
pub mod events;
pub mod feed_ws;
pub mod in_flight;
pub mod methods;
pub mod metrics_port;
pub mod openapi;
pub mod range;
pub mod ready;
pub mod replay;
pub mod tables;

use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use actix::Addr;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::actors::admin_session::SessionDeps;
use crate::actors::hub::Hub;
use crate::config::Config;
use crate::feed::Filter;
use crate::http::admission::ViewerSlots;
use crate::ids::LeagueId;
use crate::metrics::Metrics;
use error::ApiError;

/// What every handler can reach, shared by all workers.
pub struct AppState {
    pub hub: Addr<Hub>,
    pub slots: ViewerSlots,
    /// Leagues come from the fixtures and never change while running, so filters are checked
    /// against this copy without asking the hub.
    pub leagues: Arc<Vec<LeagueId>>,
    pub config: Arc<Config>,
    pub metrics: Metrics,
    /// `GET /api/teams`: teams with their squads, encoded once at start-up (they never change).
    pub teams_json: bytes::Bytes,
    /// What admin sessions and admin commands need: the hub, tokens, rate limits.
    pub admin: SessionDeps,
    /// Ids for admin sessions.
    pub next_session: AtomicU64,
    /// The store's directory (`None` in memory), for replays older than memory holds.
    pub data_dir: Option<std::path::PathBuf>,
    pub stream: crate::ids::StreamId,
    /// The shared log in cluster mode, for replays older than memory holds.
    pub pg: Option<Arc<crate::store::postgres::PgLog>>,
    /// What this node's generator is doing (`/healthz`).
    pub generator: crate::actors::generator::Role,
    /// Turns for reading replay pages from the store (`--max-store-replays`).
    pub store_replays: Arc<tokio::sync::Semaphore>,
    /// `--metrics-bind`'s listener, once bound: `/metrics` is served there only.
    pub metrics_addr: metrics_port::MetricsAddr,
    /// Set when shutdown begins (`/readyz` then answers 503).
    pub shutting_down: Arc<std::sync::atomic::AtomicBool>,
    /// Compressed answers that never change (`--compressed-cache-mb`).
    pub compressed: compressed::CompressedCache,
}

impl AppState {
    /// Parse viewer filter parameters into a 400 with a clear message when they are wrong.
    pub fn filter(
        &self,
        matches: Option<&str>,
        leagues: Option<&str>,
        types: Option<&str>,
    ) -> Result<Filter, ApiError> {
        Filter::parse(matches, leagues, types, self.leagues.iter())
            .map_err(|e| ApiError::bad_request(e.to_string()))
    }
}

/// Register every route and the JSON answers for requests no route takes.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.app_data(
        web::QueryConfig::default()
            .error_handler(|err, _| ApiError::bad_request(format!("query string: {err}")).into()),
    )
    .service(events::events)
    .service(feed_ws::feed)
    .service(api::snapshot)
    .service(api::poll)
    .service(browse::matches)
    .service(browse::one_match)
    .service(browse::news)
    .service(api::teams)
    .service(tables::standings)
    .service(tables::team)
    .service(api::healthz)
    .service(ready::readyz)
    .service(api::metrics)
    .service(openapi::document)
    .service(admin::upgrade)
    .service(admin::command)
    .service(desk::audit)
    .service(desk::news_history)
    .default_service(web::to(not_found));
}

/// Frontend files, what a known path allows (`OPTIONS`, `405`), and a JSON 404 for anything else.
async fn not_found(req: HttpRequest, app: web::Data<AppState>) -> HttpResponse {
    use actix_web::ResponseError;
    if let Some(response) = assets::serve(&req, &app) {
        return response;
    }
    if let Some(response) = methods::answer(&req, assets::exists(req.path(), &app)) {
        return response;
    }
    ApiError::not_found(format!("no route for {} {}", req.method(), req.path())).error_response()
}
