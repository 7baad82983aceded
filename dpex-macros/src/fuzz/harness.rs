//! Runs one input through what the macro runs and classifies the result: a valid module, a
//! compile error (both fine), or a [`Failure`].

use crate::lower::{lower_module, Checks, FunctionTable};
use crate::parse::{instantiations, parse_signature, ParamDeclKind};
use proc_macro2::TokenStream;
use std::cell::RefCell;
use std::collections::HashSet;
use std::io::Write;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::process::{Command, Stdio};
use std::sync::{Mutex, Once, OnceLock};
use std::time::{Duration, Instant};

/// Which public entry point an [`Input::Entry`] goes through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Entry {
    /// `generate::kernel(attr, item)`: `#[kernel]`.
    Kernel,
    /// `generate::func(attr, item)`: `#[dpex::func]`.
    Func,
    /// `generate::kernel_step(item)`: `__kernel_step!` (`attr` unused).
    Step,
}

/// One fuzz input.
#[derive(Clone, Debug)]
pub(crate) enum Input {
    /// The pipeline `build_instance` runs: parse, signature, lowering, emission, `spirv-val`.
    Pipeline {
        /// The kernel function (without `#[kernel]`).
        kernel: TokenStream,
        /// `#[dpex::func]`s the kernel may call (as the macro would have gathered them).
        funcs: Vec<TokenStream>,
        /// False for `#[kernel(unchecked)]`.
        checked: bool,
    },
    /// A public entry point, tokens in and tokens out.
    Entry {
        which: Entry,
        attr: TokenStream,
        item: TokenStream,
    },
}

impl Input {
    /// A pipeline input from source text (that must lex: the generator writes it).
    pub(crate) fn pipeline_source(source: &str, checked: bool) -> Input {
        let kernel = match source.parse::<TokenStream>() {
            Ok(t) => t,
            Err(e) => panic!("the generator wrote text that does not lex ({e}):\n{source}"),
        };
        Input::Pipeline {
            kernel,
            funcs: Vec::new(),
            checked,
        }
    }

    /// The input as text to paste into a regression test.
    pub(crate) fn render(&self) -> String {
        match self {
            Input::Pipeline {
                kernel,
                funcs,
                checked,
            } => {
                let mut s = format!("pipeline (checked: {checked}):\n{kernel}");
                for f in funcs {
                    s.push_str(&format!("\nwith #[dpex::func] {f}"));
                }
                s
            }
            Input::Entry { which, attr, item } => {
                format!("entry {which:?} (attr: `{attr}`):\n{item}")
            }
        }
    }
}

/// How an input ended when nothing went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// syn rejected the tokens.
    Syntax,
    /// The macro reported a compile error.
    Rejected,
    /// This many modules were emitted and all passed `spirv-val`.
    Valid(usize),
    /// An entry point returned tokens (with or without `compile_error!`).
    Expanded,
}

/// What went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FailureKind {
    Panic,
    EmitError,
    InvalidModule,
    InternalErrorMessage,
    BadExpansion,
}

/// A bug found by an input.
#[derive(Debug, Clone)]
pub(crate) struct Failure {
    pub kind: FailureKind,
    /// What identifies the bug (panic location, first line of the error): two failures with
    /// the same key are taken for one bug.
    pub key: String,
    /// Everything known: message, `spirv-val` output, ...
    pub detail: String,
}

impl Failure {
    fn new(kind: FailureKind, key: impl Into<String>, detail: impl Into<String>) -> Failure {
        Failure {
            kind,
            key: key.into(),
            detail: detail.into(),
        }
    }

    /// One line for logs.
    pub(crate) fn summary(&self) -> String {
        format!("{:?}: {}", self.kind, self.key)
    }

    pub(crate) fn same_bug(&self, other: &Failure) -> bool {
        self.kind == other.kind && self.key == other.key
    }
}

/// Counts of outcomes, for the closing line of a campaign.
#[derive(Default)]
pub(crate) struct Stats {
    syntax: u64,
    rejected: u64,
    pub valid: u64,
    modules: u64,
    expanded: u64,
    failed: u64,
}

