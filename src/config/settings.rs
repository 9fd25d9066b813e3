//! The table of settings: every flag's key, environment variable, default and one-line help.
//!
//! The table is read from the `clap` definition of [`Config`], so each setting is declared in one
//! place (its field, with `default_value`); [`Config::defaults`], the commented default file
//! (`livescore config default`), the config-file loader and the README check all read it here.

use clap::{ArgAction, Args, Command, FromArgMatches};

use super::Config;

/// One setting as the table shows it.
#[derive(Debug, Clone)]
pub struct Setting {
    /// The long flag without `--`, which is also the key in a config file.
    pub key: String,
    /// Its `LIVESCORE_*` environment variable.
    pub env: String,
    /// The default as clap renders it; `None` when unset by default (e.g. `--seed`: random).
    pub default: Option<String>,
    /// The help's first sentence.
    pub help: String,
    /// An on/off flag (`--no-generator`): `true`/`false` in a config file.
    pub switch: bool,
    /// Takes a list (`--allowed-origins a,b`): an array in a config file, joined with this.
    pub list: Option<char>,
}

/// Settings a config file may not hold: the file's own name.
pub const NOT_IN_FILE: &[&str] = &["config"];

/// The clap command holding every server flag (and nothing else).
pub fn command() -> Command {
    Config::augment_args(Command::new("livescore"))
}

/// Every setting, in the order of [`Config`]'s fields.
pub fn settings() -> Vec<Setting> {
    let mut command = command();
    // Building fills in what clap derives (a switch's `false` default).
    command.build();
    command.get_arguments().filter_map(setting).collect()
}

fn setting(arg: &clap::Arg) -> Option<Setting> {
    let key = arg.get_long()?.to_owned();
    let help = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
    let switch = matches!(arg.get_action(), ArgAction::SetTrue);
    let default = arg
        .get_default_values()
        .first()
        .map(|v| v.to_string_lossy().into_owned());
    Some(Setting {
        key,
        env: arg.get_env()?.to_string_lossy().into_owned(),
        default,
        help: first_sentence(&help),
        switch,
        list: arg.get_value_delimiter(),
    })
}

/// Up to the first `. ` (clap joins a doc comment's lines into one paragraph).
fn first_sentence(help: &str) -> String {
    match help.find(". ") {
        Some(end) => help[..=end].to_owned(),
        None => help.to_owned(),
    }
}

impl Config {
    /// The defaults, as if started with no flags, no environment and no config file (for tests
    /// and embedding). They come from the `default_value` of each field: the one table.
    pub fn defaults() -> Config {
        let matches = command()
            .mut_args(|arg| arg.env(None))
            .try_get_matches_from(["livescore"])
            .expect("the defaults parse");
        Config::from_arg_matches(&matches).expect("the defaults make a Config")
    }
}

impl Setting {
    /// The default as a TOML value, or `None` when the setting has no default.
    pub fn toml_default(&self) -> Option<String> {
        if self.list.is_some() {
            return Some(self.default.as_ref().map_or("[]".into(), |d| {
                toml::Value::Array(d.split(',').map(|s| s.into()).collect()).to_string()
            }));
        }
        let default = self.default.as_ref()?;
        let bare = self.switch
            || default.parse::<i64>().is_ok()
            || default.parse::<f64>().is_ok_and(f64::is_finite);
        Some(if bare {
            default.clone()
        } else {
            toml::Value::String(default.clone()).to_string()
        })
    }
}

/// The commented default config file: every setting with its help and default. Loading it
/// changes nothing; a setting without a default is left commented out.
pub fn default_file() -> String {
    let mut out = String::from(
        "# livescore configuration (TOML), as written by `livescore config default`.\n\
         # Keys are the long flags without `--`. A flag on the command line, or its LIVESCORE_*\n\
         # environment variable, overrides the value here.\n",
    );
    for s in settings() {
        if NOT_IN_FILE.contains(&s.key.as_str()) {
            continue;
        }
        out.push('\n');
        out.push_str(&format!("# {} ({})\n", s.help, s.env));
        match s.toml_default() {
            Some(value) => out.push_str(&format!("{} = {value}\n", s.key)),
            None => out.push_str(&format!("# {} =   (not set by default)\n", s.key)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_flag_is_in_the_table_with_its_env_variable() {
        let table = settings();
        let bind = table.iter().find(|s| s.key == "bind").unwrap();
        assert_eq!(bind.env, "LIVESCORE_BIND");
        assert_eq!(bind.default.as_deref(), Some("127.0.0.1:8080"));
        let seed = table.iter().find(|s| s.key == "seed").unwrap();
        assert_eq!(seed.default, None);
        assert!(table.iter().any(|s| s.key == "no-generator" && s.switch));
        for s in &table {
            assert_eq!(
                s.env,
                format!("LIVESCORE_{}", s.key.to_uppercase().replace('-', "_"))
            );
            assert!(!s.help.is_empty(), "{} has help", s.key);
        }
    }

    /// The README's configuration table: (flag, env, default) of each row.
    fn readme_rows() -> Vec<(String, String, String)> {
        let readme = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"));
        let section = readme
            .split("\n## Configuration\n")
            .nth(1)
            .expect("README has a Configuration section");
        let section = section.split("\n## ").next().unwrap();
        section
            .lines()
            .filter_map(|line| {
                let cells: Vec<&str> = line.split(" | ").collect();
                let flag = cells.first()?.strip_prefix("| `--")?.strip_suffix('`')?;
                let env = cells.get(1)?.trim_matches('`');
                Some((flag.to_owned(), env.to_owned(), cells.get(2)?.to_string()))
            })
            .collect()
    }

    #[test]
    fn the_readme_table_agrees_with_the_settings_table() {
        let rows = readme_rows();
        let table = settings();
        for s in &table {
            let (_, env, default) = rows
                .iter()
                .find(|(flag, _, _)| *flag == s.key)
                .unwrap_or_else(|| panic!("README's configuration table lacks --{}", s.key));
            assert_eq!(*env, s.env, "README's env variable for --{}", s.key);
            match (&s.default, s.switch) {
                (_, true) => assert_eq!(default, "off", "README's default for --{}", s.key),
                (Some(value), false) => assert!(
                    default.starts_with(&format!("`{value}`")),
                    "README's default for --{} is {default}, the table's `{value}`",
                    s.key
                ),
                // A described default ("random (printed)", "`http://<bound address>` (+ ...)")
                // is fine; a bare literal would claim a default the flag does not have.
                (None, false) => assert!(
                    !(default.starts_with('`') && default.ends_with('`')),
                    "README gives --{} a default ({default}); it has none",
                    s.key
                ),
            }
        }
        for (flag, _, _) in &rows {
            assert!(
                table.iter().any(|s| s.key == *flag),
                "README lists --{flag}, which is not a setting"
            );
        }
    }

    #[test]
    fn the_defaults_are_the_table_s() {
        let d = Config::defaults();
        assert_eq!(d.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(d.heartbeat_secs, 15);
        assert_eq!(d.viewer_buffer_bytes, 256 * 1024);
        assert_eq!(d.admin_buffer_bytes, 1 << 20);
        assert_eq!(d.seed, None);
        assert!(!d.no_generator);
        assert!(d.allowed_origins.is_empty());
    }
}
