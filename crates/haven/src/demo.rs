//! `haven demo seed`.

use anyhow::Result;
use service::Haven;
use service::demo::SeedOptions;

use crate::backend;
use crate::cli::SeedArgs;
use crate::config::{Config, Database};
use crate::data_dir;

#[allow(clippy::print_stdout)]
pub async fn seed(config: Config, args: &SeedArgs) -> Result<()> {
    if config.database == Database::Sqlite {
        data_dir::prepare(&config.data_dir)?;
    }
    let haven = Haven::new(backend::open(&config).await?, config.sessions);
    let report = haven.seed_demo(SeedOptions { seed: args.seed, clients: args.clients as usize }).await?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    }
    println!("Seeded \"{}\" (practice {}) with seed {}.\n", report.practice_name, report.practice_id, report.seed);
    println!("{:<14} {:<44} password", "role", "e-mail");
    for s in &report.staff {
        println!("{:<14} {:<44} {}", s.role.label(), s.email, s.password);
    }
    println!("\n{} synthetic clients. Use --json for the full list.", report.clients.len());
    Ok(())
}
