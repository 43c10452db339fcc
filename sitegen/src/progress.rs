//! Files done / total on a terminal, redrawn at most ten times a second; nothing when the
//! output is not a terminal (CI logs, cron mail).

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

pub struct Progress {
    label: String,
    total: usize,
    done: usize,
    shown: Option<Instant>,
    enabled: bool,
}

impl Progress {
    pub fn new(label: &str, total: usize, wanted: bool) -> Self {
        Self {
            label: label.to_owned(),
            total,
            done: 0,
            shown: None,
            enabled: wanted && std::io::stderr().is_terminal(),
        }
    }

    pub fn tick(&mut self) {
        self.done += 1;
        if !self.enabled {
            return;
        }
        let due = self
            .shown
            .is_none_or(|t| t.elapsed() >= Duration::from_millis(100));
        if due || self.done == self.total {
            self.shown = Some(Instant::now());
            let mut err = std::io::stderr().lock();
            let _ = write!(
                err,
                "\r{}: {} / {} файлов",
                self.label, self.done, self.total
            );
            let _ = err.flush();
        }
    }

    pub fn finish(&mut self) {
        if self.enabled && self.shown.is_some() {
            let _ = writeln!(std::io::stderr());
        }
    }
}
