//! A progress bar on stderr for long commands, drawn only when stderr is a terminal.

use std::io::{IsTerminal, Write};

const WIDTH: u64 = 30;

pub fn show(label: &str, done: u64, total: u64) {
    let mut err = std::io::stderr();
    if !err.is_terminal() || total == 0 {
        return;
    }
    let filled = (done.min(total) * WIDTH / total) as usize;
    let bar = format!("{}{}", "#".repeat(filled), ".".repeat(WIDTH as usize - filled));
    let _ = write!(err, "\r{label} [{bar}] {:>3}% {done}/{total}", done.min(total) * 100 / total);
    if done >= total {
        let _ = writeln!(err);
    }
}
