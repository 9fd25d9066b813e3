//! `GET /api/matches?date=` and `?from=&to=`: every match of a range of days, in pages.
//!
//! A range of days can be large (26 archived days once came to 2.6 MB), and an answer a client
//! does not read stays in the server's socket buffers. So an answer is bounded twice:
//!
//! - in bytes: at most `--max-range-bytes` of JSON (always at least one match), in kick-off
//!   order. When matches are left, the answer says where to go on in a
//!   `Link: </api/matches?from=..&to=..&after=<cursor>>; rel="next"` header; the cursor is the
//!   kick-off and id of the last match sent (`2026-11-26T15:00:00Z_42`), so later pages are
//!   stable while matches change and read only the days still to come;
//! - per client: an answer holds a viewer slot from before any work until it has left the
//!   server (`in_flight.rs`), so it counts against `--max-viewers` and `--max-viewers-per-ip`
//!   like a stream, and an address at its limit gets 503 `too_many_viewers`.
//!
//! A page made only of archived matches never changes; its compressed form comes from the
//! cache (`compressed.rs`).

use std::collections::BTreeMap;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Days, NaiveDate, SecondsFormat, Utc};
use serde::Deserialize;

use crate::actors::hub::{Browse, json_array};
use crate::http::AppState;
use crate::http::browse::stored_matches;
use crate::http::compressed::{self, Content};
use crate::http::error::ApiError;
use crate::http::events::admit_connection;
use crate::http::in_flight::{HeldBody, Socket};
use crate::ids::MatchId;
use crate::store::archive::ListedMatch;

/// Most days one `from`/`to` range may span.
pub const MAX_RANGE_DAYS: u64 = 31;

#[derive(Debug, Deserialize)]
pub struct MatchesQuery {
    date: Option<String>,
    from: Option<String>,
    to: Option<String>,
    after: Option<String>,
}

fn day(name: &str, raw: &str) -> Result<NaiveDate, ApiError> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").map_err(|_| {
        ApiError::bad_request(format!(
            "{name}: `{raw}` is not a day (expected YYYY-MM-DD, e.g. 2026-11-26)"
        ))
    })
}

/// The first and last day asked for.
#[derive(Debug, Clone, Copy)]
pub struct DayRange {
    first: NaiveDate,
    last: NaiveDate,
}

impl MatchesQuery {
    /// The days asked for, or `None` for the live state's matches.
    pub fn days(&self) -> Result<Option<DayRange>, ApiError> {
        let (first, last) = match (&self.date, &self.from, &self.to) {
            (None, None, None) if self.after.is_some() => {
                return Err(ApiError::bad_request(
                    "after: give it with date, or from and to (copy the whole Link header)",
                ));
            }
            (None, None, None) => return Ok(None),
            (Some(date), None, None) => {
                let date = day("date", date)?;
                (date, date)
            }
            (Some(_), _, _) => {
                return Err(ApiError::bad_request("give date, or from and to, not both"));
            }
            (None, from, to) => {
                let from = from.as_deref().map(|f| day("from", f)).transpose()?;
                let to = to.as_deref().map(|t| day("to", t)).transpose()?;
                // One bound alone is that one day.
                let (from, to) = (from.or(to), to.or(from));
                (from.expect("one is given"), to.expect("one is given"))
            }
        };
        if first > last {
            return Err(ApiError::bad_request(format!(
                "from {first} is after to {last}"
            )));
        }
        let limit = first.checked_add_days(Days::new(MAX_RANGE_DAYS - 1));
        if limit.is_none_or(|end| last > end) {
            return Err(ApiError::bad_request(format!(
                "from {first} to {last} spans more than {MAX_RANGE_DAYS} days; ask for fewer"
            )));
        }
        Ok(Some(DayRange { first, last }))
    }

    fn after(&self) -> Result<Option<Cursor>, ApiError> {
        self.after.as_deref().map(Cursor::parse).transpose()
    }
}

/// Where a page ended: the kick-off and id of its last match (matches go in that order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Cursor {
    kickoff: DateTime<Utc>,
    id: MatchId,
}

impl Cursor {
    fn of(m: &ListedMatch) -> Cursor {
        Cursor {
            kickoff: m.kickoff,
            id: m.id,
        }
    }

    fn parse(raw: &str) -> Result<Cursor, ApiError> {
        let bad = || {
            ApiError::bad_request(format!(
                "after: `{raw}` is not a cursor from a Link header (like 2026-11-26T15:00:00Z_42)"
            ))
        };
        let (kickoff, id) = raw.trim().rsplit_once('_').ok_or_else(bad)?;
        Ok(Cursor {
            kickoff: DateTime::parse_from_rfc3339(kickoff)
                .map_err(|_| bad())?
                .with_timezone(&Utc),
            id: MatchId(id.parse().map_err(|_| bad())?),
        })
    }
}

impl std::fmt::Display for Cursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Full precision, so the match the cursor names is never sent again.
        let kickoff = self.kickoff.to_rfc3339_opts(SecondsFormat::AutoSi, true);
        write!(f, "{kickoff}_{}", self.id)
    }
}

