//! Cluster-wide admin presence: each node says on [`PRESENCE_CHANNEL`] which admins it has, on
//! every change and every few seconds; the others keep what they heard for a little longer than
//! that (the hub's `admins.rs`), so a node that died drops out of everyone's list within seconds.

use serde::{Deserialize, Serialize};

use super::{PRESENCE_CHANNEL, PgError, PgLog};

/// One node's admins, as announced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodePresence {
    pub node: String,
    pub admins: Vec<String>,
    /// Absent from nodes that do not say (older versions).
    #[serde(default)]
    pub editing: Vec<crate::protocol::Editing>,
}

impl PgLog {
    /// Tell every node which admins this one has.
    pub async fn announce_presence(&self, presence: &NodePresence) -> Result<(), PgError> {
        let payload = serde_json::to_string(presence).expect("presence serializes");
        let client = self.reader().await?;
        client
            .execute("SELECT pg_notify($1, $2)", &[&PRESENCE_CHANNEL, &payload])
            .await
            .map_err(|source| self.query_error("announce the admins here", source))?;
        Ok(())
    }
}
