//! League tables and team pages (`GET /api/standings`, `GET /api/teams/{id}`), computed from the
//! committed state and kept until the next commit: fans' pages ask again after every score
//! that touches their league, and all of them get the answer computed for the first.

use std::collections::HashMap;

use actix::prelude::*;
use bytes::Bytes;

use super::Hub;
use crate::ids::{LeagueId, Seq, TeamId};

/// What to compute.
#[derive(Message, Debug, Clone, PartialEq, Eq, Hash)]
#[rtype(result = "Option<Bytes>")]
pub enum ReadTable {
    /// A league's table and top scorers; `None` for an unknown league.
    Standings(LeagueId),
    /// A team's page; `None` for an unknown team.
    Team(TeamId),
}

/// The answers computed at one seq. Its size is bounded by the number of leagues and teams.
#[derive(Default)]
pub(super) struct TableCache {
    seq: Seq,
    answers: HashMap<ReadTable, Option<Bytes>>,
}

impl Handler<ReadTable> for Hub {
    type Result = Option<Bytes>;

    fn handle(&mut self, msg: ReadTable, _: &mut Context<Self>) -> Option<Bytes> {
        let seq = self.log.last_seq();
        if self.tables.seq != seq {
            self.tables = TableCache {
                seq,
                answers: HashMap::new(),
            };
        }
        if let Some(answer) = self.tables.answers.get(&msg) {
            return answer.clone();
        }
        let state = self.visible();
        let encode = |value: &dyn erased::Json| value.encode();
        let answer = match &msg {
            ReadTable::Standings(league) => state.standings(league).map(|t| encode(&t)),
            ReadTable::Team(team) => state.team_page(team).map(|p| encode(&p)),
        };
        self.tables.answers.insert(msg, answer.clone());
        answer
    }
}

/// One encoding path for both answers.
mod erased {
    use bytes::Bytes;

    pub trait Json {
        fn encode(&self) -> Bytes;
    }

    impl<T: serde::Serialize> Json for T {
        fn encode(&self) -> Bytes {
            Bytes::from(serde_json::to_vec(self).expect("tables serialize"))
        }
    }
}
