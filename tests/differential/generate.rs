//! A seeded generator of random well-typed `#[dpex::func]` functions, each with a `#[kernel]`
//! that calls it per element, for the differential test.
//!
//! The functions stay inside what a safe kernel runs without a launch error and what the host
//! runs without a panic in a build without overflow checks: integer arithmetic wraps, shift
//! amounts are masked, divisors are made odd (and non-negative for signed types, so neither 0
//! nor -1), private-array indices are reduced modulo the length, loops have constant trip
//! counts. Every float value that feeds the body is exact (IEEE-rounded `+ - * / %`, casts and
//! the correctly rounded methods), so it must agree bit for bit; the math functions that
//! OpenCL allows to be inexact appear only in a final factor of a float result, and the case
//! carries the ulp bound that factor allows (see [`Case::ulps`]).

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// A scalar type of the generated code.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Ty {
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
    F32,
    F64,
}

/// Every type the generator uses: the integer types first, then the float types.
const TYPES: [Ty; 12] = [
    Ty::I8,
    Ty::I16,
    Ty::I32,
    Ty::I64,
    Ty::Isize,
    Ty::U8,
    Ty::U16,
    Ty::U32,
    Ty::U64,
    Ty::Usize,
    Ty::F32,
    Ty::F64,
];

impl Ty {
    /// The type's Rust name.
    pub fn name(self) -> &'static str {
        match self {
            Ty::I8 => "i8",
            Ty::I16 => "i16",
            Ty::I32 => "i32",
            Ty::I64 => "i64",
            Ty::Isize => "isize",
            Ty::U8 => "u8",
            Ty::U16 => "u16",
            Ty::U32 => "u32",
            Ty::U64 => "u64",
            Ty::Usize => "usize",
            Ty::F32 => "f32",
            Ty::F64 => "f64",
        }
    }

    fn is_float(self) -> bool {
        matches!(self, Ty::F32 | Ty::F64)
    }

    fn is_signed(self) -> bool {
        matches!(self, Ty::I8 | Ty::I16 | Ty::I32 | Ty::I64 | Ty::Isize)
    }
}

/// An inexact math function: how it is called and the ulps OpenCL allows it (plus one for the
/// host's own rounding), as `tests/language_math.rs` checks them.
struct MathFn {
    /// `{0}` (and `{1}` for two arguments) stand for the arguments.
    template: &'static str,
    arguments: usize,
    ulps: u64,
}

const fn math(template: &'static str, arguments: usize, ulps: u64) -> MathFn {
    MathFn {
        template,
        arguments,
        ulps,
    }
}

/// The math functions that are not required to be correctly rounded.
const INEXACT_MATH: [MathFn; 23] = [
    math("({0}).sqrt()", 1, 3),
    math("({0}).cbrt()", 1, 3),
    math("({0}).exp()", 1, 4),
    math("({0}).exp2()", 1, 4),
    math("({0}).ln()", 1, 4),
    math("({0}).log2()", 1, 4),
    math("({0}).log10()", 1, 4),
    math("({0}).powf({1})", 2, 17),
    math("({0}).sin()", 1, 5),
    math("({0}).cos()", 1, 5),
    math("({0}).tan()", 1, 6),
    math("({0}).asin()", 1, 5),
    math("({0}).acos()", 1, 5),
    math("({0}).atan()", 1, 6),
    math("({0}).atan2({1})", 2, 7),
    math("({0}).sinh()", 1, 5),
    math("({0}).cosh()", 1, 5),
    math("({0}).tanh()", 1, 6),
    math("({0}).hypot({1})", 2, 5),
    math("({0}).recip()", 1, 3),
    math("erf({0})", 1, 17),
    math("erfc({0})", 1, 17),
    math("rsqrt({0})", 1, 4),
];

/// One generated function and its kernel.
pub struct Case {
    /// The parameters' types (named `p0`, `p1`, ...).
    pub params: Vec<Ty>,
    /// The result type.
    pub ret: Ty,
    /// The ulps by which device and host results may differ: 0 (bit for bit, any NaN matching
    /// any NaN) unless the result has an inexact math factor. A single math call may be off by
    /// its own bound `u`; a product of math calls and an exact value by `2 * (sum of u + 1 per
    /// multiplication)` (relative errors add, and a relative error is up to twice as many ulps
    /// at the bottom of a binade as at its top).
    pub ulps: u64,
    /// The source of `f_<index>` (the `#[dpex::func]`) and `k_<index>` (its `#[kernel]`).
    pub source: String,
}

