//! Finds the device functions a kernel needs: helpers nested in its body, and calls to
//! functions defined elsewhere (which must be `#[dpex::func]`s and are gathered by name).

use crate::lower::is_builtin_call;
use syn::visit::Visit;
use syn::{ExprCall, ItemFn, Path};

/// The functions nested at the top level of a kernel body.
pub(crate) fn nested_functions(kernel: &ItemFn) -> Vec<ItemFn> {
    kernel
        .block
        .stmts
        .iter()
        .filter_map(|s| match s {
            syn::Stmt::Item(syn::Item::Fn(f)) => Some(f.clone()),
            _ => None,
        })
        .collect()
}

/// The first call, in `bodies`, of a function that is neither known (by name) nor built in:
/// the path to look the function up by.
pub(crate) fn first_missing_call(
    bodies: &[&ItemFn],
    known: &[String],
    kernel_name: &str,
) -> Option<Path> {
    let mut finder = CallFinder {
        known,
        kernel_name,
        found: None,
        locals: Vec::new(),
    };
    for body in bodies {
        finder.visit_item_fn(body);
        if finder.found.is_some() {
            break;
        }
    }
    finder.found
}

struct CallFinder<'a> {
    known: &'a [String],
    kernel_name: &'a str,
    found: Option<Path>,
    /// Names bound by `let` (a closure called by name is not a function to gather).
    locals: Vec<String>,
}

impl<'ast> Visit<'ast> for CallFinder<'_> {
    fn visit_local(&mut self, local: &'ast syn::Local) {
        if let syn::Pat::Ident(p) = &local.pat {
            self.locals.push(p.ident.to_string());
        }
        syn::visit::visit_local(self, local);
    }

    fn visit_expr_call(&mut self, call: &'ast ExprCall) {
        if self.found.is_none() {
            if let syn::Expr::Path(p) = &*call.func {
                let path = &p.path;
                let name = path
                    .segments
                    .last()
                    .map(|s| s.ident.to_string())
                    .unwrap_or_default();
                let skip = p.qself.is_some()
                    || self.known.contains(&name)
                    || name == self.kernel_name
                    || (path.segments.len() == 1 && self.locals.contains(&name))
                    || is_builtin_call(path);
                if !skip {
                    self.found = Some(path.clone());
                }
            }
        }
        syn::visit::visit_expr_call(self, call);
    }
}
