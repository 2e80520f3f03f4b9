//! Progress on standard error for long work: a byte bar while an input is read, then a spinner
//! naming the step inside the component (one component call cannot report progress from
//! inside). Every subcommand decides the same way whether work is long, so the rule lives here.

use std::io::IsTerminal;

/// Inputs at least this large count as long work and get a progress bar.
pub const LONG_WORK_BYTES: u64 = 16 << 20;

pub fn is_long(bytes: &[u8]) -> bool {
    bytes.len() as u64 >= LONG_WORK_BYTES
}

/// A byte bar for reading `len` bytes; `None` when the read is short or standard error is not a
/// terminal (a bar in a log or a pipe is noise).
pub fn reading_bar(len: u64) -> Result<Option<indicatif::ProgressBar>, String> {
    if len < LONG_WORK_BYTES || !std::io::stderr().is_terminal() {
        return Ok(None);
    }
    let style = indicatif::ProgressStyle::with_template("reading {bar:30} {bytes}/{total_bytes} {bytes_per_sec}")
        .map_err(|e| e.to_string())?;
    Ok(Some(indicatif::ProgressBar::new(len).with_style(style)))
}

/// A spinner naming the step inside the component, cleared when dropped; absent unless the work
/// is long and standard error is a terminal.
pub struct Busy(Option<indicatif::ProgressBar>);

impl Busy {
    pub fn new(long: bool) -> Self {
        Busy((long && std::io::stderr().is_terminal()).then(|| {
            let p = indicatif::ProgressBar::new_spinner();
            p.enable_steady_tick(std::time::Duration::from_millis(100));
            p
        }))
    }

    pub fn step(&self, message: &str) {
        if let Some(p) = &self.0 {
            p.set_message(message.to_string());
        }
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        if let Some(p) = &self.0 {
            p.finish_and_clear();
        }
    }
}