/// The case `index` of the run seeded with `seed`; the same pair always gives the same case.
pub fn case(seed: u64, index: usize) -> Case {
    let mixed = seed ^ (index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let mut g = Gen {
        rng: StdRng::seed_from_u64(mixed),
        scopes: Vec::new(),
        next: 0,
        body: String::new(),
    };
    let params: Vec<Ty> = (0..g.rng.random_range(1..=4)).map(|_| g.ty()).collect();
    let ret = g.ty();
    g.scopes.push(
        params
            .iter()
            .enumerate()
            .map(|(k, &ty)| Var::scalar(format!("p{k}"), ty, false))
            .collect(),
    );
    let statements = g.rng.random_range(4..=10);
    g.statements(statements, 1);
    let (result, ulps) = g.result(ret);

    let signature: Vec<String> = params
        .iter()
        .enumerate()
        .map(|(k, ty)| format!("p{k}: {}", ty.name()))
        .collect();
    let tensors: Vec<String> = params
        .iter()
        .enumerate()
        .map(|(k, ty)| format!("p{k}: &Tensor<{}>", ty.name()))
        .collect();
    let elements: Vec<String> = (0..params.len()).map(|k| format!("p{k}[i]")).collect();
    let source = format!(
        "#[dpex::func]\npub fn f_{index}({}) -> {} {{\n{}    {result}\n}}\n\n\
         #[kernel]\npub fn k_{index}(item: Item<1>, {}, out: &mut Tensor<{}>) {{\n    \
         let i = item.get_id(0);\n    out[i] = f_{index}({});\n}}\n",
        signature.join(", "),
        ret.name(),
        g.body,
        tensors.join(", "),
        ret.name(),
        elements.join(", "),
    );
    Case {
        params,
        ret,
        ulps,
        source,
    }
}

/// A name in scope: a scalar or a private array of `len` elements of `ty`.
struct Var {
    name: String,
    ty: Ty,
    /// Whether the generated code may assign it.
    assignable: bool,
    array_len: Option<usize>,
}

impl Var {
    fn scalar(name: String, ty: Ty, assignable: bool) -> Var {
        Var {
            name,
            ty,
            assignable,
            array_len: None,
        }
    }
}

/// The generator's state while it writes one function body.
struct Gen {
    rng: StdRng,
    scopes: Vec<Vec<Var>>,
    /// The number of the next fresh name.
    next: usize,
    body: String,
}

impl Gen {
    /// A random scalar type.
    fn ty(&mut self) -> Ty {
        TYPES[self.rng.random_range(0..TYPES.len())]
    }

    fn fresh(&mut self, prefix: &str) -> String {
        self.next += 1;
        format!("{prefix}{}", self.next)
    }

    fn line(&mut self, depth: usize, text: &str) {
        self.body.push_str(&"    ".repeat(depth));
        self.body.push_str(text);
        self.body.push('\n');
    }

    fn vars(&self) -> impl Iterator<Item = &Var> {
        self.scopes.iter().flatten()
    }

    /// A random variable matching `keep`, if there is one.
    fn pick(&mut self, keep: impl Fn(&Var) -> bool) -> Option<(String, Ty, Option<usize>)> {
        let found: Vec<(String, Ty, Option<usize>)> = self
            .vars()
            .filter(|v| keep(v))
            .map(|v| (v.name.clone(), v.ty, v.array_len))
            .collect();
        if found.is_empty() {
            None
        } else {
            Some(found[self.rng.random_range(0..found.len())].clone())
        }
    }

    // -----------------------------------------------------------------------------------------
    // Statements
    // -----------------------------------------------------------------------------------------

    /// `count` statements at nesting `depth` (1 = the function body) in a new scope, which
    /// stays open (the function body's variables feed the result).
    fn statements(&mut self, count: usize, depth: usize) {
        self.scopes.push(Vec::new());
        for _ in 0..count {
            self.statement(depth);
        }
    }

    /// `count` statements in a block of their own at nesting `depth`.
    fn block(&mut self, count: usize, depth: usize) {
        self.statements(count, depth);
        self.scopes.pop();
    }

    /// One statement; nested blocks mostly assign to the variables around them.
    fn statement(&mut self, depth: usize) {
        let nested = depth < 3;
        let lets = if depth == 1 { 3 } else { 1 };
        match self.rng.random_range(0..12) {
            0 if depth == 1 => self.let_array(depth),
            r if r <= lets => self.let_scalar(depth),
            r if r <= 7 => self.assign(depth),
            8 if nested => {
                let cond = self.cond(2);
                self.line(depth, &format!("if {cond} {{"));
                let n = self.rng.random_range(1..=3);
                self.block(n, depth + 1);
                if self.rng.random() {
                    self.line(depth, "} else {");
                    let n = self.rng.random_range(1..=3);
                    self.block(n, depth + 1);
                }
                self.line(depth, "}");
            }
            9 if nested => {
                let j = self.fresh("j");
                let trips = self.rng.random_range(0..=5);
                let range = match self.rng.random_range(0..4) {
                    0 => format!("0u32..{trips}"),
                    1 => format!("(0u32..{trips}).rev()"),
                    2 => format!("(1u32..={trips}).step_by(2)"),
                    _ => format!("({trips}u32..{}).rev().step_by(3)", trips + 7),
                };
                self.line(depth, &format!("for {j} in {range} {{"));
                self.scopes.push(vec![Var::scalar(j, Ty::U32, false)]);
                let n = self.rng.random_range(1..=3);
                self.block(n, depth + 1);
                self.scopes.pop();
                self.line(depth, "}");
            }
            10 if nested => {
                let w = self.fresh("w");
                let trips = self.rng.random_range(0..=4);
                self.line(depth, &format!("let mut {w}: u32 = 0;"));
                self.line(depth, &format!("while {w} < {trips} {{"));
                self.scopes
                    .push(vec![Var::scalar(w.clone(), Ty::U32, false)]);
                let n = self.rng.random_range(1..=3);
                self.block(n, depth + 1);
                self.scopes.pop();
                self.line(depth + 1, &format!("{w} += 1;"));
                self.line(depth, "}");
            }
            _ => self.let_scalar(depth),
        }
    }

    fn declare(&mut self, var: Var) {
        if let Some(scope) = self.scopes.last_mut() {
            scope.push(var);
        }
    }

    fn let_scalar(&mut self, depth: usize) {
        let ty = self.ty();
        let value = self.expr(ty, 3);
        let name = self.fresh("v");
        self.line(depth, &format!("let mut {name}: {} = {value};", ty.name()));
        self.declare(Var::scalar(name, ty, true));
    }

    fn let_array(&mut self, depth: usize) {
        let ty = self.ty();
        let name = self.fresh("a");
        let len = self.rng.random_range(2..=5);
        if self.rng.random() {
            let fill = self.literal(ty);
            self.line(depth, &format!("let mut {name} = [{fill}; {len}];"));
        } else {
            let items: Vec<String> = (0..len).map(|_| self.expr(ty, 1)).collect();
            self.line(depth, &format!("let mut {name} = [{}];", items.join(", ")));
        }
        self.declare(Var {
            name,
            ty,
            assignable: true,
            array_len: Some(len),
        });
    }

    fn assign(&mut self, depth: usize) {
        let Some((name, ty, array_len)) = self.pick(|v| v.assignable) else {
            return self.let_scalar(depth);
        };
        let place = match array_len {
            Some(len) => format!("{name}[{}]", self.index(len)),
            None => name,
        };
        let value = self.expr(ty, 2);
        let op = if ty.is_float() {
            ["=", "+=", "-=", "*="][self.rng.random_range(0..4)]
        } else {
            ["=", "+=", "-=", "*=", "^=", "|=", "&="][self.rng.random_range(0..7)]
        };
        self.line(depth, &format!("{place} {op} {value};"));
    }

    /// An in-bounds index into an array of `len` elements.
    fn index(&mut self, len: usize) -> String {
        let ty = self.int_ty();
        let e = self.expr(ty, 1);
        format!("(({e}) as usize % {len})")
    }

    // -----------------------------------------------------------------------------------------
    // The result
    // -----------------------------------------------------------------------------------------

    /// The function's result expression of type `ret` (every variable of the function body
    /// mixed in) and its ulp bound.
    fn result(&mut self, ret: Ty) -> (String, u64) {
        let mut exact = self.expr(ret, 2);
        let visible: Vec<(String, Ty, Option<usize>)> = self
            .vars()
            .map(|v| (v.name.clone(), v.ty, v.array_len))
            .collect();
        for (name, ty, array_len) in visible {
            let value = match array_len {
                Some(len) => format!("{name}[{}]", self.rng.random_range(0..len)),
                None => name,
            };
            let operand = format!("(({value}) as {})", ret.name());
            exact = if ret.is_float() {
                format!("({exact} + {operand})")
            } else if ty.is_float() || self.rng.random() {
                format!("({exact} ^ {operand})")
            } else {
                format!("({exact}).wrapping_add({operand})")
            };
        }
        if !ret.is_float() || self.rng.random_ratio(1, 3) {
            return (exact, 0);
        }
        let (first, u1) = self.math_call(ret);
        match self.rng.random_range(0..3) {
            0 => (first, u1),
            1 => (format!("({exact} * {first})"), 2 * (u1 + 1)),
            _ => {
                let (second, u2) = self.math_call(ret);
                (format!("({exact} * {first} * {second})"), 2 * (u1 + u2 + 2))
            }
        }
    }

    /// An inexact math function applied to exact arguments of `ty`, and its ulp bound.
    fn math_call(&mut self, ty: Ty) -> (String, u64) {
        let f = &INEXACT_MATH[self.rng.random_range(0..INEXACT_MATH.len())];
        let a = self.expr(ty, 2);
        let mut call = f.template.replace("{0}", &a);
        if f.arguments == 2 {
            let b = self.expr(ty, 1);
            call = call.replace("{1}", &b);
        }
        (format!("({call})"), f.ulps)
    }

    // -----------------------------------------------------------------------------------------
    // Expressions (every one exact)
    // -----------------------------------------------------------------------------------------

    /// A random integer type (the first ten of [`TYPES`]).
    fn int_ty(&mut self) -> Ty {
        TYPES[self.rng.random_range(0..10)]
    }

    /// An expression of type `ty`, at most `depth` operators deep.
    fn expr(&mut self, ty: Ty, depth: u32) -> String {
        if depth == 0 || self.rng.random_ratio(1, 4) {
            return self.leaf(ty);
        }
        if ty.is_float() {
            self.float_expr(ty, depth - 1)
        } else {
            self.int_expr(ty, depth - 1)
        }
    }

    /// A variable of `ty` (or an element of an array of `ty`) half of the time, else another
    /// variable cast to `ty`, else a literal.
    fn leaf(&mut self, ty: Ty) -> String {
        let roll = self.rng.random_range(0..10);
        if roll < 5 {
            match self.pick(|v| v.ty == ty) {
                Some((name, _, None)) => return name,
                Some((name, _, Some(len))) => return format!("{name}[{}]", self.index(len)),
                None => {}
            }
        }
        if roll < 8 {
            if let Some((name, _, _)) = self.pick(|v| v.array_len.is_none()) {
                return format!("(({name}) as {})", ty.name());
            }
        }
        self.literal(ty)
    }

    fn literal(&mut self, ty: Ty) -> String {
        let name = ty.name();
        if ty.is_float() {
            let value: f64 = match self.rng.random_range(0..10) {
                0 => 0.0,
                1 => 1.0,
                2 => -1.0,
                3 => 0.5,
                4 => 1e10,
                5 => -2.75,
                6 => return format!("{name}::MAX"),
                7 => 1e-30,
                _ => f64::from(self.rng.random_range(-4000i32..4000)) / 16.0,
            };
            return if value < 0.0 {
                format!("({value:?}{name})")
            } else {
                format!("{value:?}{name}")
            };
        }
        match self.rng.random_range(0..10) {
            0 => format!("{name}::MAX"),
            1 if ty.is_signed() => format!("{name}::MIN"),
            2 if ty.is_signed() => format!("(-1{name})"),
            3 if ty.is_signed() => format!("(-{}{name})", self.rng.random_range(2..100)),
            4 => format!("0{name}"),
            _ => format!("{}{name}", self.rng.random_range(1..127)),
        }
    }

    fn int_expr(&mut self, ty: Ty, d: u32) -> String {
        let name = ty.name();
        match self.rng.random_range(0..14) {
            0 | 1 => {
                let op = ["+", "-", "*", "&", "|", "^"][self.rng.random_range(0..6)];
                format!("({} {op} {})", self.expr(ty, d), self.expr(ty, d))
            }
            2 => {
                let m =
                    ["wrapping_add", "wrapping_sub", "wrapping_mul"][self.rng.random_range(0..3)];
                format!("({}).{m}({})", self.expr(ty, d), self.expr(ty, d))
            }
            3 => {
                let amount = self.expr(Ty::U32, d);
                match self.rng.random_range(0..4) {
                    0 => format!("({} << {amount})", self.expr(ty, d)),
                    1 => format!("({} >> {amount})", self.expr(ty, d)),
                    2 => format!("({}).wrapping_shl({amount})", self.expr(ty, d)),
                    _ => format!("({}).wrapping_shr({amount})", self.expr(ty, d)),
                }
            }
            4 => {
                let divisor = self.expr(ty, d);
                let divisor = if ty.is_signed() {
                    format!("((({divisor}) & {name}::MAX) | 1)")
                } else {
                    format!("(({divisor}) | 1)")
                };
                let op = if self.rng.random() { "/" } else { "%" };
                format!("({} {op} {divisor})", self.expr(ty, d))
            }
            5 => {
                let a = self.expr(ty, d);
                match self.rng.random_range(0..4) {
                    0 => format!("(!{a})"),
                    1 if ty.is_signed() => format!("(-{a})"),
                    2 if ty.is_signed() => format!("({a}).abs()"),
                    _ if ty.is_signed() => format!("({a}).wrapping_neg()"),
                    _ => format!("({a}).pow({})", self.rng.random_range(0..5)),
                }
            }
            6 => {
                let (a, b) = (self.expr(ty, d), self.expr(ty, d));
                match self.rng.random_range(0..3) {
                    0 => format!("({a}).min({b})"),
                    1 => format!("({a}).max({b})"),
                    _ => {
                        let lo = self.rng.random_range(0..60);
                        let hi = lo + self.rng.random_range(0..60);
                        format!("({a}).clamp({lo}{name}, {hi}{name})")
                    }
                }
            }
            7 => {
                let other = self.int_ty();
                let m =
                    ["count_ones", "leading_zeros", "trailing_zeros"][self.rng.random_range(0..3)];
                format!("(({}).{m}() as {name})", self.expr(other, d))
            }
            8 | 9 => {
                let other = self.ty();
                format!("(({}) as {name})", self.expr(other, d))
            }
            10 => format!("(({}) as {name})", self.cond(d)),
            11 => self.if_expr(ty, d),
            _ => self.leaf(ty),
        }
    }

    fn float_expr(&mut self, ty: Ty, d: u32) -> String {
        let name = ty.name();
        match self.rng.random_range(0..11) {
            0..=2 => {
                let op = ["+", "-", "*", "/", "%"][self.rng.random_range(0..5)];
                format!("({} {op} {})", self.expr(ty, d), self.expr(ty, d))
            }
            3 => format!("(-{})", self.expr(ty, d)),
            4 => {
                let m = ["abs", "floor", "ceil", "round", "trunc", "fract", "signum"]
                    [self.rng.random_range(0..7)];
                format!("({}).{m}()", self.expr(ty, d))
            }
            5 => {
                let (a, b) = (self.expr(ty, d), self.expr(ty, d));
                match self.rng.random_range(0..4) {
                    0 => format!("({a}).min({b})"),
                    1 => format!("({a}).max({b})"),
                    2 => format!("({a}).mul_add({b}, {})", self.expr(ty, d)),
                    _ => {
                        let lo = f64::from(self.rng.random_range(-40i32..40)) / 4.0;
                        let hi = lo + f64::from(self.rng.random_range(0..40)) / 4.0;
                        format!("({a}).clamp({lo:?}{name}, {hi:?}{name})")
                    }
                }
            }
            6 | 7 => {
                let other = self.ty();
                format!("(({}) as {name})", self.expr(other, d))
            }
            8 => self.if_expr(ty, d),
            _ => self.leaf(ty),
        }
    }

    fn if_expr(&mut self, ty: Ty, d: u32) -> String {
        let cond = self.cond(d);
        let (a, b) = (self.expr(ty, d), self.expr(ty, d));
        format!("(if {cond} {{ {a} }} else {{ {b} }})")
    }

    /// A `bool` expression.
    fn cond(&mut self, d: u32) -> String {
        match self.rng.random_range(0..8) {
            0 if d > 0 => format!("({} && {})", self.cond(d - 1), self.cond(d - 1)),
            1 if d > 0 => format!("({} || {})", self.cond(d - 1), self.cond(d - 1)),
            2 if d > 0 => format!("(!{})", self.cond(d - 1)),
            3 => {
                let ty = if self.rng.random() { Ty::F32 } else { Ty::F64 };
                let m = if self.rng.random() {
                    "is_nan"
                } else {
                    "is_finite"
                };
                format!("({}).{m}()", self.expr(ty, d))
            }
            _ => {
                let ty = self.ty();
                let op = ["<", "<=", ">", ">=", "==", "!="][self.rng.random_range(0..6)];
                format!("({} {op} {})", self.expr(ty, d), self.expr(ty, d))
            }
        }
    }
}
