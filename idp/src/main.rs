//! `idp`: the command-line entry point. All the work is in the library; this prints a failure as
//! one readable line and turns it into a non-zero exit.

use std::process::ExitCode;

// glibc's allocator keeps freed large blocks in per-thread arenas: each password hash frees
// 19 MiB that the process then holds on to. mimalloc returns them, keeping the server's
// memory flat under a stream of logins.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