/// The matches after `after`, live and archived, in kick-off order, and whether any is live.
async fn matches_after(
    app: &AppState,
    days: DayRange,
    after: Option<Cursor>,
) -> Result<Vec<(ListedMatch, bool)>, ApiError> {
    let (mut from, to) = app.config.window().bounds(days.first, days.last);
    if let Some(after) = after {
        // Only the days still to come are read.
        from = from.max(after.kickoff);
    }
    if from >= to {
        return Ok(Vec::new());
    }
    let browsed = app.hub.send(Browse::Matches { from, to }).await?;
    let stored = stored_matches(app, from, to).await?;
    let mut by_id: BTreeMap<MatchId, (ListedMatch, bool)> = BTreeMap::new();
    // Archived last, so that it wins: it is the match's final form.
    let live = browsed.matches.into_iter().map(|m| (m, true));
    let archived = browsed
        .archived
        .into_iter()
        .chain(stored)
        .map(|m| (m, false));
    for (m, is_live) in live.chain(archived) {
        by_id.insert(m.id, (m, is_live));
    }
    let mut listed: Vec<(ListedMatch, bool)> = by_id
        .into_values()
        .filter(|(m, _)| after.is_none_or(|a| Cursor::of(m) > a))
        .collect();
    listed.sort_by_key(|(m, _)| Cursor::of(m));
    Ok(listed)
}

/// The first matches of `listed` whose JSON array fits in `max_bytes` (at least one), and
/// whether matches are left after them.
fn page(listed: &[(ListedMatch, bool)], max_bytes: usize) -> (&[(ListedMatch, bool)], bool) {
    // `[` and `]`, then each item and the comma before it.
    let mut bytes = 2;
    let mut taken = 0;
    for (i, (m, _)) in listed.iter().enumerate() {
        bytes += m.json.len() + usize::from(i > 0);
        if bytes > max_bytes && taken > 0 {
            break;
        }
        taken += 1;
    }
    (&listed[..taken], taken < listed.len())
}

/// The answer to a range of `days` (see the module docs), for `req`.
pub async fn answer(
    req: &HttpRequest,
    app: &web::Data<AppState>,
    query: &MatchesQuery,
    days: DayRange,
) -> Result<HttpResponse, ApiError> {
    let after = query.after()?;
    let slot = admit_connection(req, app)?;
    let listed = matches_after(app, days, after).await?;
    let (sent, more) = page(&listed, app.config.max_range_bytes);
    let body = json_array(sent.iter().map(|(m, _)| &m.json));
    let content = if sent.iter().any(|(_, live)| *live) {
        Content::Changing
    } else {
        Content::Fixed
    };
    let encoded = compressed::encode(req, &app.compressed, body, content).await?;
    let mut response = HttpResponse::Ok();
    response
        .content_type("application/json")
        .insert_header((header::CACHE_CONTROL, "no-cache"));
    encoded.headers(&mut response);
    if let (true, Some((last, _))) = (more, sent.last()) {
        let next = format!(
            "</api/matches?from={}&to={}&after={}>; rel=\"next\"",
            days.first,
            days.last,
            Cursor::of(last)
        );
        response.insert_header((header::LINK, next));
    }
    let socket = req.conn_data::<Socket>().copied();
    Ok(response.body(HeldBody::new(encoded.bytes, slot, socket)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn listed(id: u32, minute: u32, json_len: usize) -> (ListedMatch, bool) {
        let kickoff = "2026-11-26T15:00:00Z".parse::<DateTime<Utc>>().unwrap()
            + chrono::Duration::minutes(minute.into());
        let json = Bytes::from(vec![b'x'; json_len]);
        let m = ListedMatch {
            id: MatchId(id),
            kickoff,
            json,
        };
        (m, false)
    }

    #[test]
    fn a_page_fits_its_bytes_but_always_holds_one_match() {
        let all = [listed(1, 0, 10), listed(2, 0, 10), listed(3, 5, 10)];
        // [a,b] is 2 + 10 + 1 + 10 = 23 bytes.
        let (sent, more) = page(&all, 23);
        assert_eq!((sent.len(), more), (2, true));
        let (sent, more) = page(&all, 34);
        assert_eq!((sent.len(), more), (3, false));
        let (sent, more) = page(&all, 1);
        assert_eq!(
            (sent.len(), more),
            (1, true),
            "one match however small the cap"
        );
        assert_eq!(page(&[], 10).0.len(), 0);
    }

    #[test]
    fn a_cursor_reads_back_as_itself_at_full_precision() {
        let (m, _) = listed(42, 0, 1);
        let mut cursor = Cursor::of(&m);
        assert_eq!(cursor.to_string(), "2026-11-26T15:00:00Z_42");
        cursor.kickoff += chrono::Duration::nanoseconds(1500);
        let shown = cursor.to_string();
        assert_eq!(Cursor::parse(&shown).unwrap(), cursor, "{shown}");
        for bad in [
            "",
            "42",
            "2026-11-26_42",
            "2026-11-26T15:00:00Z_x",
            "2026-11-26T15:00:00Z",
        ] {
            assert!(Cursor::parse(bad).is_err(), "{bad}");
        }
    }
}
