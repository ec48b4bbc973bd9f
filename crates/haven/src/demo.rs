//! `haven demo seed`.

use std::io::IsTerminal;

use anyhow::Result;
use service::demo::SeedOptions;

use crate::backend;
use crate::cli::SeedArgs;
use crate::config::{Config, Database};
use crate::data_dir;

/// A progress line on a terminal; nothing when stderr is a file or a pipe.
fn show_progress(done: usize, total: usize) {
    if std::io::stderr().is_terminal() {
        eprint!("\rwriting clients: {done}/{total}");
        if done == total {
            eprintln!();
        }
    }
}

#[allow(clippy::print_stdout)]
pub async fn seed(config: Config, args: &SeedArgs) -> Result<()> {
    if config.database == Database::Sqlite {
        data_dir::prepare(&config.data_dir)?;
    }
    let haven = backend::open_haven(&config).await?;
    let report =
        haven.seed_demo(SeedOptions { seed: args.seed, clients: args.clients as usize }, show_progress).await?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    }
    println!("Seeded \"{}\" (practice {}) with seed {}.\n", report.practice_name, report.practice_id, report.seed);
    let width = report.staff.iter().map(|s| s.email.len()).max().unwrap_or(0);
    println!("{:<14} {:<width$}  password", "role", "e-mail");
    for s in &report.staff {
        println!("{:<14} {:<width$}  {}", s.role.label(), s.email, s.password);
    }
    println!("\n{} synthetic clients. Use --json for the full list.", report.clients.len());
    Ok(())
}
