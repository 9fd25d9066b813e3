//! The admin wire protocol (DESIGN.md section 4): parsing what clients send and encoding what the
//! server answers. Shared by the WebSocket session, `POST /api/admin/commands` and the
//! `livescore admin` command-line client, so all three speak exactly the same JSON.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::auth::Role;
use crate::feed::{Ack, Command, CommandError};
use crate::ids::{MatchId, NewsId, Seq, Version};

/// Every command `type` the server understands, for error messages.
pub const COMMAND_TYPES: [&str; 13] = [
    "score.set",
    "incident.add",
    "incident.remove",
    "incident.amend",
    "lineup.set",
    "stats.set",
    "match.status",
    "match.create",
    "news.publish",
    "news.update",
    "news.retract",
    "calendar.roll",
    "generator.control",
];

/// A message from an admin client.
#[derive(Debug, Clone, PartialEq)]
pub enum Incoming {
    /// `{"type":"auth","token":"..."}`: must come first on a WebSocket.
    Auth { token: String },
    /// A command, with the client's correlation id (echoed in the reply).
    Command { id: Option<Value>, command: Command },
    /// `{"type":"editing","match_id":7}`: the admin is at work on that match (`null`: on none),
    /// for the other admins' presence lists. Not a command: nothing is logged or acknowledged.
    Editing { match_id: Option<MatchId> },
}

/// An admin at work on a match, in `presence` frames ("bob is editing").
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Editing {
    pub admin: String,
    pub match_id: MatchId,
}

/// A message that could not be understood, with whatever id could be recovered from it, so the
/// error can still be correlated.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejected {
    pub id: Option<Value>,
    pub error: CommandError,
}

/// Parse one client message. `require_id` is set on the WebSocket, where replies are matched to
/// requests by id; over HTTP the reply is the response, so the id is optional.
pub fn parse(text: &str, require_id: bool) -> Result<Incoming, Rejected> {
    let bad = |id: Option<Value>, message: String| Rejected {
        id,
        error: CommandError::BadRequest(message),
    };
    // Duplicate keys are refused rather than resolved (last wins in serde_json), so a command
    // means one thing to every reader of it.
    let value =
        crate::strict_json::parse(text).map_err(|e| bad(None, format!("invalid JSON: {e}")))?;
    let Value::Object(object) = &value else {
        return Err(bad(None, "expected a JSON object with a `type`".into()));
    };
    let id = match object.get("id") {
        None | Some(Value::Null) => None,
        Some(id @ (Value::String(_) | Value::Number(_))) => Some(id.clone()),
        Some(_) => return Err(bad(None, "`id` must be a string or a number".into())),
    };
    let kind = match object.get("type") {
        Some(Value::String(kind)) => kind.as_str(),
        Some(_) => return Err(bad(id, "`type` must be a string".into())),
        None => return Err(bad(id, "missing field `type`".into())),
    };
    if kind == "auth" {
        return match object.get("token") {
            Some(Value::String(token)) => Ok(Incoming::Auth {
                token: token.clone(),
            }),
            _ => Err(bad(id, "auth needs a `token` string".into())),
        };
    }
    if kind == "editing" {
        return match object.get("match_id") {
            None | Some(Value::Null) => Ok(Incoming::Editing { match_id: None }),
            Some(Value::Number(n)) if n.as_u64().is_some_and(|n| n <= u64::from(u32::MAX)) => {
                Ok(Incoming::Editing {
                    match_id: n.as_u64().map(|n| MatchId(n as u32)),
                })
            }
            Some(other) => Err(bad(
                id,
                format!("editing: `match_id` must be a match id or null, got {other}"),
            )),
        };
    }
    if !COMMAND_TYPES.contains(&kind) {
        let known = COMMAND_TYPES.join(", ");
        return Err(bad(
            id,
            format!("unknown type `{kind}` (known: auth, editing, {known})"),
        ));
    }
    if require_id && id.is_none() {
        return Err(bad(None, format!("{kind}: missing field `id`")));
    }
    let command =
        Command::deserialize(&value).map_err(|e| bad(id.clone(), format!("{kind}: {e}")))?;
    Ok(Incoming::Command { id, command })
}

/// The generator's settings as admins see them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GeneratorState {
    pub running: bool,
    pub speed: f64,
}

