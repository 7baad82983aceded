//! Seeds (the `#[kernel]` and `#[dpex::func]` functions of the repository's tests and examples,
//! read from disk at test time) and token-level mutations of them.

use super::harness::{Entry, Input};
use proc_macro2::{Delimiter, Group, Ident, Literal, Span, TokenStream, TokenTree};
use quote::ToTokens;
use rand::rngs::StdRng;
use rand::Rng;
use std::path::Path;

/// One seed kernel: its `#[kernel(...)]` arguments, the function, and the `#[dpex::func]`s of
/// its file.
pub(crate) struct SeedKernel {
    pub attr: TokenStream,
    pub func: TokenStream,
    pub file: usize,
}

/// The seeds of all files.
pub(crate) struct Seeds {
    pub kernels: Vec<SeedKernel>,
    /// The `#[dpex::func]`s of each file.
    pub funcs: Vec<Vec<TokenStream>>,
    /// Identifiers, literals and punctuation met in the seeds (plus a vocabulary of the
    /// kernel language and some of Rust beyond it), to replace tokens with.
    idents: Vec<String>,
    literals: Vec<String>,
    puncts: Vec<TokenStream>,
}

const EXTRA_IDENTS: &[&str] = &[
    "let",
    "mut",
    "if",
    "else",
    "while",
    "for",
    "loop",
    "break",
    "continue",
    "return",
    "in",
    "as",
    "unsafe",
    "fn",
    "match",
    "move",
    "ref",
    "static",
    "const",
    "struct",
    "impl",
    "dyn",
    "Self",
    "self",
    "true",
    "false",
    "bool",
    "i8",
    "i16",
    "i32",
    "i64",
    "i128",
    "isize",
    "u8",
    "u16",
    "u32",
    "u64",
    "u128",
    "usize",
    "f16",
    "f32",
    "f64",
    "char",
    "str",
    "String",
    "Vec",
    "Box",
    "Option",
    "Some",
    "None",
    "Item",
    "NdItem",
    "Tensor",
    "LocalAccessor",
    "LocalArray",
    "LocalArray2",
    "AtomicRef",
    "MemoryOrder",
    "MemoryScope",
    "Float",
    "T",
    "U",
    "get_id",
    "get_global_id",
    "get_local_id",
    "get_group",
    "get_sub_group",
    "get_range",
    "len",
    "shape",
    "get_unchecked",
    "fetch_add",
    "load",
    "store",
    "compare_exchange",
    "sqrt",
    "powi",
    "powf",
    "mul_add",
    "wrapping_add",
    "wrapping_shl",
    "count_ones",
    "from_f64",
    "from_f32",
    "to_f32",
    "group_barrier",
    "atomic_fence",
    "reduce_add",
    "shuffle",
    "broadcast",
    "step_by",
    "rev",
    "MAX",
    "MIN",
    "BITS",
    "EPSILON",
    "NAN",
    "consts",
    "PI",
    "std",
    "core",
    "dpex",
    "math",
    "erf",
    "Relaxed",
    "SeqCst",
    "AcqRel",
    "Device",
    "WorkGroup",
    "SubGroup",
    "kernel",
    "func",
    "where",
    "async",
    "await",
    "extern",
    "union",
    "type",
    "trait",
    "_",
    "r#try",
];

const EXTRA_LITERALS: &[&str] = &[
    "0",
    "1",
    "2",
    "3",
    "4",
    "7",
    "16",
    "31",
    "32",
    "63",
    "64",
    "255",
    "256",
    "65535",
    "65536",
    "2147483647",
    "2147483648",
    "4294967295",
    "4294967296",
    "9223372036854775807",
    "9223372036854775808",
    "18446744073709551615",
    "18446744073709551616",
    "340282366920938463463374607431768211455",
    "0u8",
    "255u8",
    "256u8",
    "0i8",
    "127i8",
    "128i8",
    "0u16",
    "0i64",
    "0u64",
    "1usize",
    "0isize",
    "1i128",
    "1u128",
    "0x7f",
    "0xffff_ffff",
    "0b1010",
    "0o17",
    "1_000",
    "0.0",
    "0.5",
    "1.0",
    "-0.0",
    "1e10",
    "1e300",
    "1e400",
    "1e-45",
    "3.4e38",
    "0.5f32",
    "1.0f64",
    "2f32",
    "1.5f16",
    "1f16",
    "1e39f32",
    "'a'",
    "'\\u{10ffff}'",
    "b'x'",
    "\"text\"",
    "b\"bytes\"",
    "1.0e",
    "1u7",
    "0xg",
];