impl Stats {
    /// How many cases ran.
    pub(crate) fn cases(&self) -> u64 {
        self.syntax + self.rejected + self.valid + self.expanded + self.failed
    }

    pub(crate) fn count(&mut self, r: &Result<Outcome, Failure>) {
        match r {
            Ok(Outcome::Syntax) => self.syntax += 1,
            Ok(Outcome::Rejected) => self.rejected += 1,
            Ok(Outcome::Valid(n)) => {
                self.valid += 1;
                self.modules += *n as u64;
            }
            Ok(Outcome::Expanded) => self.expanded += 1,
            Err(_) => self.failed += 1,
        }
    }
}

impl std::fmt::Display for Stats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} syntax errors, {} compile errors, {} kernels valid ({} modules passed spirv-val), \
             {} expansions, {} failures",
            self.syntax, self.rejected, self.valid, self.modules, self.expanded, self.failed
        )
    }
}

thread_local! {
    /// Set while a case runs on this thread: panics are recorded here instead of printed.
    static CAPTURE: RefCell<Option<String>> = const { RefCell::new(None) };
    static CAPTURING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Installs (once) a panic hook that records the panics of fuzz cases (message and location)
/// and leaves the others to the default hook.
pub(crate) fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if CAPTURING.with(|c| c.get()) {
                let location = info
                    .location()
                    .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
                    .unwrap_or_else(|| "<unknown>".to_string());
                let message = info
                    .payload()
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| info.payload().downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "<non-string payload>".to_string());
                CAPTURE.with(|c| *c.borrow_mut() = Some(format!("{location}\n{message}")));
            } else {
                default(info);
            }
        }));
        start_watchdog();
    });
}

/// The case running now on some thread, for the watchdog: start time and input.
static RUNNING: Mutex<Vec<(std::thread::ThreadId, Instant, String)>> = Mutex::new(Vec::new());

/// A case that runs longer than this is a hang: the watchdog prints it and aborts.
const HANG: Duration = Duration::from_secs(60);

fn start_watchdog() {
    std::thread::spawn(|| loop {
        std::thread::sleep(Duration::from_secs(5));
        let running = RUNNING.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, _, input)) = running.iter().find(|(_, t, _)| t.elapsed() > HANG) {
            eprintln!(
                "fuzz case hung for more than {HANG:?} (an endless loop in the macro):\n{input}"
            );
            std::process::abort();
        }
    });
}

/// Runs `input`, catching panics.
pub(crate) fn check(input: &Input) -> Result<Outcome, Failure> {
    let id = std::thread::current().id();
    {
        let mut running = RUNNING.lock().unwrap_or_else(|e| e.into_inner());
        running.push((id, Instant::now(), input.render()));
    }
    CAPTURING.with(|c| c.set(true));
    let result = catch_unwind(AssertUnwindSafe(|| run(input)));
    CAPTURING.with(|c| c.set(false));
    {
        let mut running = RUNNING.lock().unwrap_or_else(|e| e.into_inner());
        running.retain(|(t, _, _)| *t != id);
    }
    match result {
        Ok(r) => r,
        Err(_) => {
            let captured = CAPTURE
                .with(|c| c.borrow_mut().take())
                .unwrap_or_else(|| "<no message>".to_string());
            let key = captured.lines().next().unwrap_or_default().to_string();
            // The message may name values of this input; the location identifies the bug.
            Err(Failure::new(
                FailureKind::Panic,
                key,
                format!("panicked at {captured}"),
            ))
        }
    }
}

fn run(input: &Input) -> Result<Outcome, Failure> {
    match input {
        Input::Pipeline {
            kernel,
            funcs,
            checked,
        } => pipeline(kernel, funcs, *checked),
        Input::Entry { which, attr, item } => entry(*which, attr, item),
    }
}

