//! `haven practice erase` and `haven certificate verify`.

use std::io::{BufRead, Write};
use std::path::Path;

use anyhow::{Context, Result, bail};
use domain::PracticeId;

use crate::backend;
use crate::cli::EraseArgs;
use crate::config::Config;

#[allow(clippy::print_stdout)]
pub async fn erase(config: Config, args: &EraseArgs) -> Result<()> {
    let practice: PracticeId =
        args.practice.parse().with_context(|| format!("{:?} is not a practice id", args.practice))?;
    let haven = backend::open_haven(&config).await?;
    let name = haven.practice_name(practice).await.with_context(|| format!("no practice {practice}"))?;
    let blockers = haven.erase_blockers(practice).await?;
    if !blockers.is_empty() {
        bail!("practice {practice} cannot be erased now: {}", blockers.join("; "));
    }
    let typed = match &args.confirm {
        Some(typed) => typed.clone(),
        None => ask(&format!(
            "This destroys every key of \"{name}\" ({practice}); its protected data becomes unrecoverable.\n\
             Type the practice name to confirm: "
        ))?,
    };
    if typed.trim() != name {
        bail!("the name typed does not match \"{name}\"; nothing was erased");
    }
    let operator = args.operator.clone().or_else(|| std::env::var("USER").ok()).unwrap_or_else(|| "unknown".into());
    let path = args.certificate.clone().unwrap_or_else(|| format!("certificate-of-destruction-{practice}.json").into());
    // The file is claimed before the erase: a certificate that cannot be written afterwards
    // would leave an erase without its evidence.
    let mut file = create_new(&path)?;
    let certificate = match haven.erase_practice(practice, &operator).await {
        Ok(c) => c,
        Err(e) => {
            drop(file);
            let _ = std::fs::remove_file(&path);
            return Err(e.into());
        }
    };
    let json = serde_json::to_string_pretty(&certificate)?;
    file.write_all(json.as_bytes()).and_then(|()| file.write_all(b"\n")).and_then(|()| file.sync_all()).with_context(
        || format!("the practice was erased but the certificate could not be written to {}:\n{json}", path.display()),
    )?;
    println!(
        "Erased \"{name}\": {} data keys destroyed, {} client records made unreadable.\nCertificate: {}",
        certificate.destruction.destroyed_keys.len(),
        certificate.destruction.client_records_made_unreadable,
        path.display()
    );
    Ok(())
}

fn ask(prompt: &str) -> Result<String> {
    eprint!("{prompt}");
    std::io::stderr().flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line)
}

/// Never overwrites: an earlier certificate is evidence.
fn create_new(path: &Path) -> Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .with_context(|| format!("cannot create the certificate file {}; nothing was erased", path.display()))
}

#[allow(clippy::print_stdout)]
pub fn verify_certificate(file: &Path, public_key: Option<&str>) -> Result<()> {
    let text = std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let d = service::erase::verify_certificate(&text, public_key)?;
    println!(
        "Valid certificate: practice \"{}\" ({}) erased at {} by {}; {} keys destroyed.",
        d.practice_name,
        d.practice_id,
        d.erased_at,
        d.operator,
        d.destroyed_keys.len()
    );
    Ok(())
}
