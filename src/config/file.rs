//! The config file (`--config livescore.toml`, or `LIVESCORE_CONFIG`): a flat TOML table whose
//! keys are the long flags.
//!
//! A value from the file counts only where neither the command line nor the environment set
//! that flag (flag > environment > file > default). The file's values are checked one by one
//! with the flag's own parser, so a wrong one is named with its file, line and key, and then
//! handed to clap as if given on the command line; clap remains the one parser of settings.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::parser::ValueSource;
use clap::{ArgMatches, Command, CommandFactory, FromArgMatches};

use super::settings::{NOT_IN_FILE, Setting, settings};

/// Why the config file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("cannot read config file {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config file {} is not valid TOML: {message}", path.display())]
    Syntax { path: PathBuf, message: String },
    #[error("{}:{line}: unknown key `{key}` (see `livescore config default` for every key)", path.display())]
    UnknownKey {
        path: PathBuf,
        line: usize,
        key: String,
    },
    #[error("{}:{line}: `{key}`: {message}", path.display())]
    Value {
        path: PathBuf,
        line: usize,
        key: String,
        message: String,
    },
}

/// Parse the command line `argv` into `P`, filling the flags that neither it nor the environment
/// set from the config file it names (when it names one and no subcommand is given). Command-line
/// errors (and `--help`) come back as clap errors, for `Error::exit`.
pub fn parse<P: CommandFactory + FromArgMatches>(
    argv: Vec<OsString>,
) -> Result<Result<P, clap::Error>, FileError> {
    let matches = match P::command().try_get_matches_from(&argv) {
        Ok(matches) => matches,
        Err(e) => return Ok(Err(e)),
    };
    let path = match matches.get_one::<PathBuf>("config") {
        Some(path) if matches.subcommand().is_none() => path.clone(),
        _ => return Ok(P::from_arg_matches(&matches)),
    };
    let text = std::fs::read_to_string(&path).map_err(|source| FileError::Read {
        path: path.clone(),
        source,
    })?;
    let from_file = file_args(&path, &text, &matches)?;
    let mut argv = argv.into_iter();
    let merged: Vec<OsString> = argv
        .next()
        .into_iter()
        .chain(from_file)
        .chain(argv)
        .collect();
    Ok(P::command()
        .try_get_matches_from(merged)
        .and_then(|m| P::from_arg_matches(&m)))
}

/// The file's settings as `--key=value` arguments, leaving out those the command line or the
/// environment already set.
fn file_args(path: &Path, text: &str, matches: &ArgMatches) -> Result<Vec<OsString>, FileError> {
    let table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| FileError::Syntax {
            path: path.to_owned(),
            message: e.to_string().trim().to_owned(),
        })?;
    let lines = key_lines(text);
    let known = settings();
    let command = super::settings::command();
    let mut args = Vec::new();
    for (key, value) in &table {
        let line = lines.iter().find(|(k, _)| k == key).map_or(0, |(_, l)| *l);
        let setting = known
            .iter()
            .find(|s| &s.key == key && !NOT_IN_FILE.contains(&key.as_str()))
            .ok_or_else(|| FileError::UnknownKey {
                path: path.to_owned(),
                line,
                key: key.clone(),
            })?;
        let bad = |message: String| FileError::Value {
            path: path.to_owned(),
            line,
            key: key.clone(),
            message,
        };
        let Some(text) = as_argument(setting, value).map_err(bad)? else {
            continue;
        };
        let id = key.replace('-', "_");
        let set_outside = matches!(
            matches.value_source(&id),
            Some(ValueSource::CommandLine | ValueSource::EnvVariable)
        );
        if setting.switch {
            if !set_outside {
                args.push(OsString::from(format!("--{key}")));
            }
            continue;
        }
        check(&command, key, &text).map_err(bad)?;
        if !set_outside {
            args.push(OsString::from(format!("--{key}={text}")));
        }
    }
    Ok(args)
}

/// The value as the flag's command-line text; `None` for a switch that is off (the default).
fn as_argument(setting: &Setting, value: &toml::Value) -> Result<Option<String>, String> {
    use toml::Value::*;
    if setting.switch {
        return match value {
            Boolean(true) => Ok(Some("true".into())),
            Boolean(false) => Ok(None),
            other => Err(format!("expected true or false, got {other}")),
        };
    }
    match (value, setting.list) {
        (String(s), _) => Ok(Some(s.clone())),
        (Integer(i), _) => Ok(Some(i.to_string())),
        (Float(f), _) => Ok(Some(f.to_string())),
        (Boolean(b), _) => Ok(Some(b.to_string())),
        (Array(items), Some(delimiter)) => {
            let items: Vec<std::string::String> = items
                .iter()
                .map(|item| match item {
                    String(s) => Ok(s.clone()),
                    other => Err(format!("expected a list of strings, got {other}")),
                })
                .collect::<Result<_, _>>()?;
            if items.is_empty() {
                return Ok(None);
            }
            Ok(Some(items.join(&delimiter.to_string())))
        }
        (other, _) => Err(format!("expected a single value, got {other}")),
    }
}