const EXTRA_PUNCTS: &[&str] = &[
    "+", "-", "*", "/", "%", "&", "|", "^", "!", "<<", ">>", "==", "!=", "<", "<=", ">", ">=",
    "&&", "||", "=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>=", "..", "..=",
    "::", ";", ",", ".", "?", "@", "#", "->", "=>", "'a", "&mut", "_", "$", "~",
];

impl Seeds {
    /// Reads the kernels of `tests/`, `tests/ui/` and `examples/` of the workspace.
    pub(crate) fn load() -> Seeds {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut files = Vec::new();
        for dir in ["tests", "tests/ui", "examples", "benches"] {
            let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
                continue;
            };
            let mut paths: Vec<_> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "rs"))
                .collect();
            paths.sort();
            files.extend(paths);
        }
        let mut seeds = Seeds {
            kernels: Vec::new(),
            funcs: Vec::new(),
            idents: EXTRA_IDENTS.iter().map(|s| s.to_string()).collect(),
            literals: EXTRA_LITERALS.iter().map(|s| s.to_string()).collect(),
            puncts: EXTRA_PUNCTS
                .iter()
                .filter_map(|s| s.parse::<TokenStream>().ok())
                .collect(),
        };
        for path in files {
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let Ok(file) = syn::parse_file(&text) else {
                continue;
            };
            let index = seeds.funcs.len();
            seeds.funcs.push(Vec::new());
            let mut found = Vec::new();
            collect_items(&file.items, &mut found);
            for (kind, attr, func) in found {
                seeds.vocabulary(func.clone());
                if kind == "kernel" {
                    seeds.kernels.push(SeedKernel {
                        attr,
                        func,
                        file: index,
                    });
                } else {
                    seeds.funcs[index].push(func);
                }
            }
        }
        seeds.idents.sort();
        seeds.idents.dedup();
        seeds.literals.sort();
        seeds.literals.dedup();
        seeds
    }

    fn vocabulary(&mut self, tokens: TokenStream) {
        for t in tokens {
            match t {
                TokenTree::Group(g) => self.vocabulary(g.stream()),
                TokenTree::Ident(i) => self.idents.push(i.to_string()),
                TokenTree::Literal(l) => self.literals.push(l.to_string()),
                TokenTree::Punct(_) => {}
            }
        }
    }

    fn random_ident(&self, rng: &mut StdRng) -> TokenTree {
        let name = &self.idents[rng.random_range(0..self.idents.len())];
        match syn::parse_str::<TokenStream>(name)
            .ok()
            .and_then(|t| t.into_iter().next())
        {
            Some(t) => t,
            None => TokenTree::Ident(Ident::new("x", Span::call_site())),
        }
    }

    fn random_literal(&self, rng: &mut StdRng) -> TokenStream {
        let text = &self.literals[rng.random_range(0..self.literals.len())];
        match text.parse::<TokenStream>() {
            Ok(t) => t,
            Err(_) => TokenTree::Literal(Literal::u32_unsuffixed(0)).into(),
        }
    }

    /// A mutant of a random seed kernel, with the `#[dpex::func]`s of its file.
    pub(crate) fn mutated(&self, rng: &mut StdRng) -> (TokenStream, Vec<TokenStream>) {
        let seed = &self.kernels[rng.random_range(0..self.kernels.len())];
        let mut tokens = flatten(seed.func.clone());
        let rounds = 1 + rng.random_range(0..4) * rng.random_range(0..2);
        for _ in 0..rounds {
            self.mutate(&mut tokens, rng);
        }
        let mut funcs = self.funcs[seed.file].clone();
        if !funcs.is_empty() && rng.random_bool(0.2) {
            let at = rng.random_range(0..funcs.len());
            let mut f = flatten(funcs[at].clone());
            self.mutate(&mut f, rng);
            funcs[at] = rebuild(&f);
        }
        (rebuild(&tokens), funcs)
    }

    /// One mutation of a flat token list.
    pub(crate) fn mutate(&self, tokens: &mut Vec<Flat>, rng: &mut StdRng) {
        if tokens.is_empty() {
            tokens.push(Flat::Leaf(self.random_ident(rng)));
            return;
        }
        let at = rng.random_range(0..tokens.len());
        match rng.random_range(0..12) {
            0 | 1 => {
                // Delete a token, or a whole group.
                let end = group_end(tokens, at);
                if rng.random_bool(0.5) {
                    tokens.drain(at..=end);
                } else {
                    tokens.remove(at);
                }
            }
            2 => {
                // Duplicate a token or a group.
                let end = group_end(tokens, at);
                let copy: Vec<Flat> = tokens[at..=end].to_vec();
                let to = rng.random_range(0..=tokens.len());
                tokens.splice(to..to, copy);
            }
            3 => {
                let other = rng.random_range(0..tokens.len());
                tokens.swap(at, other);
            }
            4..=6 => {
                // Replace an identifier (preferably) with another.
                let at = find_near(tokens, at, |t| matches!(t, Flat::Leaf(TokenTree::Ident(_))));
                tokens[at] = Flat::Leaf(self.random_ident(rng));
            }
            7 | 8 => {
                let at = find_near(tokens, at, |t| {
                    matches!(t, Flat::Leaf(TokenTree::Literal(_)))
                });
                let lit = flatten(self.random_literal(rng));
                tokens.splice(at..=at, lit);
            }
            9 => {
                let at = find_near(tokens, at, |t| matches!(t, Flat::Leaf(TokenTree::Punct(_))));
                let p = flatten(self.puncts[rng.random_range(0..self.puncts.len())].clone());
                tokens.splice(at..=at, p);
            }
            10 => {
                // Crossover: a slice of another seed.
                let other = &self.kernels[rng.random_range(0..self.kernels.len())];
                let flat = flatten(other.func.clone());
                if !flat.is_empty() {
                    let from = rng.random_range(0..flat.len());
                    let end = group_end(&flat, from)
                        .max((from + rng.random_range(0..6)).min(flat.len() - 1));
                    let to = rng.random_range(0..=tokens.len());
                    tokens.splice(to..to, flat[from..=end].iter().cloned());
                }
            }
            _ => {
                // Change the delimiter of a group (or a number within a generic argument).
                let at = find_near(tokens, at, |t| matches!(t, Flat::Open(_)));
                if let Flat::Open(_) = tokens[at] {
                    let end = group_end(tokens, at);
                    let new = [
                        Delimiter::Parenthesis,
                        Delimiter::Brace,
                        Delimiter::Bracket,
                        Delimiter::None,
                    ][rng.random_range(0..4)];
                    if end != at {
                        tokens[at] = Flat::Open(new);
                        tokens[end] = Flat::Close;
                    }
                }
            }
        }
    }
}

