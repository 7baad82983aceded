//! One message per construct that kernels do not support, each saying what to write instead.

use super::error;
use syn::spanned::Spanned;

const SUPPORTED: &str = "kernels support `let`, assignments, arithmetic, comparisons, casts, \
                         scalar methods, indexing, tuples, `if`/`else`, `while`, `loop`, `for`, \
                         `break`, `continue` and `return`";

/// The error for an expression kernels do not support. `kernel` is the kernel's own name
/// (a call to it is recursion).
pub(crate) fn unsupported_expr(e: &syn::Expr, kernel: &str) -> syn::Error {
    let message = match e {
        syn::Expr::Closure(_) => {
            "closures are not supported in kernels: write the computation inline".to_string()
        }
        syn::Expr::Call(c) => match &*c.func {
            syn::Expr::Path(p) if p.path.is_ident(kernel) => {
                "recursion is not supported in kernels: a kernel cannot call itself; rewrite it \
                 as a loop"
                    .to_string()
            }
            syn::Expr::Path(p) if p.path.segments.iter().any(|s| s.ident == "Vec") => {
                "`Vec` cannot be used in kernels: kernels cannot allocate; pass a `&mut Tensor<T>` \
                 for the data"
                    .to_string()
            }
            syn::Expr::Path(p) if p.path.segments.iter().any(|s| s.ident == "String") => {
                "`String` cannot be used in kernels: kernels work on numbers only".to_string()
            }
            _ => "kernels can call device functions only: helper `fn`s nested in the kernel \
                  and `#[dpex::func]` functions (closures and other functions are not supported)"
                .to_string(),
        },
        syn::Expr::Reference(_) => {
            "references to locals are not supported in kernels: use the value itself (remove \
             the `&`)"
                .to_string()
        }
        syn::Expr::Unsafe(_) => {
            "`unsafe` in kernels only skips run-time checks: write `unsafe { x.get_unchecked(i) }`, \
             or mark the kernel `#[kernel(unchecked)]`"
                .to_string()
        }
        syn::Expr::Macro(m) => format!(
            "macros such as `{}!` are not supported in kernels",
            m.mac
                .path
                .segments
                .last()
                .map(|s| s.ident.to_string())
                .unwrap_or_default()
        ),
        syn::Expr::Match(_) => {
            "`match` is not supported in kernels yet: write `if`/`else if`".to_string()
        }
        syn::Expr::Let(_) => {
            "`if let` is not supported in kernels: compare values with `==`".to_string()
        }
        syn::Expr::Array(_) | syn::Expr::Repeat(_) => {
            "arrays are not supported in kernels yet: use scalars or a tensor parameter".to_string()
        }
        syn::Expr::Tuple(_) => {
            "tuples are not supported in kernels yet: use separate variables".to_string()
        }
        syn::Expr::Struct(_) => {
            "structs are not supported in kernels: use scalars or tuples".to_string()
        }
        syn::Expr::Field(_) => "field access is not supported in kernels".to_string(),
        syn::Expr::Range(_) => "ranges can only appear in `for i in a..b`".to_string(),
        syn::Expr::Async(_) | syn::Expr::Await(_) => {
            "`async` is not supported in kernels".to_string()
        }
        syn::Expr::Try(_) => {
            "`?` is not supported in kernels: kernels cannot fail early; use `if` and `return;`"
                .to_string()
        }
        syn::Expr::Assign(_) => {
            "an assignment is a statement, not a value: write it on its own line".to_string()
        }
        _ => format!("this expression is not supported in kernels: {SUPPORTED}"),
    };
    error(e.span(), message)
}

/// The error for a statement kernels do not support.
pub(crate) fn unsupported_stmt(stmt: &syn::Stmt) -> syn::Error {
    let message = match stmt {
        syn::Stmt::Item(syn::Item::Fn(_)) => {
            "functions nested in kernels are not supported yet: write the computation inline"
        }
        syn::Stmt::Item(syn::Item::Use(_)) => {
            "`use` inside a kernel is not supported: put it outside the kernel"
        }
        syn::Stmt::Item(_) => "items (structs, consts, ...) cannot be declared inside a kernel",
        syn::Stmt::Macro(_) => "macros such as `println!` are not supported in kernels",
        _ => SUPPORTED,
    };
    error(stmt.span(), message)
}
