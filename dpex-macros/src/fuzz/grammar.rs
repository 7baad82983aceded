//! Random kernel-shaped functions from a small grammar. The generator tracks the names in scope
//! and their types, so most kernels it writes are well typed and reach the emitter; a few
//! choices are deliberately off (a wrong type, a name used outside its scope) so that the
//! error paths of the lowering run too.

use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::Rng;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ty {
    Bool,
    I8,
    I16,
    I32,
    I64,
    Isize,
    U8,
    U16,
    U32,
    U64,
    Usize,
    F16,
    F32,
    F64,
    /// The type parameter `T: Float` of a generic kernel.
    Gen,
}

use Ty::*;

const NUMERIC: &[Ty] = &[I8, I16, I32, I64, Isize, U8, U16, U32, U64, Usize, F32, F64];
const ELEMENTS: &[Ty] = &[I32, U32, I64, U64, F32, F64, U8, I16, Usize];

impl Ty {
    fn name(self) -> &'static str {
        match self {
            Bool => "bool",
            I8 => "i8",
            I16 => "i16",
            I32 => "i32",
            I64 => "i64",
            Isize => "isize",
            U8 => "u8",
            U16 => "u16",
            U32 => "u32",
            U64 => "u64",
            Usize => "usize",
            F16 => "f16",
            F32 => "f32",
            F64 => "f64",
            Gen => "T",
        }
    }
    fn is_float(self) -> bool {
        matches!(self, F16 | F32 | F64 | Gen)
    }
    fn is_int(self) -> bool {
        !self.is_float() && self != Bool
    }
    fn is_signed(self) -> bool {
        matches!(self, I8 | I16 | I32 | I64 | Isize) || self.is_float()
    }
    /// True for types whose atomics the lowering supports on tensors.
    fn atomic(self) -> bool {
        matches!(self, I32 | U32 | I64 | U64 | F32)
    }
}

#[derive(Clone, Debug)]
enum Kind {
    Scalar { ty: Ty, mutable: bool },
    Array { ty: Ty, len: u32, mutable: bool },
    Tensor { ty: Ty, mutable: bool, dims: u32 },
    LocalAcc { ty: Ty },
    LocalArr { ty: Ty, len: u32 },
    Tuple(Vec<Ty>),
    Group,
}

#[derive(Clone, Debug)]
struct Var {
    name: String,
    kind: Kind,
}

/// A device function the kernel may call.
#[derive(Clone, Debug)]
struct Func {
    name: String,
    params: Vec<Ty>,
    result: Option<Ty>,
    generic: bool,
}

struct Gen<'r> {
    rng: &'r mut StdRng,
    scopes: Vec<Vec<Var>>,
    funcs: Vec<Func>,
    item: String,
    dims: u32,
    nd: bool,
    generic: bool,
    /// Labels of the enclosing loops (`None` for unlabeled ones).
    loops: Vec<Option<String>>,
    /// Inside a device function (no item, no barriers).
    in_function: bool,
    /// The result type of the device function being written.
    result: Option<Ty>,
    fresh: u32,
    /// How many statements are still allowed (keeps kernels small).
    budget: i32,
    /// How many expressions enclose the one being written.
    nesting: u32,
    /// Set for the few kernels that get some values of the wrong type.
    sloppy: bool,
}

/// A random kernel, as source text.
pub(crate) fn kernel(rng: &mut StdRng) -> String {
    let nd = rng.random_bool(0.35);
    let dims = rng.random_range(1..=3);
    let generic = rng.random_bool(0.12);
    let item = ["item", "it", "wi"]
        .choose(rng)
        .copied()
        .unwrap_or("item")
        .to_string();
    let mut g = Gen {
        rng,
        scopes: vec![Vec::new()],
        funcs: Vec::new(),
        item,
        dims,
        nd,
        generic,
        loops: Vec::new(),
        in_function: false,
        result: None,
        fresh: 0,
        budget: 0,
        nesting: 0,
        sloppy: false,
    };
    g.sloppy = g.chance(0.1);
    g.write_kernel()
}