/// A compile error is fine unless it confesses an internal error.
fn rejected(e: &syn::Error) -> Result<Outcome, Failure> {
    let text = e.to_string();
    if std::env::var_os("DPEX_FUZZ_SHOW_ERRORS").is_some() {
        eprintln!("compile error: {text}");
    }
    if text.contains("internal error") {
        return Err(Failure::new(
            FailureKind::InternalErrorMessage,
            text.lines().next().unwrap_or_default(),
            text.clone(),
        ));
    }
    Ok(Outcome::Rejected)
}

/// What `generate::build`/`build_instance` do, with every emitted module validated.
fn pipeline(
    kernel: &TokenStream,
    funcs: &[TokenStream],
    checked: bool,
) -> Result<Outcome, Failure> {
    let Ok(item) = syn::parse2::<syn::ItemFn>(kernel.clone()) else {
        return Ok(Outcome::Syntax);
    };
    // The table the macro builds: functions nested in the body, then the gathered ones.
    let nested: Vec<syn::ItemFn> = item
        .block
        .stmts
        .iter()
        .filter_map(|s| match s {
            syn::Stmt::Item(syn::Item::Fn(f)) => Some(f.clone()),
            _ => None,
        })
        .collect();
    let gathered: Vec<(syn::Path, syn::ItemFn)> = funcs
        .iter()
        .filter_map(|f| syn::parse2::<syn::ItemFn>(f.clone()).ok())
        .map(|f| (f.sig.ident.clone().into(), f))
        .collect();
    let all_types = match instantiations(&item.sig.generics) {
        Ok(all) => all,
        Err(e) => return rejected(&e),
    };
    let mut modules = 0;
    for types in &all_types {
        let sig = match parse_signature(&item, types) {
            Ok(sig) => sig,
            Err(e) => return rejected(&e),
        };
        let has_tensors = sig
            .params
            .iter()
            .any(|p| matches!(p.kind, ParamDeclKind::Tensor { .. }));
        let layouts: &[bool] = if has_tensors { &[true, false] } else { &[true] };
        // Each layout of a safe kernel also has the variant without provable checks.
        let variants = layouts.iter().flat_map(|&contiguous| {
            let proven = checked.then_some((contiguous, Checks::UnlessProven));
            let checks = if checked { Checks::On } else { Checks::Off };
            std::iter::once((contiguous, checks)).chain(proven)
        });
        for (contiguous, checks) in variants {
            let table = FunctionTable::new(nested.clone(), gathered.clone());
            let mut module = match lower_module(&sig, &item.block, &table, contiguous, checks) {
                Ok(lowered) => lowered.module,
                Err(e) => return rejected(&e),
            };
            dpex_spirv::proc::narrow_barrier_fences(&mut module);
            let _ = dpex_spirv::required_features(&module);
            let words = match dpex_spirv::emit_opencl(&module, &dpex_spirv::Options::default()) {
                Ok(emitted) => emitted.words,
                Err(e) => {
                    let text = e.to_string();
                    let key = first_words(&text, 12);
                    return Err(Failure::new(
                        FailureKind::EmitError,
                        key,
                        format!("the emitter rejected the lowered module: {text}\n--- IR ---\n{module:#?}"),
                    ));
                }
            };
            validate(&words)?;
            modules += 1;
        }
    }
    Ok(Outcome::Valid(modules))
}

/// The first `n` words of `text`'s first line (error messages name the user's values later).
fn first_words(text: &str, n: usize) -> String {
    let line = text.lines().next().unwrap_or_default();
    let words: Vec<&str> = line.split_whitespace().take(n).collect();
    words.join(" ")
}