/// Finds `#[kernel]` / `#[dpex::func]` functions among `items` (in modules and function bodies
/// too): (kind, attribute arguments, function without the attribute).
fn collect_items(items: &[syn::Item], out: &mut Vec<(&'static str, TokenStream, TokenStream)>) {
    for item in items {
        match item {
            syn::Item::Fn(f) => {
                let mut f = f.clone();
                let mut kind = None;
                let mut attr_args = TokenStream::new();
                f.attrs.retain(|a| {
                    let last = a.path().segments.last().map(|s| s.ident.to_string());
                    match last.as_deref() {
                        Some("kernel") => {
                            kind = Some("kernel");
                            if let syn::Meta::List(l) = &a.meta {
                                attr_args = l.tokens.clone();
                            }
                            false
                        }
                        Some("func") => {
                            kind = Some("func");
                            false
                        }
                        _ => true,
                    }
                });
                let inner: Vec<syn::Item> = f
                    .block
                    .stmts
                    .iter()
                    .filter_map(|s| match s {
                        syn::Stmt::Item(i) => Some(i.clone()),
                        _ => None,
                    })
                    .collect();
                if let Some(kind) = kind {
                    out.push((kind, attr_args, f.to_token_stream()));
                } else {
                    collect_items(&inner, out);
                }
            }
            syn::Item::Mod(m) => {
                if let Some((_, items)) = &m.content {
                    collect_items(items, out);
                }
            }
            _ => {}
        }
    }
}

/// A token stream flattened: groups become an open marker, their tokens and a close marker.
#[derive(Clone, Debug)]
pub(crate) enum Flat {
    Open(Delimiter),
    Close,
    Leaf(TokenTree),
}

pub(crate) fn flatten(tokens: TokenStream) -> Vec<Flat> {
    let mut out = Vec::new();
    for t in tokens {
        match t {
            TokenTree::Group(g) => {
                out.push(Flat::Open(g.delimiter()));
                out.extend(flatten(g.stream()));
                out.push(Flat::Close);
            }
            leaf => out.push(Flat::Leaf(leaf)),
        }
    }
    out
}

/// Rebuilds a token stream from a flat list, balancing it: an unmatched close is dropped, a
/// close of another kind closes the innermost group, unclosed groups close at the end.
pub(crate) fn rebuild(flat: &[Flat]) -> TokenStream {
    let mut stack: Vec<(Delimiter, Vec<TokenTree>)> = vec![(Delimiter::None, Vec::new())];
    for t in flat {
        match t {
            Flat::Open(d) => stack.push((*d, Vec::new())),
            Flat::Close => {
                if stack.len() > 1 {
                    if let Some((d, inner)) = stack.pop() {
                        let g = Group::new(d, inner.into_iter().collect());
                        if let Some(top) = stack.last_mut() {
                            top.1.push(TokenTree::Group(g));
                        }
                    }
                }
            }
            Flat::Leaf(l) => {
                if let Some(top) = stack.last_mut() {
                    top.1.push(l.clone());
                }
            }
        }
    }
    while stack.len() > 1 {
        if let Some((d, inner)) = stack.pop() {
            let g = Group::new(d, inner.into_iter().collect());
            if let Some(top) = stack.last_mut() {
                top.1.push(TokenTree::Group(g));
            }
        }
    }
    stack
        .pop()
        .map(|(_, t)| t.into_iter().collect())
        .unwrap_or_default()
}

/// The index of the close marker of the group opened at `at` (or `at` for a leaf).
fn group_end(tokens: &[Flat], at: usize) -> usize {
    if !matches!(tokens[at], Flat::Open(_)) {
        return at;
    }
    let mut depth = 0i32;
    for (i, t) in tokens.iter().enumerate().skip(at) {
        match t {
            Flat::Open(_) => depth += 1,
            Flat::Close => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            Flat::Leaf(_) => {}
        }
    }
    tokens.len() - 1
}

/// The first token at or after `at` (wrapping) that satisfies `want`, else `at`.
fn find_near(tokens: &[Flat], at: usize, want: impl Fn(&Flat) -> bool) -> usize {
    (0..tokens.len())
        .map(|k| (at + k) % tokens.len())
        .find(|&i| want(&tokens[i]))
        .unwrap_or(at)
}

/// An input for a public entry point: a (mutated) seed kernel or function, or a generated
/// kernel, through `#[kernel]`, `#[dpex::func]` or `__kernel_step!`.
pub(crate) fn entry_input(seeds: &Seeds, rng: &mut StdRng) -> Input {
    let generated = rng.random_bool(0.3);
    let (mut item, attr) = if generated {
        let source = super::grammar::kernel(rng);
        let attr: TokenStream = ["", "unchecked", "fast_math", "unchecked, fast_math"]
            [rng.random_range(0..4)]
        .parse()
        .unwrap_or_default();
        (source.parse::<TokenStream>().unwrap_or_default(), attr)
    } else {
        let seed = &seeds.kernels[rng.random_range(0..seeds.kernels.len())];
        (seed.func.clone(), seed.attr.clone())
    };
    let mutate = !generated || rng.random_bool(0.5);
    if mutate {
        let mut flat = flatten(item);
        for _ in 0..rng.random_range(1..4) {
            seeds.mutate(&mut flat, rng);
        }
        item = rebuild(&flat);
    }
    let mut attr = attr;
    if rng.random_bool(0.1) {
        let mut flat = flatten(attr);
        seeds.mutate(&mut flat, rng);
        attr = rebuild(&flat);
    }
    match rng.random_range(0..10) {
        0..=5 => Input::Entry {
            which: Entry::Kernel,
            attr,
            item,
        },
        6 | 7 => {
            // A device function: one of the seeds' (mutated), or the kernel itself.
            let all: Vec<&TokenStream> = seeds.funcs.iter().flatten().collect();
            let item = if !all.is_empty() && rng.random_bool(0.7) {
                let mut flat = flatten(all[rng.random_range(0..all.len())].clone());
                for _ in 0..rng.random_range(0..3) {
                    seeds.mutate(&mut flat, rng);
                }
                rebuild(&flat)
            } else {
                item
            };
            let attr = if rng.random_bool(0.9) {
                TokenStream::new()
            } else {
                attr
            };
            Input::Entry {
                which: Entry::Func,
                attr,
                item,
            }
        }
        _ => {
            // `__kernel_step!` with the state a kernel's expansion carries, maybe damaged.
            let funcs: Vec<TokenStream> = seeds.funcs.iter().flatten().take(3).cloned().collect();
            // Each gathered function with the path it was gathered through: its name.
            let paths = funcs
                .iter()
                .map(|f| match syn::parse2::<syn::ItemFn>(f.clone()) {
                    Ok(f) => f.sig.ident.into_token_stream(),
                    Err(_) => quote::quote!(f),
                });
            let mut state = quote::quote!(
                attr: [#attr] kernel: { #item } funcs: [ #([#paths] { #funcs })* ] consts: []
            );
            if rng.random_bool(0.3) {
                let mut flat = flatten(state);
                seeds.mutate(&mut flat, rng);
                state = rebuild(&flat);
            }
            Input::Entry {
                which: Entry::Step,
                attr: TokenStream::new(),
                item: state,
            }
        }
    }
}
