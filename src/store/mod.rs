//! Durability: the event log and state snapshots on disk (SQLite), and the writer thread that
//! commits them without ever blocking the actor system.

pub mod backup;
mod error;
pub mod marker;
pub mod postgres;
pub mod recover;
mod replay;
pub mod sqlite;
pub mod writer;

pub use error::StoreError;
pub use sqlite::{Loaded, Store};
