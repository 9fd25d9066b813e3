//! livescore: a live sports score feed on Actix-web.
//!
//! Viewers follow the feed over Server-Sent Events (`GET /events`), long-polling or plain polling;
//! admins (and the simulated generator) change it through commands. The crate is laid out along
//! the data flow (see `docs/architecture.md`):
//!
//! - [`model`] and [`ids`]: the domain types and their identifiers.
//! - [`feed`]: the pure core — commands, validation, events, the state they fold into, the event
//!   log, viewer filters and fixtures. No actix, no I/O.
//! - [`sim`]: the seeded match simulation the generator plays.
//! - [`actors`]: the hub (the one writer), the SSE broadcaster (fan-out) and the generator.
//! - [`http`]: one file per route family.
//! - [`protocol`], [`strict_json`], [`auth`], [`rate`], [`throttle`]: the admin wire protocol
//!   (parsed with duplicate keys refused), tokens, per-admin rate limits, failed-login
//!   throttling per client address.
//! - [`client`]: the `livescore admin` command-line client.
//! - [`sse`]: the Server-Sent Events wire format; [`ws_gate`]: oversized WebSocket frames refused
//!   by their header.
//! - [`config`], [`metrics`], [`server`]: configuration, Prometheus metrics, assembly.

pub mod actors;
pub mod auth;
pub mod client;
pub mod config;
pub mod feed;
pub mod http;
pub mod ids;
pub mod metrics;
pub mod model;
pub mod protocol;
pub mod rate;
pub mod server;
pub mod sim;
pub mod sse;
pub mod store;
pub mod strict_json;
pub mod throttle;
pub mod ws_gate;
