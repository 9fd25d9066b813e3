//! Identifier types, so that a match id can never be passed where a news id or a sequence number
//! is meant, and the one place that knows the `<stream>.<seq>` event-id format.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

macro_rules! numeric_id {
    ($(#[$doc:meta])* $name:ident($inner:ty)) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub $inner);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

numeric_id!(
    /// Position of an event in its stream: global, gap-free, strictly increasing from 1.
    Seq(u64)
);
numeric_id!(
    /// Optimistic-concurrency counter of one match or news item, bumped by every change to it.
    Version(u64)
);
numeric_id!(MatchId(u32));
numeric_id!(NewsId(u32));
numeric_id!(IncidentId(u32));

impl Seq {
    pub fn next(self) -> Seq {
        Seq(self.0 + 1)
    }
}

impl Version {
    pub fn next(self) -> Version {
        Version(self.0 + 1)
    }
}

macro_rules! text_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                $name(s.to_owned())
            }
        }
    };
}

text_id!(
    /// Short lowercase code such as `epl` or `nba`.
    LeagueId
);
text_id!(
    /// Short uppercase code such as `ARS`, unique across leagues.
    TeamId
);

/// Names one event log. A new in-memory log gets a new random id, so event ids from an earlier run
/// are recognised as foreign instead of colliding with this run's sequence numbers.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StreamId(String);

impl StreamId {
    const ALPHABET: &'static [u8] = b"abcdefghijkmnpqrstuvwxyz23456789";
    const LEN: usize = 6;

    /// A fresh random stream id from the operating system's entropy.
    pub fn random() -> StreamId {
        use rand::RngExt;
        let mut rng = rand::rng();
        let id = (0..Self::LEN)
            .map(|_| Self::ALPHABET[rng.random_range(0..Self::ALPHABET.len())] as char)
            .collect();
        StreamId(id)
    }

    /// A stream id given by the caller (tests, stored logs); must be 1 to 32 ASCII alphanumerics.
    pub fn parse(s: &str) -> Option<StreamId> {
        let ok = !s.is_empty() && s.len() <= 32 && s.bytes().all(|b| b.is_ascii_alphanumeric());
        ok.then(|| StreamId(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for StreamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The SSE `id:` of an event, `<stream>.<seq>`, also accepted by `GET /api/events?since=`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EventId {
    pub stream: StreamId,
    pub seq: Seq,
}

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.stream, self.seq)
    }
}

/// Why a string is not an event id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an event id; expected <stream>.<seq> such as k3f9a.1041")]
pub struct BadEventId(pub String);

impl FromStr for EventId {
    type Err = BadEventId;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadEventId(s.chars().take(64).collect());
        let (stream, seq) = s.trim().split_once('.').ok_or_else(bad)?;
        let stream = StreamId::parse(stream).ok_or_else(bad)?;
        let seq = seq.parse::<u64>().map_err(|_| bad())?;
        Ok(EventId {
            stream,
            seq: Seq(seq),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_id_round_trips_through_text() {
        let id: EventId = "k3f9a.1041".parse().unwrap();
        assert_eq!(id.stream.as_str(), "k3f9a");
        assert_eq!(id.seq, Seq(1041));
        assert_eq!(id.to_string(), "k3f9a.1041");
    }

    #[test]
    fn malformed_event_ids_are_rejected() {
        for bad in [
            "",
            "1041",
            "k3f9a.",
            ".12",
            "k3f9a.-1",
            "k3 f9.1",
            "a.b",
            "k3f9a.1.2",
        ] {
            assert!(bad.parse::<EventId>().is_err(), "{bad:?} parsed");
        }
    }

    #[test]
    fn random_stream_ids_differ_and_parse() {
        let a = StreamId::random();
        let b = StreamId::random();
        assert_ne!(a, b);
        assert_eq!(StreamId::parse(a.as_str()), Some(a));
    }
}