/// Run the flag's own parser on `value`, for an error that names the key.
fn check(command: &Command, key: &str, value: &str) -> Result<(), String> {
    let arg = command
        .get_arguments()
        .find(|a| a.get_long() == Some(key))
        .expect("a known key has an argument")
        .clone()
        .env(None);
    let given = format!("--{key}={value}");
    match Command::new("livescore")
        .arg(arg)
        .try_get_matches_from(["livescore", &given])
    {
        Ok(_) => Ok(()),
        Err(e) => Err(match std::error::Error::source(&e) {
            Some(cause) => format!("{value:?} is not valid: {cause}"),
            None => e
                .to_string()
                .lines()
                .next()
                .unwrap_or_default()
                .trim_start_matches("error: ")
                .to_owned(),
        }),
    }
}

/// Each top-level key of the document and the line it is on (1-based).
fn key_lines(text: &str) -> Vec<(String, usize)> {
    let Ok(table) = toml::de::DeTable::parse(text) else {
        return Vec::new();
    };
    table
        .get_ref()
        .iter()
        .map(|(key, _)| {
            let line = text[..key.span().start].matches('\n').count() + 1;
            (key.get_ref().to_string(), line)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        config: Config,
    }

    /// Parse `args` with `file` as the config file.
    fn load(file: &str, args: &[&str]) -> Result<Config, String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("livescore.toml");
        std::fs::write(&path, file).unwrap();
        let mut argv: Vec<OsString> = vec!["livescore".into(), "--config".into(), path.into()];
        argv.extend(args.iter().map(OsString::from));
        match parse::<Cli>(argv) {
            Ok(Ok(cli)) => Ok(cli.config),
            Ok(Err(e)) => Err(e.to_string()),
            Err(e) => Err(e.to_string()),
        }
    }

    #[test]
    fn the_file_sets_what_the_command_line_does_not() {
        let file = r#"
            heartbeat-secs = 20
            retry-ms = 1500
            node-name = "from-file"
            no-generator = true
            speed = 2.5
            allowed-origins = ["https://a.example", "https://b.example"]
            log-format = "json"
        "#;
        let c = load(file, &["--retry-ms", "900"]).unwrap();
        assert_eq!(c.heartbeat_secs, 20);
        assert_eq!(c.retry_ms, 900, "the flag wins over the file");
        assert_eq!(c.node_name.as_deref(), Some("from-file"));
        assert!(c.no_generator);
        assert_eq!(c.speed, 2.5);
        assert_eq!(
            c.allowed_origins,
            ["https://a.example", "https://b.example"]
        );
        assert_eq!(c.log_format, crate::config::LogFormat::Json);
        assert_eq!(c.max_viewers, Config::defaults().max_viewers, "default");
    }

    #[test]
    fn an_unknown_key_is_refused_with_its_file_and_line() {
        let err = load("bind = \"127.0.0.1:0\"\n\nheartbeat = 5\n", &[]).unwrap_err();
        assert!(err.contains("livescore.toml:3:"), "{err}");
        assert!(err.contains("unknown key `heartbeat`"), "{err}");
        let err = load("config = \"other.toml\"\n", &[]).unwrap_err();
        assert!(err.contains("unknown key `config`"), "{err}");
    }

    #[test]
    fn a_value_of_the_wrong_type_is_refused_naming_the_key() {
        let err = load("retry-ms = 100\nheartbeat-secs = \"soon\"\n", &[]).unwrap_err();
        assert!(err.contains(":2: `heartbeat-secs`"), "{err}");
        assert!(err.contains("invalid digit"), "{err}");
        let err = load("no-generator = \"yes\"\n", &[]).unwrap_err();
        assert!(
            err.contains("`no-generator`: expected true or false"),
            "{err}"
        );
        let err = load("log-format = \"xml\"\n", &[]).unwrap_err();
        assert!(err.contains("`log-format`"), "{err}");
        let err = load("bind = [1]\n", &[]).unwrap_err();
        assert!(err.contains("`bind`: expected a single value"), "{err}");
        let err = load("bind = \n", &[]).unwrap_err();
        assert!(err.contains("not valid TOML"), "{err}");
    }

    #[test]
    fn the_default_file_names_every_key_and_loading_it_changes_nothing() {
        let file = crate::config::settings::default_file();
        for s in settings() {
            if !NOT_IN_FILE.contains(&s.key.as_str()) {
                assert!(
                    file.contains(&format!("\n{} = ", s.key))
                        || file.contains(&format!("# {} = ", s.key)),
                    "{} in {file}",
                    s.key
                );
            }
        }
        assert!(file.contains("\nbind = \"127.0.0.1:8080\"\n"), "{file}");
        assert!(file.contains("\nno-generator = false\n"), "{file}");
        let mut loaded = load(&file, &[]).unwrap();
        assert!(loaded.config.is_some());
        loaded.config = None;
        assert_eq!(format!("{loaded:?}"), format!("{:?}", Config::defaults()));
    }
}