/// A message from the server. `event` frames are not built from this type: they wrap an event's
/// already-serialized JSON (see [`event_frame`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Outgoing {
    Ready {
        admin: String,
        /// What the token's holder may do, and so which command types it may send.
        #[serde(default)]
        role: Role,
        #[serde(default)]
        can: Vec<String>,
        seq: Seq,
        stream: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        generator: Option<GeneratorState>,
    },
    Ack {
        #[serde(default)]
        id: Option<Value>,
        seq: Seq,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        version: Option<Version>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        match_id: Option<MatchId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        news_id: Option<NewsId>,
    },
    Error {
        #[serde(default)]
        id: Option<Value>,
        code: String,
        message: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        current_version: Option<Version>,
    },
    Presence {
        admins: Vec<String>,
        /// Who is at work on which match, each admin and match once, sorted.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        editing: Vec<Editing>,
    },
    /// The generator was paused, resumed or retuned.
    Generator(GeneratorState),
}

impl Outgoing {
    pub fn ack(id: Option<Value>, ack: Ack) -> Outgoing {
        Outgoing::Ack {
            id,
            seq: ack.seq,
            version: ack.version,
            match_id: ack.match_id,
            news_id: ack.news_id,
        }
    }

    pub fn error(id: Option<Value>, error: &CommandError) -> Outgoing {
        Outgoing::Error {
            id,
            code: error.code().to_owned(),
            message: error.to_string(),
            current_version: error.current_version(),
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("frames serialize")
    }
}

/// `{"type":"event","event":<the event's JSON>}`, from the JSON the hub already made.
pub fn event_frame(event_json: &[u8]) -> String {
    let json = std::str::from_utf8(event_json).expect("serde_json writes UTF-8");
    format!(r#"{{"type":"event","event":{json}}}"#)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rejected(text: &str) -> Rejected {
        parse(text, true).unwrap_err()
    }

    #[test]
    fn commands_and_auth_parse_with_their_ids() {
        let msg = parse(r#"{"type":"news.retract","id":"c6","news_id":31}"#, true).unwrap();
        assert_eq!(
            msg,
            Incoming::Command {
                id: Some(Value::from("c6")),
                command: Command::NewsRetract {
                    news_id: NewsId(31)
                },
            }
        );
        assert_eq!(
            parse(r#"{"type":"auth","token":"t"}"#, true).unwrap(),
            Incoming::Auth { token: "t".into() }
        );
        assert!(parse(r#"{"type":"news.retract","news_id":31}"#, false).is_ok());
    }

    #[test]
    fn each_kind_of_garbage_gets_a_specific_message() {
        assert!(
            rejected("{nope")
                .error
                .to_string()
                .starts_with("invalid JSON")
        );
        assert!(rejected("[1]").error.to_string().contains("JSON object"));
        let r = rejected(r#"{"type":"score.nuke","id":"x"}"#);
        assert_eq!(r.id, Some(Value::from("x")));
        assert!(r.error.to_string().contains("unknown type `score.nuke`"));
        let r = rejected(r#"{"type":"score.set","id":"x","match_id":1,"away":0}"#);
        assert!(
            r.error.to_string().contains("missing field `home`"),
            "{}",
            r.error
        );
        let r = rejected(r#"{"type":"score.set","id":"x","match_id":"one","home":1,"away":0}"#);
        assert!(r.error.to_string().contains("invalid type"), "{}", r.error);
        let r = rejected(r#"{"type":"score.set","id":7,"match_id":1,"home":1e40,"away":0}"#);
        assert_eq!(r.id, Some(Value::from(7)));
        let r = rejected(r#"{"type":"score.set","match_id":1,"home":1,"away":0}"#);
        assert!(r.error.to_string().contains("missing field `id`"));
        let r =
            rejected(r#"{"type":"score.set","id":"x","match_id":1,"home":1,"away":0,"home":5}"#);
        assert!(
            r.error.to_string().contains("duplicate key `home`"),
            "{}",
            r.error
        );
        assert_eq!(r.error.code(), "bad_request");
        assert!(r.error.code() == "bad_request");
    }

    #[test]
    fn event_frames_wrap_the_existing_json() {
        assert_eq!(
            event_frame(br#"{"seq":1}"#),
            r#"{"type":"event","event":{"seq":1}}"#
        );
    }
}
