//! Durability: the event log and state snapshots on disk (SQLite), the writer thread that
//! commits them without ever blocking the actor system, and the [`log_writer::LogWriter`] trait
//! through which the hub writes to whichever store it has.

pub mod archive;
mod audit;
pub mod backup;
mod error;
pub mod log_writer;
pub mod marker;
pub mod postgres;
pub mod recover;
pub(crate) mod replay;
pub mod sqlite;
pub mod writer;

pub use error::StoreError;
pub use sqlite::{Loaded, Store};
