//! The desk's reads of the in-memory log: the audit trail and a story's history, for a hub
//! without a store (with one, the HTTP layer reads the store, off the hub).

use std::sync::Arc;

use actix::prelude::*;

use super::Hub;
use crate::feed::Committed;
use crate::feed::audit::LogQuery;

/// Events from the in-memory log for the audit trail or a story's history (a hub without a
/// store; with one, the HTTP layer reads the store). For the audit: every held event before
/// `before`, newest first, unfiltered (the caller picks people's events off the hub); for a
/// history: the held `news` and `news_retracted` events, oldest first.
#[derive(Message)]
#[rtype(result = "Vec<Arc<Committed>>")]
pub struct ReadLog(pub LogQuery);

impl Handler<ReadLog> for Hub {
    type Result = MessageResult<ReadLog>;

    fn handle(&mut self, msg: ReadLog, _: &mut Context<Self>) -> Self::Result {
        let held = self.log.held();
        MessageResult(match msg.0 {
            LogQuery::Audit { before, .. } => held
                .rev()
                .filter(|e| before.is_none_or(|b| e.seq < b))
                .cloned()
                .collect(),
            LogQuery::NewsHistory(_) => held
                .filter(|e| matches!(e.name, "news" | "news_retracted"))
                .cloned()
                .collect(),
        })
    }
}
