//! The `dpex` command line tool: `dpex devices` lists every OpenCL platform's devices and every
//! Vulkan device with what dpex needs to know about it, and whether dpex can run kernels there
//! (or why not); `dpex cache` shows the on-disk program cache (folder, files, size, cap) and
//! `dpex cache --clear` empties it; `dpex disasm FILE` prints the SPIR-V of every kernel
//! embedded in a binary (an example, a test, an application).
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
    /// List every OpenCL and Vulkan device (like `sycl-ls` / `clinfo -l`) with dpex's verdict.
    Devices {
        /// Also print everything dpex knows about each device (limits, Vulkan features, float
        /// controls, driver facts).
        #[arg(long)]
        verbose: bool,
    },
    /// Show the on-disk cache of compiled kernels (`DPEX_CACHE_DIR`, `DPEX_CACHE`,
    /// `DPEX_CACHE_MAX_BYTES`).
    Cache {
        /// Delete every cached device binary.
        #[arg(long)]
        clear: bool,
    },
    /// Print the SPIR-V disassembly of the kernels a binary embeds (every variant of every
    /// `#[kernel]`: C-contiguous and strided, checked and with the checks a launch proves left
    /// out).
    Disasm {
        /// The binary, e.g. `target/release/examples/saxpy`.
        file: std::path::PathBuf,
        /// Only the kernels with this name.
        #[arg(long)]
        kernel: Option<String>,
    },
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Devices { verbose } => match dpex_runtime::device_table() {
            Ok(table) => {
                print!("{table}");
                if !verbose {
                    return ExitCode::SUCCESS;
                }
                match dpex_runtime::Device::all() {
                    Ok(infos) => {
                        for info in infos {
                            println!("\n{info:#?}");
                        }
                        ExitCode::SUCCESS
                    }
                    Err(e) => {
                        eprintln!("dpex devices: {e}");
                        ExitCode::FAILURE
                    }
                }
            }
            Err(e) => {
                eprintln!("dpex devices: {e}");
                ExitCode::FAILURE
            }
        },
        Command::Cache { clear } => cache(clear),
        Command::Disasm { file, kernel } => disasm(&file, kernel.as_deref()),
    }
}

/// `dpex disasm FILE [--kernel NAME]`.
fn disasm(file: &std::path::Path, kernel: Option<&str>) -> ExitCode {
    let bytes = match std::fs::read(file) {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!("dpex disasm: {}: {e}", file.display());
            return ExitCode::FAILURE;
        }
    };
    let modules: Vec<_> = dpex_spirv::disasm::find_modules(&bytes)
        .into_iter()
        .filter(|m| kernel.is_none_or(|k| m.entry_points.iter().any(|e| e == k)))
        .collect();
    if modules.is_empty() {
        let which = kernel.map_or(String::new(), |k| format!(" of a kernel `{k}`"));
        eprintln!(
            "dpex disasm: no SPIR-V module{which} in {} (is it a binary with #[kernel]s?)",
            file.display()
        );
        return ExitCode::FAILURE;
    }
    for module in modules {
        println!(
            "; kernel {} ({} words, at byte {:#x})",
            module.entry_points.join(", "),
            module.words.len(),
            module.offset
        );
        match dpex_spirv::disasm::disassemble(&module.words) {
            Ok(text) => println!("{text}"),
            Err(e) => println!("; cannot disassemble: {e}\n"),
        }
    }
    ExitCode::SUCCESS
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
