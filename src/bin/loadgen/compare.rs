//! Placeholder.
#[derive(clap::Args)]
pub struct CompareArgs {}
pub async fn run(_: CompareArgs) -> anyhow::Result<()> {
    Ok(())
}
