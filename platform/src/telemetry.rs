//! Logs: `tracing` to stderr, human-readable or JSON (`NAVIGATOR_LOG_FORMAT=json`), level
//! from `RUST_LOG` (default `info`).

use std::io::IsTerminal;

use tracing_subscriber::{fmt, EnvFilter};

pub fn init(json: bool) {
    init_with(json, "info,sqlx=warn,poem=warn");
}

/// Like `init`, with `default` as the filter when `RUST_LOG` is not set.
pub fn init_with(json: bool, default: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    // Colours only on a terminal: in a file or the journal they are escape codes.
    let builder = fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    // try_init: tests start many apps in one process; the first subscriber wins.
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}
