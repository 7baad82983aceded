//! Finds the device functions a kernel needs: helpers nested in its body, and calls to
//! functions defined elsewhere (which must be `#[dpex::func]`s and are gathered by path).

use crate::lower::{is_builtin_call, path_key, Scope};
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

/// The first call, in `bodies` (each with the scope its calls resolve from), of a function
/// that is neither nested in the kernel (`nested`), nor gathered (`gathered`: the keys of the
/// paths they were gathered through), nor built in: the path, from the kernel's module, to
/// gather the function through.
pub(crate) fn first_missing_call(
    bodies: &[(&ItemFn, Scope)],
    nested: &[String],
    gathered: &[String],
    kernel_name: &str,
) -> Option<Path> {
    for (body, scope) in bodies {
        let mut finder = CallFinder {
            scope,
            nested: if *scope == Scope::Kernel { nested } else { &[] },
            gathered,
            kernel_name,
            found: None,
            locals: Vec::new(),
        };
        finder.visit_item_fn(body);
        if finder.found.is_some() {
            return finder.found;
        }
    }
    None
}

struct CallFinder<'a> {
    scope: &'a Scope,
    nested: &'a [String],
    gathered: &'a [String],
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
                let bare = path.get_ident().map(|i| i.to_string());
                let resolved = self.scope.resolve(path);
                let skip = p.qself.is_some()
                    || bare.as_ref().is_some_and(|name| {
                        self.nested.contains(name)
                            || name == self.kernel_name
                            || self.locals.contains(name)
                    })
                    || self.gathered.contains(&path_key(&resolved))
                    || is_builtin_call(path);
                if !skip {
                    self.found = Some(resolved);
                }
            }
        }
        syn::visit::visit_expr_call(self, call);
    }
}

/// The first name in `bodies` that reads like a constant (`TILE`, `MAX_STEPS`, `N`: upper case,
/// digits and `_`) and is neither known nor bound in the body (a type parameter is bound): the
/// `#[dpex::constant]` to gather. Names in expressions and in generic arguments
/// (`LocalArray2::<f32, TILE, TILE>`) count.
pub(crate) fn first_missing_constant(bodies: &[&ItemFn], known: &[String]) -> Option<syn::Ident> {
    let mut finder = ConstFinder {
        known,
        bound: Vec::new(),
        found: None,
    };
    for body in bodies {
        for input in &body.sig.inputs {
            if let syn::FnArg::Typed(t) = input {
                finder.visit_pat(&t.pat);
            }
        }
        // Type parameters (`<TY: Float>`) are not constants either.
        for param in body.sig.generics.params.iter() {
            match param {
                syn::GenericParam::Type(t) => finder.bound.push(t.ident.to_string()),
                syn::GenericParam::Const(c) => finder.bound.push(c.ident.to_string()),
                syn::GenericParam::Lifetime(_) => {}
            }
        }
        finder.visit_block(&body.block);
        if finder.found.is_some() {
            break;
        }
    }
    finder.found
}

/// True for a name written like a constant.
fn is_constant_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

struct ConstFinder<'a> {
    known: &'a [String],
    /// Names bound by patterns (parameters, `let`s, loop variables): not constants.
    bound: Vec<String>,
    found: Option<syn::Ident>,
}

impl ConstFinder<'_> {
    fn consider(&mut self, path: &Path) {
        let Some(ident) = path.get_ident() else {
            return;
        };
        let name = ident.to_string();
        if self.found.is_none()
            && is_constant_name(&name)
            && !self.known.contains(&name)
            && !self.bound.contains(&name)
        {
            self.found = Some(ident.clone());
        }
    }
}

impl<'ast> Visit<'ast> for ConstFinder<'_> {
    fn visit_type_param(&mut self, t: &'ast syn::TypeParam) {
        self.bound.push(t.ident.to_string());
        syn::visit::visit_type_param(self, t);
    }

    fn visit_const_param(&mut self, c: &'ast syn::ConstParam) {
        self.bound.push(c.ident.to_string());
        syn::visit::visit_const_param(self, c);
    }

    fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
        self.bound.push(p.ident.to_string());
        syn::visit::visit_pat_ident(self, p);
    }

    fn visit_expr_path(&mut self, p: &'ast syn::ExprPath) {
        if p.qself.is_none() {
            self.consider(&p.path);
        }
        syn::visit::visit_expr_path(self, p);
    }

    fn visit_generic_argument(&mut self, g: &'ast syn::GenericArgument) {
        if let syn::GenericArgument::Type(syn::Type::Path(t)) = g {
            if t.qself.is_none() {
                self.consider(&t.path);
            }
        }
        syn::visit::visit_generic_argument(self, g);
    }
}
