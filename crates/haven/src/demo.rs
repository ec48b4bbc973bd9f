//! `haven demo seed`.

use anyhow::Result;
use service::demo::SeedOptions;

use crate::backend;
use crate::cli::SeedArgs;
use crate::config::{Config, Database};
use crate::data_dir;
use crate::progress;

#[allow(clippy::print_stdout)]
pub async fn seed(config: Config, args: &SeedArgs) -> Result<()> {
    if config.database == Database::Sqlite {
        data_dir::prepare(&config.data_dir)?;
    }
    let haven = backend::open_haven(&config).await?;
    let report = haven
        .seed_demo(
            SeedOptions { seed: args.seed, clients: args.clients as usize, clinicians: args.clinicians as usize },
            |done, total| progress::show("writing clients", done as u64, total as u64),
        )
        .await?;
    // Appointment types, working hours and some time off, so scheduling has something to show.
    haven.seed_demo_schedule(report.practice_id).await?;
    // Billing's settings, payers, fees and clinicians' NPIs, so charges and claims can be made.
    haven.seed_demo_billing(&report).await?;
    if args.notes_per_client > 0 {
        haven
            .seed_note_history(&report, args.notes_per_client as usize, |done, total| {
                progress::show("writing notes", done as u64, total as u64)
            })
            .await?;
    }
    let booked = match args.no_calendar {
        true => 0,
        false => haven.seed_demo_calendar(&report, i64::from(args.history_weeks)).await?,
    };
    // The seed's changes queued their audit events; put them in the log before exiting.
    haven.flush_audit().await?;
    if args.json {
        let mut json = serde_json::to_value(&report)?;
        json["calendar_sessions"] = booked.into();
        println!("{}", serde_json::to_string_pretty(&json)?);
        return Ok(());
    }
    println!("Seeded \"{}\" (practice {}) with seed {}.\n", report.practice_name, report.practice_id, report.seed);
    let width = report.staff.iter().map(|s| s.email.len()).max().unwrap_or(0);
    println!("{:<14} {:<width$}  password", "role", "e-mail");
    for s in &report.staff {
        println!("{:<14} {:<width$}  {}", s.role.label(), s.email, s.password);
    }
    println!("\n{} synthetic clients. Use --json for the full list.", report.clients.len());
    println!("Scheduling is set up: four appointment types, everyone's working hours, some time off.");
    if booked > 0 {
        println!("The calendar has {booked} sessions: weekly clients, a couple, video Thursdays, and a waitlist.");
    }
    Ok(())
}
