//! The actors, and the only `impl Actor`s in the crate: the [`hub::Hub`] (the one writer), the
//! [`broadcaster::Broadcaster`] (SSE fan-out) and the [`generator::Generator`] (simulated play).
//! Each file declares the messages its actor handles beside it.

pub mod broadcaster;
pub mod generator;
pub mod hub;
