//! Placeholder.
#[derive(clap::Args)]
pub struct SuiteArgs {}
pub async fn run(_: SuiteArgs) -> anyhow::Result<()> {
    Ok(())
}
