//! `idp`: the command-line entry point. All the work is in the library; this prints a failure as
//! one readable line and turns it into a non-zero exit.

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    match idp::cli::run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("idp: error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
