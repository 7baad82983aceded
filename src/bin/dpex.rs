//! The `dpex` command line tool: `dpex devices` lists every OpenCL platform and device with what
//! dpex needs to know about it, and whether dpex can run kernels there (or why not); `dpex cache`
//! shows the on-disk program cache (folder, files, size, cap) and `dpex cache --clear` empties it.
//!
//! Run it with `cargo run -p dpex --bin dpex -- devices`.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// dpex: GPU kernels as Rust functions, run through OpenCL.
#[derive(Parser)]
#[command(name = "dpex", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List every OpenCL platform and device (like `sycl-ls` / `clinfo -l`) with dpex's verdict.
    Devices,
    /// Show the on-disk cache of compiled kernels (`DPEX_CACHE_DIR`, `DPEX_CACHE`,
    /// `DPEX_CACHE_MAX_BYTES`).
    Cache {
        /// Delete every cached device binary.
        #[arg(long)]
        clear: bool,
    },
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Devices => match dpex_runtime::device_table() {
            Ok(table) => {
                print!("{table}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("dpex devices: {e}");
                ExitCode::FAILURE
            }
        },
        Command::Cache { clear } => cache(clear),
    }
}

/// `dpex cache [--clear]`.
fn cache(clear: bool) -> ExitCode {
    let config = dpex_runtime::cache_config();
    let Some(dir) = &config.dir else {
        println!("the on-disk program cache is disabled (DPEX_CACHE=off, or no cache folder)");
        return ExitCode::SUCCESS;
    };
    if clear {
        return match config.clear() {
            Ok(n) => {
                println!("deleted {n} cached program(s) from {}", dir.display());
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("dpex cache --clear: {}: {e}", dir.display());
                ExitCode::FAILURE
            }
        };
    }
    match config.usage() {
        Ok((files, bytes)) => {
            println!("folder:   {}", dir.display());
            println!("programs: {files}");
            println!(
                "size:     {bytes} bytes ({:.1} MiB) of a {:.1} MiB cap",
                bytes as f64 / 1048576.0,
                config.max_bytes as f64 / 1048576.0
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("dpex cache: {}: {e}", dir.display());
            ExitCode::FAILURE
        }
    }
}
