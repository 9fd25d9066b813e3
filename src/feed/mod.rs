//! The pure core of the feed: no actix, no I/O, everything unit-testable.
//!
//! A [`Command`] is checked by [`FeedState::validate`] and becomes [`Event`]s, which
//! [`FeedState::apply`] folds into the state. [`log`] keeps committed events for replay,
//! [`filter`] decides which viewer gets which event, [`fixtures`] builds the starting state.

mod amend;
pub mod audit;
pub mod calendar;
pub mod checks;
pub mod command;
mod correction;
pub mod error;
pub mod event;
pub mod filter;
pub mod fixtures;
mod lifecycle;
pub mod lineups;
pub mod log;
pub mod season;
pub mod squads;
pub mod standings;
pub mod state;
pub mod stats;
pub mod team_page;
mod undo;
pub mod validate;

pub use calendar::{Calendar, Window};
pub use command::{Ack, Command};
pub use error::CommandError;
pub use event::{Envelope, Event, EventKind, Snapshot};
pub use filter::{Filter, Scope};
pub use log::{Committed, EventLog, RingLog};
pub use state::{FeedState, Target};
