//! The actors, and the only `impl Actor`s in the crate: the [`hub::Hub`] (the one writer), the
//! [`broadcaster::Broadcaster`] (SSE fan-out), the [`generator::Generator`] (simulated play) and
//! one [`admin_session::AdminSession`] per admin WebSocket.
//! Each file declares the messages its actor handles beside it; [`viewer_queue`] is the bounded
//! queue between the broadcaster and one viewer's connection.

pub mod admin_deps;
pub mod admin_session;
pub mod broadcaster;
pub mod generator;
pub mod hub;
pub mod outbound;
pub mod viewer_queue;
