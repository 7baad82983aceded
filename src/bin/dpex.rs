//! The `dpex` command line tool: `dpex devices` lists every OpenCL platform and device with what
//! dpex needs to know about it, and whether dpex can run kernels there (or why not).
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
    }
}