impl Gen<'_> {
    fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p)
    }
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.rng.random_range(0..items.len())]
    }
    fn fresh(&mut self, stem: &str) -> String {
        self.fresh += 1;
        format!("{stem}{}", self.fresh)
    }
    fn bind(&mut self, name: String, kind: Kind) {
        if let Some(s) = self.scopes.last_mut() {
            s.push(Var { name, kind });
        }
    }
    fn vars(&self) -> Vec<Var> {
        // Innermost last; later (shadowing) entries win in lookups, which the filters below
        // respect by keeping only the last binding of each name.
        let mut all: Vec<Var> = Vec::new();
        for v in self.scopes.iter().flatten() {
            all.retain(|w| w.name != v.name);
            all.push(v.clone());
        }
        all
    }
    fn float_ty(&mut self) -> Ty {
        if self.generic && self.chance(0.5) {
            Gen
        } else if self.chance(0.04) {
            F16
        } else {
            self.pick(&[F32, F64])
        }
    }
    fn scalar_ty(&mut self) -> Ty {
        match self.rng.random_range(0..10) {
            0 => Bool,
            1 | 2 => self.float_ty(),
            _ => self.pick(NUMERIC),
        }
    }

    fn write_kernel(&mut self) -> String {
        let mut params = vec![format!(
            "{}: {}<{}>",
            self.item,
            if self.nd { "NdItem" } else { "Item" },
            self.dims
        )];
        for _ in 0..self.rng.random_range(0..5) {
            let name = self.fresh("p");
            let (text, kind) = match self.rng.random_range(0..10) {
                0..=2 => {
                    let ty = self.scalar_ty();
                    let mutable = self.chance(0.2);
                    let m = if mutable { "mut " } else { "" };
                    (
                        format!("{m}{name}: {}", ty.name()),
                        Kind::Scalar { ty, mutable },
                    )
                }
                3..=8 => {
                    let ty = if self.generic && self.chance(0.5) {
                        Gen
                    } else {
                        self.pick(ELEMENTS)
                    };
                    let mutable = self.chance(0.6);
                    let dims = if self.chance(0.8) {
                        1
                    } else {
                        self.rng.random_range(2..=3)
                    };
                    let r = if mutable { "&mut " } else { "&" };
                    let d = if dims > 1 || self.chance(0.1) {
                        format!(", {dims}")
                    } else {
                        String::new()
                    };
                    (
                        format!("{name}: {r}Tensor<{}{d}>", ty.name()),
                        Kind::Tensor { ty, mutable, dims },
                    )
                }
                _ => {
                    let ty = self.pick(ELEMENTS);
                    (
                        format!("{name}: LocalAccessor<{}>", ty.name()),
                        Kind::LocalAcc { ty },
                    )
                }
            };
            params.push(text);
            self.bind(name, kind);
        }
        // Device functions first (nested in the body, where the macro finds them).
        let mut body = String::new();
        for _ in 0..self.rng.random_range(0..3) {
            body.push_str(&self.write_function());
        }
        self.budget = self.rng.random_range(3..25);
        if self.chance(0.9) {
            let get = if self.nd { "get_global_id" } else { "get_id" };
            body.push_str(&format!("let i = {}.{get}(0);\n", self.item));
            self.bind(
                "i".into(),
                Kind::Scalar {
                    ty: Usize,
                    mutable: false,
                },
            );
        }
        if self.nd && self.chance(0.7) {
            body.push_str(&format!("let group = {}.get_group();\n", self.item));
            self.bind("group".into(), Kind::Group);
        }
        body.push_str(&self.statements(3));
        let generics = if self.generic { "<T: Float>" } else { "" };
        let name = self.fresh("k");
        format!("fn {name}{generics}({}) {{\n{body}}}\n", params.join(", "))
    }

    fn write_function(&mut self) -> String {
        let name = self.fresh("f");
        let generic = self.chance(0.2);
        let saved_scopes = std::mem::replace(&mut self.scopes, vec![Vec::new()]);
        let saved_generic = self.generic;
        let saved_loops = std::mem::take(&mut self.loops);
        self.in_function = true;
        self.generic = generic;
        let mut params = Vec::new();
        let mut texts = Vec::new();
        for _ in 0..self.rng.random_range(0..4) {
            let ty = if generic && self.chance(0.7) {
                Gen
            } else {
                self.scalar_ty()
            };
            let p = self.fresh("a");
            texts.push(format!("{p}: {}", ty.name()));
            params.push(ty);
            self.bind(p, Kind::Scalar { ty, mutable: false });
        }
        let result = if generic {
            Some(Gen)
        } else if self.chance(0.8) {
            Some(self.scalar_ty())
        } else {
            None
        };
        self.result = result;
        self.budget = self.rng.random_range(0..6);
        let mut body = self.statements(2);
        if let Some(r) = result {
            body.push_str(&self.expr(r, 2));
            body.push('\n');
        }
        let arrow = result
            .map(|r| format!(" -> {}", r.name()))
            .unwrap_or_default();
        let generics = if generic { "<T: Float>" } else { "" };
        let text = format!(
            "fn {name}{generics}({}){arrow} {{\n{body}}}\n",
            texts.join(", ")
        );
        self.scopes = saved_scopes;
        self.generic = saved_generic;
        self.loops = saved_loops;
        self.in_function = false;
        self.result = None;
        // A generic function takes `T` for the kernel's float type at the call.
        self.funcs.push(Func {
            name,
            params,
            result,
            generic,
        });
        text
    }

    fn statements(&mut self, depth: u32) -> String {
        let mut out = String::new();
        let n = self.rng.random_range(1..6);
        for _ in 0..n {
            if self.budget <= 0 {
                break;
            }
            self.budget -= 1;
            out.push_str(&self.statement(depth));
            out.push('\n');
        }
        out
    }

    fn block(&mut self, depth: u32) -> String {
        self.scopes.push(Vec::new());
        let s = self.statements(depth.saturating_sub(1));
        self.scopes.pop();
        format!("{{\n{s}}}")
    }

    fn statement(&mut self, depth: u32) -> String {
        let choice = self.rng.random_range(0..26);
        match choice {
            0..=4 => self.let_scalar(),
            5 => self.let_array(),
            6 => self.let_tuple(),
            7..=10 => self.assign(),
            11 | 12 if depth > 0 => {
                let c = self.expr(Bool, 2);
                let a = self.block(depth);
                if self.chance(0.5) {
                    let b = self.block(depth);
                    format!("if {c} {a} else {b}")
                } else {
                    format!("if {c} {a}")
                }
            }
            13 if depth > 0 => self.for_loop(depth),
            14 if depth > 0 => self.while_loop(depth),
            15 if depth > 0 => self.plain_loop(depth),
            16 if !self.loops.is_empty() => self.break_or_continue(),
            17 => self.atomic_statement(),
            18 if self.nd && !self.in_function => self.barrier_or_local(),
            19 => self.call_statement(),
            20 if self.chance(0.3) => match self.result {
                Some(r) if self.in_function => format!("return {};", self.expr(r, 1)),
                _ => "return;".to_string(),
            },
            21 => {
                let ty = self.scalar_ty();
                format!("let _ = {};", self.expr(ty, 2))
            }
            22 if depth > 0 => {
                // A block; `unsafe` on one is an error unless it holds `get_unchecked`.
                let b = self.block(depth);
                if self.chance(0.05) {
                    format!("unsafe {b}")
                } else {
                    b
                }
            }
            _ => self.let_scalar(),
        }
    }

    fn let_scalar(&mut self) -> String {
        self.let_scalar_depth(3)
    }

    fn let_scalar_depth(&mut self, depth: u32) -> String {
        let ty = self.scalar_ty();
        let name = self.fresh("v");
        let mutable = self.chance(0.5);
        // Unannotated, a `let` of literals takes its type from later uses (or the defaults):
        // annotate every other type.
        let annotate = !matches!(ty, I32 | F64) || self.chance(0.4);
        let value = self.expr(ty, depth);
        let m = if mutable { "mut " } else { "" };
        let t = if annotate {
            format!(": {}", ty.name())
        } else {
            String::new()
        };
        self.bind(name.clone(), Kind::Scalar { ty, mutable });
        format!("let {m}{name}{t} = {value};")
    }

    fn let_array(&mut self) -> String {
        let ty = if self.chance(0.5) {
            self.float_ty()
        } else {
            self.pick(NUMERIC)
        };
        let name = self.fresh("arr");
        let mutable = self.chance(0.7);
        let m = if mutable { "mut " } else { "" };
        let (value, len) = if self.chance(0.5) {
            let len = self.rng.random_range(1..9);
            (format!("[{}; {len}]", self.literal(ty)), len)
        } else {
            let len = self.rng.random_range(1..5);
            let items: Vec<String> = (0..len).map(|_| self.expr(ty, 1)).collect();
            (format!("[{}]", items.join(", ")), len)
        };
        self.bind(name.clone(), Kind::Array { ty, len, mutable });
        format!("let {m}{name} = {value};")
    }

    fn let_tuple(&mut self) -> String {
        let a = self.scalar_ty();
        let b = self.scalar_ty();
        let ea = self.expr(a, 1);
        let eb = self.expr(b, 1);
        if self.chance(0.5) {
            let (x, y) = (self.fresh("t"), self.fresh("t"));
            self.bind(
                x.clone(),
                Kind::Scalar {
                    ty: a,
                    mutable: false,
                },
            );
            self.bind(
                y.clone(),
                Kind::Scalar {
                    ty: b,
                    mutable: true,
                },
            );
            format!("let ({x}, mut {y}) = ({ea}, {eb});")
        } else {
            let t = self.fresh("tup");
            self.bind(t.clone(), Kind::Tuple(vec![a, b]));
            format!("let mut {t} = ({ea}, {eb});")
        }
    }

    /// An assignment or compound assignment to a mutable place.
    fn assign(&mut self) -> String {
        let places = self.places();
        if places.is_empty() {
            return self.let_scalar();
        }
        let (place, ty) = places[self.rng.random_range(0..places.len())].clone();
        let value = self.expr(ty, 3);
        let op = if ty == Bool {
            self.pick(&["=", "&=", "|=", "^="])
        } else if ty.is_float() {
            self.pick(&["=", "+=", "-=", "*=", "/="])
        } else {
            self.pick(&[
                "=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>=",
            ])
        };
        let value = if op == "<<=" || op == ">>=" {
            format!("{} % 8", self.expr(U32, 1))
        } else {
            value
        };
        format!("{place} {op} {value};")
    }

    /// Mutable places in scope, with their types.
    fn places(&mut self) -> Vec<(String, Ty)> {
        let mut out = Vec::new();
        for v in self.vars() {
            match v.kind {
                Kind::Scalar { ty, mutable: true } => out.push((v.name.clone(), ty)),
                Kind::Array {
                    ty,
                    len,
                    mutable: true,
                } => {
                    let i = self.index(len);
                    out.push((format!("{}[{i}]", v.name), ty));
                }
                Kind::Tensor {
                    ty,
                    mutable: true,
                    dims,
                } => {
                    let i = self.tensor_index(&v.name, dims);
                    out.push((format!("{}{i}", v.name), ty));
                }
                Kind::LocalAcc { ty } => {
                    let i = self.index(4);
                    out.push((format!("{}[{i}]", v.name), ty));
                }
                Kind::LocalArr { ty, len } => {
                    let i = self.index(len);
                    out.push((format!("{}[{i}]", v.name), ty));
                }
                Kind::Tuple(ref tys) => {
                    let f = self.rng.random_range(0..tys.len());
                    out.push((format!("{}.{f}", v.name), tys[f]));
                }
                _ => {}
            }
        }
        out
    }

    /// A `usize` index below `len` most of the time.
    fn index(&mut self, len: u32) -> String {
        match self.rng.random_range(0..6) {
            0 => format!("{}", self.rng.random_range(0..len.max(1))),
            1 => format!("{} % {len}", self.expr(Usize, 1)),
            2 if self.has("i") => format!("i % {len}"),
            3 => self.expr(Usize, 1),
            _ => format!("{}", self.rng.random_range(0..len.max(1) + 1)),
        }
    }

    fn tensor_index(&mut self, name: &str, dims: u32) -> String {
        if dims == 1 {
            let i = match self.rng.random_range(0..4) {
                0 if self.has("i") => "i".to_string(),
                1 => format!("{} % {name}.len()", self.expr(Usize, 1)),
                _ => self.expr(Usize, 1),
            };
            format!("[{i}]")
        } else {
            let parts: Vec<String> = (0..dims)
                .map(|_| {
                    if self.chance(0.5) && self.has("i") {
                        "i".to_string()
                    } else {
                        self.expr(Usize, 0)
                    }
                })
                .collect();
            format!("[[{}]]", parts.join(", "))
        }
    }

    fn has(&self, name: &str) -> bool {
        self.scopes.iter().flatten().any(|v| v.name == name)
    }

    fn for_loop(&mut self, depth: u32) -> String {
        let ty = self.pick(&[Usize, I32, U32, I64, U8]);
        let var = self.fresh("j");
        let lo = self.rng.random_range(0..4);
        let hi = self.expr(ty, 1);
        let range = match self.rng.random_range(0..5) {
            0 => format!("{lo}..{hi}"),
            1 => format!("({lo}..={hi}).rev()"),
            2 => format!("({lo}..{hi}).step_by({})", self.rng.random_range(1..4)),
            3 => format!("{lo}..{}", self.rng.random_range(0..10)),
            _ => format!("({lo}..{hi}).rev().step_by(2)"),
        };
        let label = self.label();
        self.scopes.push(vec![Var {
            name: var.clone(),
            kind: Kind::Scalar { ty, mutable: false },
        }]);
        self.loops.push(label.clone());
        let body = self.block(depth);
        self.loops.pop();
        self.scopes.pop();
        let l = label.map(|l| format!("{l}: ")).unwrap_or_default();
        format!("{l}for {var} in {range} {body}")
    }

    fn while_loop(&mut self, depth: u32) -> String {
        let c = self.expr(Bool, 2);
        let label = self.label();
        self.loops.push(label.clone());
        let body = self.block(depth);
        self.loops.pop();
        let l = label.map(|l| format!("{l}: ")).unwrap_or_default();
        format!("{l}while {c} {body}")
    }

    fn plain_loop(&mut self, depth: u32) -> String {
        let label = self.label();
        self.loops.push(label.clone());
        let body = self.block(depth);
        self.loops.pop();
        let l = label.map(|l| format!("{l}: ")).unwrap_or_default();
        if self.chance(0.5) {
            // A loop with a value.
            let ty = self.scalar_ty();
            let name = self.fresh("lv");
            let c = self.expr(Bool, 1);
            let v = self.expr(ty, 1);
            let inner = body.trim_end_matches('}');
            self.bind(name.clone(), Kind::Scalar { ty, mutable: false });
            format!("let {name} = {l}loop {inner} if {c} {{ break {v}; }} }};")
        } else {
            let c = self.expr(Bool, 1);
            let inner = body.trim_end_matches('}');
            format!("{l}loop {inner} if {c} {{ break; }} }}")
        }
    }

    fn label(&mut self) -> Option<String> {
        if self.chance(0.3) {
            Some(format!("'{}", self.fresh("l")))
        } else {
            None
        }
    }

    fn break_or_continue(&mut self) -> String {
        let which = if self.chance(0.5) {
            "break"
        } else {
            "continue"
        };
        let labels: Vec<String> = self.loops.iter().flatten().cloned().collect();
        let target = if !labels.is_empty() && self.chance(0.5) {
            format!(" {}", labels[self.rng.random_range(0..labels.len())])
        } else {
            String::new()
        };
        let c = self.expr(Bool, 1);
        format!("if {c} {{ {which}{target}; }}")
    }

    fn atomic_statement(&mut self) -> String {
        let targets: Vec<(String, Ty, u32)> = self
            .vars()
            .into_iter()
            .filter_map(|v| match v.kind {
                Kind::Tensor {
                    ty,
                    mutable: true,
                    dims: 1,
                } if ty.atomic() => Some((v.name, ty, 0)),
                Kind::LocalAcc { ty } if ty.atomic() => Some((v.name, ty, 4)),
                Kind::LocalArr { ty, len } if ty.atomic() => Some((v.name, ty, len)),
                _ => None,
            })
            .collect();
        if targets.is_empty() {
            return self.assign();
        }
        let (name, ty, len) = targets[self.rng.random_range(0..targets.len())].clone();
        let idx = if len == 0 {
            self.tensor_index(&name, 1)
        } else {
            format!("[{}]", self.index(len))
        };
        let ops: &[&str] = if ty.is_float() {
            &[
                "fetch_add",
                "fetch_sub",
                "fetch_min",
                "fetch_max",
                "exchange",
                "load",
                "store",
            ]
        } else {
            &[
                "fetch_add",
                "fetch_sub",
                "fetch_min",
                "fetch_max",
                "fetch_and",
                "fetch_or",
                "fetch_xor",
                "exchange",
                "load",
                "store",
                "compare_exchange",
            ]
        };
        let op = self.pick(ops);
        let ctor = if self.chance(0.7) {
            format!("AtomicRef::new(&mut {name}{idx})")
        } else {
            let order = self.pick(&["Relaxed", "Acquire", "Release", "AcqRel", "SeqCst"]);
            let scope = self.pick(&["WorkItem", "SubGroup", "WorkGroup", "Device", "System"]);
            format!("AtomicRef::with_order(&mut {name}{idx}, MemoryOrder::{order}, MemoryScope::{scope})")
        };
        let v = self.expr(ty, 1);
        match op {
            "load" => {
                let r = self.fresh("old");
                self.bind(r.clone(), Kind::Scalar { ty, mutable: false });
                format!("let {r} = {ctor}.load();")
            }
            "compare_exchange" => {
                let w = self.expr(ty, 1);
                format!("let _ = {ctor}.compare_exchange({v}, {w});")
            }
            "store" => format!("{ctor}.store({v});"),
            _ => {
                if self.chance(0.5) {
                    let r = self.fresh("old");
                    self.bind(r.clone(), Kind::Scalar { ty, mutable: false });
                    format!("let {r} = {ctor}.{op}({v});")
                } else {
                    format!("{ctor}.{op}({v});")
                }
            }
        }
    }

    fn barrier_or_local(&mut self) -> String {
        if !self.has("group") {
            self.bind("group".into(), Kind::Group);
            return format!("let group = {}.get_group();", self.item);
        }
        match self.rng.random_range(0..4) {
            0 => {
                let ty = self.pick(ELEMENTS);
                let len = self.pick(&[1u32, 4, 16, 64]);
                let name = self.fresh("tile");
                self.bind(name.clone(), Kind::LocalArr { ty, len });
                format!(
                    "let mut {name} = LocalArray::<{}, {len}>::new(&group);",
                    ty.name()
                )
            }
            1 => "atomic_fence(MemoryOrder::AcqRel, MemoryScope::WorkGroup);".to_string(),
            2 => {
                let sg = self.fresh("sg");
                let ty = self.pick(&[F32, I32, U32]);
                let v = self.expr(ty, 1);
                let op = self.pick(&[
                    "reduce_add",
                    "reduce_min",
                    "reduce_max",
                    "inclusive_scan_add",
                ]);
                let r = self.fresh("s");
                self.bind(r.clone(), Kind::Scalar { ty, mutable: false });
                format!(
                    "let {sg} = {}.get_sub_group();\nlet {r} = {sg}.{op}({v});",
                    self.item
                )
            }
            _ => "group_barrier(&group);".to_string(),
        }
    }

    fn call_statement(&mut self) -> String {
        let funcs: Vec<Func> = self
            .funcs
            .iter()
            .filter(|f| f.result.is_none())
            .cloned()
            .collect();
        if funcs.is_empty() || self.in_function {
            return self.let_scalar();
        }
        let f = funcs[self.rng.random_range(0..funcs.len())].clone();
        let args = self.call_args(&f);
        format!("{}({args});", f.name)
    }

    fn call_args(&mut self, f: &Func) -> String {
        let t = if self.generic {
            Gen
        } else {
            self.pick(&[F32, F64])
        };
        let args: Vec<String> = f
            .params
            .iter()
            .map(|&p| {
                let p = if p == Gen { t } else { p };
                self.expr(p, 1)
            })
            .collect();
        args.join(", ")
    }

    // ---- expressions ----

    fn literal(&mut self, ty: Ty) -> String {
        let suffix = self.chance(0.4);
        match ty {
            Bool => self.pick(&["true", "false"]).to_string(),
            Gen => format!("T::from_f64({:.2})", self.rng.random_range(-4.0..4.0f64)),
            F16 => format!("f16::from_f32({:.1})", self.rng.random_range(-4.0..4.0f32)),
            F32 | F64 => {
                let v = match self.rng.random_range(0..8) {
                    0 => "0.0".to_string(),
                    1 => "1e30".to_string(),
                    2 => "1.5e-7".to_string(),
                    _ => format!("{:.3}", self.rng.random_range(-100.0..100.0f64)),
                };
                if suffix {
                    format!("{v}{}", ty.name())
                } else {
                    v
                }
            }
            _ => {
                let (lo, hi): (i128, i128) = match ty {
                    I8 => (-128, 127),
                    I16 => (-32768, 32767),
                    U8 => (0, 255),
                    U16 => (0, 65535),
                    I32 => (i128::from(i32::MIN), i128::from(i32::MAX)),
                    U32 => (0, i128::from(u32::MAX)),
                    I64 | Isize => (i128::from(i64::MIN), i128::from(i64::MAX)),
                    _ => (0, i128::from(u64::MAX)),
                };
                let v: i128 = match self.rng.random_range(0..6) {
                    0 => lo,
                    1 => hi,
                    2 => 0,
                    _ => self.rng.random_range(0..17),
                };
                let text = if v < 0 {
                    format!("({v})")
                } else {
                    v.to_string()
                };
                if suffix || v > i128::from(i32::MAX) || v < i128::from(i32::MIN) {
                    if v < 0 {
                        format!("({v}{})", ty.name())
                    } else {
                        format!("{v}{}", ty.name())
                    }
                } else {
                    text
                }
            }
        }
    }

    fn expr(&mut self, ty: Ty, depth: u32) -> String {
        // Indices and blocks start new expressions: bound the nesting of all of them.
        if self.nesting > 6 {
            return self.literal(ty);
        }
        self.nesting += 1;
        let e = self.expr_inner(ty, depth);
        self.nesting -= 1;
        e
    }

    fn expr_inner(&mut self, ty: Ty, depth: u32) -> String {
        // Now and then, a value of another type: the lowering must reject it cleanly.
        if self.sloppy && self.chance(0.02) {
            let other = self.scalar_ty();
            return self.expr(other, depth.min(1));
        }
        if depth == 0 {
            return self.leaf(ty);
        }
        let d = depth - 1;
        match self.rng.random_range(0..20) {
            0..=3 => self.leaf(ty),
            4..=7 => self.binary(ty, d),
            8 => {
                // A cast from another type.
                let mut from = if ty == Bool || (ty.is_int() && self.chance(0.2)) {
                    Bool
                } else {
                    self.scalar_ty()
                };
                if from == Bool && ty.is_float() {
                    // `bool as f32` is not Rust.
                    from = I32;
                }
                if ty == Bool {
                    let a = self.scalar_ty();
                    let (x, y) = (self.expr(a, d), self.expr(a, d));
                    let op = self.pick(&["==", "!=", "<", "<=", ">", ">="]);
                    return format!("({x} {op} {y})");
                }
                if ty == F16 || ty == Gen || from == F16 || from == Gen {
                    return self.leaf(ty);
                }
                format!("({} as {})", self.expr(from, d), ty.name())
            }
            9 => {
                let c = self.expr(Bool, d);
                let (a, b) = (self.expr(ty, d), self.expr(ty, d));
                format!("if {c} {{ {a} }} else {{ {b} }}")
            }
            10 => self.method(ty, d),
            11 => {
                // A block with a statement.
                self.scopes.push(Vec::new());
                let saved = self.budget;
                self.budget = 1;
                let s = self.let_scalar_depth(d);
                let e = self.expr(ty, d);
                self.budget = saved;
                self.scopes.pop();
                format!("{{ {s} {e} }}")
            }
            12 => self.constant(ty),
            13 => {
                let funcs: Vec<Func> = self
                    .funcs
                    .iter()
                    .filter(|f| f.result == Some(ty) || (f.generic && ty.is_float() && ty != F16))
                    .cloned()
                    .collect();
                if funcs.is_empty() || self.in_function {
                    return self.leaf(ty);
                }
                let f = funcs[self.rng.random_range(0..funcs.len())].clone();
                let args = if f.generic {
                    let a: Vec<String> = f
                        .params
                        .iter()
                        .map(|&p| self.expr(if p == Gen { ty } else { p }, d))
                        .collect();
                    a.join(", ")
                } else {
                    self.call_args(&f)
                };
                format!("{}({args})", f.name)
            }
            14 if ty.is_signed() => format!("-({})", self.expr(ty, d)),
            15 if ty == Bool || ty.is_int() => format!("!({})", self.expr(ty, d)),
            16 if !self.in_function => self.item_query(ty),
            17 => {
                let unsafe_reads: Vec<(String, u32)> = self
                    .vars()
                    .into_iter()
                    .filter_map(|v| match v.kind {
                        Kind::Tensor { ty: t, dims: 1, .. } if t == ty => Some((v.name, 0)),
                        Kind::Array { ty: t, len, .. } if t == ty => Some((v.name, len)),
                        _ => None,
                    })
                    .collect();
                if unsafe_reads.is_empty() {
                    return self.leaf(ty);
                }
                let (name, len) =
                    unsafe_reads[self.rng.random_range(0..unsafe_reads.len())].clone();
                let i = if len == 0 {
                    self.expr(Usize, 0)
                } else {
                    self.index(len)
                };
                format!("unsafe {{ {name}.get_unchecked({i}) }}")
            }
            _ => self.leaf(ty),
        }
    }

    fn binary(&mut self, ty: Ty, d: u32) -> String {
        if ty == Bool {
            if self.chance(0.5) {
                let op = self.pick(&["&&", "||", "^", "&", "|"]);
                return format!("({} {op} {})", self.expr(Bool, d), self.expr(Bool, d));
            }
            let a = self.scalar_ty();
            let op = self.pick(&["==", "!=", "<", "<=", ">", ">="]);
            return format!("({} {op} {})", self.expr(a, d), self.expr(a, d));
        }
        let op = if ty.is_float() {
            self.pick(&["+", "-", "*", "/", "%"])
        } else {
            self.pick(&["+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>"])
        };
        if op == "<<" || op == ">>" {
            let sh = self.pick(&[U32, I32, U8, Usize]);
            return format!("({} {op} {})", self.expr(ty, d), self.expr(sh, 0));
        }
        format!("({} {op} {})", self.expr(ty, d), self.expr(ty, d))
    }

    fn method(&mut self, ty: Ty, d: u32) -> String {
        if ty.is_float() && ty != F16 {
            let x = format!("({})", self.expr(ty, d));
            return match self.rng.random_range(0..8) {
                0 => format!(
                    "{x}.{}()",
                    self.pick(&[
                        "sqrt", "exp", "ln", "sin", "cos", "tanh", "floor", "abs", "fract",
                        "recip", "signum", "cbrt"
                    ])
                ),
                1 => format!(
                    "{x}.{}({})",
                    self.pick(&["max", "min", "powf", "atan2", "hypot"]),
                    self.expr(ty, d)
                ),
                2 => format!("{x}.powi({})", self.expr(I32, 0)),
                3 => format!("{x}.mul_add({}, {})", self.expr(ty, d), self.expr(ty, d)),
                4 => format!("{x}.clamp({}, {})", self.expr(ty, 0), self.expr(ty, 0)),
                5 if ty != Gen => format!(
                    "{}::{}({x})",
                    ty.name(),
                    self.pick(&["sqrt", "abs", "exp2", "log2"])
                ),
                6 => format!("dpex::math::{}({x})", self.pick(&["erf", "erfc", "rsqrt"])),
                _ => format!(
                    "{x}.{}()",
                    self.pick(&[
                        "round",
                        "trunc",
                        "ceil",
                        "to_radians",
                        "to_degrees",
                        "log10",
                        "asin",
                        "acos",
                        "atan",
                        "sinh",
                        "cosh",
                        "tan",
                        "exp2",
                        "log2"
                    ])
                ),
            };
        }
        if ty.is_int() {
            let x = format!("({})", self.expr(ty, d));
            return match self.rng.random_range(0..5) {
                0 => format!(
                    "{x}.{}({})",
                    self.pick(&["min", "max", "wrapping_add", "wrapping_sub", "wrapping_mul"]),
                    self.expr(ty, d)
                ),
                1 => format!("{x}.pow({})", self.rng.random_range(0..4)),
                2 if ty == U32 => {
                    let from = self.pick_int();
                    format!(
                        "({}).{}()",
                        self.expr(from, d),
                        self.pick(&["count_ones", "leading_zeros", "trailing_zeros"])
                    )
                }
                3 if ty.is_signed() => format!("{x}.abs()"),
                4 => format!("{x}.wrapping_shl({})", self.expr(U32, 0)),
                _ => format!("{x}.clamp({}, {})", self.expr(ty, 0), self.expr(ty, 0)),
            };
        }
        if ty == Bool {
            let f = self.float_ty();
            if f != F16 {
                return format!(
                    "({}).{}()",
                    self.expr(f, d),
                    self.pick(&["is_nan", "is_finite"])
                );
            }
        }
        self.leaf(ty)
    }

    fn pick_int(&mut self) -> Ty {
        self.pick(&[I8, I16, I32, I64, U8, U16, U32, U64, Usize])
    }

    fn constant(&mut self, ty: Ty) -> String {
        match ty {
            F32 | F64 => {
                if self.chance(0.5) {
                    format!(
                        "{}::{}",
                        ty.name(),
                        self.pick(&["MAX", "MIN", "EPSILON", "INFINITY", "NAN", "MIN_POSITIVE"])
                    )
                } else {
                    format!(
                        "std::{}::consts::{}",
                        ty.name(),
                        self.pick(&["PI", "E", "LN_2", "SQRT_2", "FRAC_1_SQRT_2"])
                    )
                }
            }
            Bool | F16 | Gen => self.leaf(ty),
            _ => format!("{}::{}", ty.name(), self.pick(&["MAX", "MIN", "BITS"])),
        }
    }

    fn item_query(&mut self, ty: Ty) -> String {
        if ty != Usize && ty != U64 {
            return self.leaf(ty);
        }
        let d = if self.chance(0.95) {
            self.rng.random_range(0..self.dims)
        } else {
            self.dims
        };
        let queries: &[&str] = if self.nd {
            &[
                "get_global_id",
                "get_local_id",
                "get_group_id",
                "get_global_range",
                "get_local_range",
                "get_group_range",
            ]
        } else {
            &["get_id", "get_range"]
        };
        let q = self.pick(queries);
        if self.chance(0.1) {
            let q = if self.nd {
                "get_global_linear_id"
            } else {
                "get_linear_id"
            };
            return format!("{}.{q}()", self.item);
        }
        format!("{}.{q}({d})", self.item)
    }

    /// A literal, a variable, an element or a length.
    fn leaf(&mut self, ty: Ty) -> String {
        let mut options: Vec<String> = Vec::new();
        for v in self.vars() {
            match v.kind {
                Kind::Scalar { ty: t, .. } if t == ty => options.push(v.name.clone()),
                Kind::Array { ty: t, len, .. } if t == ty => {
                    let i = self.index(len);
                    options.push(format!("{}[{i}]", v.name));
                }
                Kind::Array { .. } if ty == Usize => options.push(format!("{}.len()", v.name)),
                Kind::Tensor { ty: t, dims, .. } if t == ty => {
                    let i = self.tensor_index(&v.name, dims);
                    options.push(format!("{}{i}", v.name));
                }
                Kind::Tensor { dims, .. } if ty == Usize => {
                    if dims > 1 {
                        let a = self.rng.random_range(0..dims);
                        options.push(format!("{}.shape({a})", v.name));
                    } else {
                        options.push(format!("{}.len()", v.name));
                    }
                }
                Kind::LocalAcc { ty: t } if t == ty => {
                    let i = self.index(4);
                    options.push(format!("{}[{i}]", v.name));
                }
                Kind::LocalArr { ty: t, len } if t == ty => {
                    let i = self.index(len);
                    options.push(format!("{}[{i}]", v.name));
                }
                Kind::Tuple(ref tys) => {
                    for (f, t) in tys.iter().enumerate() {
                        if *t == ty {
                            options.push(format!("{}.{f}", v.name));
                        }
                    }
                }
                _ => {}
            }
        }
        if options.is_empty() || self.chance(0.3) {
            return self.literal(ty);
        }
        options.swap_remove(self.rng.random_range(0..options.len()))
    }
}