/// The `spirv-val` target environment for a module, as dpex-spirv's tests choose it:
/// `opencl2.2` for SPIR-V 1.2 without the `Float16`/`Int64Atomics` capabilities (which the
/// OpenCL environments of `spirv-val` reject as device extensions), else `spv1.N`.
pub(crate) fn target_env(words: &[u32]) -> String {
    let minor = words.get(1).map_or(2, |w| (w >> 8) & 0xff);
    const OP_CAPABILITY: u32 = 17;
    const FLOAT16: u32 = 9;
    const INT64_ATOMICS: u32 = 12;
    let mut extension_capability = false;
    let mut at = 5;
    while at < words.len() {
        let count = (words[at] >> 16) as usize;
        let opcode = words[at] & 0xffff;
        if opcode == OP_CAPABILITY && count == 2 {
            if let Some(&cap) = words.get(at + 1) {
                extension_capability |= cap == FLOAT16 || cap == INT64_ATOMICS;
            }
        }
        if count == 0 {
            break;
        }
        at += count;
    }
    if extension_capability || minor != 2 {
        format!("spv1.{minor}")
    } else {
        "opencl2.2".to_string()
    }
}

/// Hashes of modules that passed already (mutants often lower to the same module).
fn passed() -> &'static Mutex<HashSet<u64>> {
    static PASSED: OnceLock<Mutex<HashSet<u64>>> = OnceLock::new();
    PASSED.get_or_init(|| Mutex::new(HashSet::new()))
}

/// Runs `spirv-val` on `words` (from stdin); a missing `spirv-val` fails the test.
pub(crate) fn validate(words: &[u32]) -> Result<(), Failure> {
    let hash = dpex_spirv::spirv_hash(words);
    if passed()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .contains(&hash)
    {
        return Ok(());
    }
    let env = target_env(words);
    let mut child = match Command::new("spirv-val")
        .arg("--target-env")
        .arg(&env)
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => {
            // Not a failure of the input: the fuzz test cannot run. Raised outside the case's
            // panic capture so that it is reported as is.
            CAPTURING.with(|c| c.set(false));
            panic!(
                "cannot run spirv-val ({e}): install it with `apt-get install spirv-tools` (the \
                 fuzz tests never skip validation)"
            );
        }
    };
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(&bytes);
    }
    let output = match child.wait_with_output() {
        Ok(o) => o,
        Err(e) => panic!("spirv-val did not finish: {e}"),
    };
    if output.status.success() {
        passed()
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(hash);
        return Ok(());
    }
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let key = log
        .lines()
        .next()
        .map(|l| {
            // "error: line 42: <message>": the line number differs between inputs.
            let l = l.trim_start_matches("error: ");
            let l = l.split_once(": ").map_or(l, |(_, rest)| rest);
            first_words(l, 10)
        })
        .unwrap_or_default();
    let text = dpex_spirv::disasm::disassemble(words).unwrap_or_else(|e| format!("<{e}>"));
    Err(Failure::new(
        FailureKind::InvalidModule,
        key,
        format!(
            "spirv-val --target-env {env} rejected the module:\n{log}\n--- disassembly ---\n{text}"
        ),
    ))
}

/// Runs a public entry point: it must return tokens, and those must parse as items.
fn entry(which: Entry, attr: &TokenStream, item: &TokenStream) -> Result<Outcome, Failure> {
    let out = match which {
        Entry::Kernel => crate::generate::kernel(attr.clone(), item.clone()),
        Entry::Func => crate::generate::func(attr.clone(), item.clone()),
        Entry::Step => crate::generate::kernel_step(item.clone()),
    };
    let text = out.to_string();
    if text.contains("internal error") {
        return Err(Failure::new(
            FailureKind::InternalErrorMessage,
            "an entry point reported an internal error",
            text,
        ));
    }
    // What the macro returns goes back to rustc as items (`compile_error!` is an item macro).
    // A function that does not parse is echoed as it came (after the error), so only the
    // expansions of functions that parse must parse.
    let item_parses = which == Entry::Step || syn::parse2::<syn::ItemFn>(item.clone()).is_ok();
    if !item_parses {
        return Ok(Outcome::Expanded);
    }
    if let Err(e) = syn::parse2::<syn::File>(out) {
        return Err(Failure::new(
            FailureKind::BadExpansion,
            // syn's message tells one cause from another.
            format!("{which:?}: the expansion does not parse as items ({e})"),
            format!("{e}\n--- expansion ---\n{text}"),
        ));
    }
    Ok(Outcome::Expanded)
}
