//! The sports tables: `GET /api/standings?league=` (a league's table as it stands and its top
//! scorers) and `GET /api/teams/{id}` (a team's page). The hub computes both from its committed
//! state, once per seq whoever asks.

use actix_web::{HttpResponse, get, web};
use bytes::Bytes;
use serde::Deserialize;

use crate::actors::hub::ReadTable;
use crate::http::AppState;
use crate::http::error::ApiError;
use crate::ids::{LeagueId, TeamId};

fn json(body: Bytes) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .insert_header(("Cache-Control", "no-cache"))
        .body(body)
}

#[derive(Debug, Deserialize)]
pub struct StandingsQuery {
    league: Option<String>,
}

/// `GET /api/standings?league=epl`.
#[get("/api/standings")]
pub async fn standings(
    query: web::Query<StandingsQuery>,
    app: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let known = || {
        app.leagues
            .iter()
            .map(|l| l.0.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let Some(league) = query
        .league
        .as_deref()
        .map(str::trim)
        .filter(|l| !l.is_empty())
    else {
        return Err(ApiError::bad_request(format!(
            "league: required, one of {}",
            known()
        )));
    };
    let id = LeagueId::from(league);
    match app.hub.send(ReadTable::Standings(id)).await? {
        Some(body) => Ok(json(body)),
        None => Err(ApiError::not_found(format!(
            "league `{league}` does not exist; the leagues are {}",
            known()
        ))),
    }
}

/// `GET /api/teams/{id}`: the team, its squad, its line in the table, its latest results, its
/// matches to come or under way, and its news.
#[get("/api/teams/{id}")]
pub async fn team(
    path: web::Path<String>,
    app: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let raw = path.into_inner();
    match app
        .hub
        .send(ReadTable::Team(TeamId::from(raw.as_str())))
        .await?
    {
        Some(body) => Ok(json(body)),
        None => Err(ApiError::not_found(format!("team `{raw}` does not exist"))),
    }
}
