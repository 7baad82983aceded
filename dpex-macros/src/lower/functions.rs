//! Device functions: the table of functions a kernel may call (helpers nested in its body and
//! `#[dpex::func]` items), their instantiations, and the lowering of calls to them.
//!
//! A generic function (`fn cnd<T: Float>(x: T) -> T`, `fn add<T: Int>(a: T, b: T) -> T`) is
//! instantiated for the argument types
//! of each call. Instances are created while bodies are lowered and lowered in turn, until
//! none is left; recursion (a cycle of calls) is then reported at a call that closes it.
//!
//! An instance is also specialized for the kernel parameters its tensor and local-accessor
//! parameters stand for at the call (its *origins*): an out-of-bounds access inside it then
//! names the kernel's tensor or accessor that was passed, as the error record holds the
//! kernel's parameter index. A function called with other tensors or accessors at another call
//! is another instance (at no cost at run time). For local accessors this is also what the IR
//! asks (`ir::Argument::Local`): each instance's accessor stands for one of the kernel's, which
//! the Vulkan flavour addresses directly.

use super::paths::{path_key, Scope};
use super::{error, Lowerer};
use crate::parse::{instantiations, parse_function_signature, ParamDeclKind, Signature, TypeNames};
use dpex_abi::local_accessor_type;
use dpex_spirv::ir::{Access, Argument, Expr, ExprKind, FunctionId, ParamId, Scalar, Statement};
use proc_macro2::Span;
use std::cell::RefCell;
use syn::spanned::Spanned;

/// One instantiation of a function: its item and its concrete signature.
pub(crate) struct Instance {
    /// Index in [`FunctionTable::items`].
    pub item: usize,
    /// The signature with the generic parameters replaced.
    pub sig: Signature,
    /// Per parameter: for a tensor or a local accessor, the index of the kernel parameter
    /// passed for it.
    pub origins: Vec<Option<u32>>,
}

/// A function a kernel may call, and where it was found.
pub(crate) struct TableFunction {
    item: syn::ItemFn,
    /// `None` for a function nested in the kernel body; for a `#[dpex::func]`, the path it was
    /// gathered through, from the kernel's module.
    path: Option<syn::Path>,
}

/// The functions a kernel may call and the instances created so far (an instance's index is
/// its [`FunctionId`]).
pub(crate) struct FunctionTable {
    items: Vec<TableFunction>,
    instances: RefCell<Vec<Instance>>,
    /// The `#[dpex::constant]`s the kernel and its functions name.
    constants: Vec<syn::ItemConst>,
}

impl FunctionTable {
    /// A table of the functions nested in the kernel body and the gathered `#[dpex::func]`s
    /// (each with the path it was gathered through); none is instantiated yet.
    pub(crate) fn new(nested: Vec<syn::ItemFn>, gathered: Vec<(syn::Path, syn::ItemFn)>) -> Self {
        let nested = nested
            .into_iter()
            .map(|item| TableFunction { item, path: None });
        let gathered = gathered.into_iter().map(|(path, item)| TableFunction {
            item,
            path: Some(path),
        });
        FunctionTable {
            items: nested.chain(gathered).collect(),
            instances: RefCell::new(Vec::new()),
            constants: Vec::new(),
        }
    }

    /// The table with the gathered `#[dpex::constant]`s.
    pub(crate) fn with_constants(mut self, constants: Vec<syn::ItemConst>) -> Self {
        self.constants = constants;
        self
    }

    /// The gathered constant named `name`, if there is one.
    pub(crate) fn constant(&self, name: &syn::Ident) -> Option<&syn::ItemConst> {
        self.constants.iter().find(|c| c.ident == *name)
    }

    /// True when `name` is a function nested in the kernel body.
    pub(crate) fn is_nested(&self, name: &syn::Ident) -> bool {
        self.items
            .iter()
            .any(|f| f.path.is_none() && f.item.sig.ident == *name)
    }

    /// The function that `path`, written in a body of scope `scope`, names: a nested function
    /// by its bare name from the kernel's scope, else the `#[dpex::func]` gathered through the
    /// same resolved path.
    fn find(&self, scope: &Scope, path: &syn::Path) -> Option<usize> {
        if let (Scope::Kernel, Some(name)) = (scope, path.get_ident()) {
            let nested = self
                .items
                .iter()
                .position(|f| f.path.is_none() && f.item.sig.ident == *name);
            if nested.is_some() {
                return nested;
            }
        }
        let key = path_key(&scope.resolve(path));
        self.items
            .iter()
            .position(|f| f.path.as_ref().is_some_and(|p| path_key(p) == key))
    }

    /// The scope of the body of item `item`.
    fn scope_of(&self, item: usize) -> Scope {
        match &self.items[item].path {
            Some(path) => Scope::of_gathered(path),
            None => Scope::Kernel,
        }
    }

    /// The signature of item `item` for `types`: its result, what it takes before its
    /// parameters, and its parameters' kinds.
    fn signature(
        &self,
        item: usize,
        types: &TypeNames,
    ) -> syn::Result<(Signature, Option<Scalar>, Takes, Vec<ParamDeclKind>)> {
        let sig = parse_function_signature(&self.items[item].item, types)?;
        let takes = match (&sig.item, &sig.group) {
            (Some(_), _) => Takes::NdItem,
            (_, Some(_)) => Takes::Group,
            _ => Takes::Nothing,
        };
        let (result, kinds) = (sig.result, sig.params.iter().map(|p| p.kind).collect());
        Ok((sig, result, takes, kinds))
    }

    /// The instance of item `item` with signature `sig` whose tensor and local-accessor
    /// parameters stand for the kernel parameters `origins`, created if needed.
    fn instantiate(&self, item: usize, sig: Signature, origins: Vec<Option<u32>>) -> FunctionId {
        let mut instances = self.instances.borrow_mut();
        let existing = instances.iter().position(|i| {
            i.item == item && i.sig.types.generic() == sig.types.generic() && i.origins == origins
        });
        let index = existing.unwrap_or_else(|| {
            instances.push(Instance { item, sig, origins });
            instances.len() - 1
        });
        FunctionId(index as u32)
    }

    /// True when function `item` may reach a work-group barrier: it names `group_barrier`, or
    /// a function of the table that may. Its calls must then be reached by whole work-groups.
    fn may_barrier(&self, item: usize) -> bool {
        fn visit(table: &FunctionTable, item: usize, seen: &mut Vec<usize>) -> bool {
            if seen.contains(&item) {
                return false;
            }
            seen.push(item);
            let scope = table.scope_of(item);
            let calls = called_paths(&table.items[item].item.block);
            calls.iter().any(|path| {
                path.is_ident("group_barrier")
                    || path.is_ident("group_barrier_with")
                    || table
                        .find(&scope, path)
                        .is_some_and(|f| visit(table, f, seen))
            })
        }
        visit(self, item, &mut Vec::new())
    }

    /// Instance `id`: its function item, its signature, the scope of its body, the name of
    /// the function in the module (its path when it was gathered through one), the origins of
    /// its tensor parameters, and how many instances of the same function and types come
    /// before it (instances told apart by their origins only).
    pub(crate) fn instance(&self, id: usize) -> Option<InstanceInfo<'_>> {
        let instances = self.instances.borrow();
        let instance = instances.get(id)?;
        let function = &self.items[instance.item];
        let name = match &function.path {
            Some(path) => path_key(path),
            None => syn::ext::IdentExt::unraw(&function.item.sig.ident).to_string(),
        };
        let twins = instances[..id]
            .iter()
            .filter(|i| {
                i.item == instance.item && i.sig.types.generic() == instance.sig.types.generic()
            })
            .count();
        Some(InstanceInfo {
            item: &function.item,
            sig: instance.sig.clone(),
            scope: self.scope_of(instance.item),
            name,
            origins: instance.origins.clone(),
            twins,
        })
    }
}

/// What [`FunctionTable::instance`] says of an instance.
pub(crate) struct InstanceInfo<'a> {
    /// The function item.
    pub item: &'a syn::ItemFn,
    /// Its signature for the instance's types.
    pub sig: Signature,
    /// Where its body's calls are resolved from.
    pub scope: Scope,
    /// Its name in the module (`odd::f`).
    pub name: String,
    /// Per parameter: for a tensor or a local accessor, the kernel parameter it stands for.
    pub origins: Vec<Option<u32>>,
    /// How many instances of the same function and types come before it.
    pub twins: usize,
}

/// What a device function takes before its parameters: the caller's work-item or work-group
/// (not passed in the IR: the callee reads the same built-ins).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Takes {
    Nothing,
    NdItem,
    Group,
}

impl Lowerer<'_> {
    /// The function a call's path names, if it is in the table.
    pub(crate) fn called_function(&self, path: &syn::ExprPath) -> Option<usize> {
        if path.qself.is_some() {
            return None;
        }
        self.funcs.find(&self.scope, &path.path)
    }

    /// Lowers a call of table function `item` as a value (`result` is `Some`) or a statement.
    pub(crate) fn lower_function_call(
        &mut self,
        item: usize,
        c: &syn::ExprCall,
        as_statement: bool,
    ) -> syn::Result<Option<Expr>> {
        let callee = &self.funcs.items[item].item;
        let types = self.infer_generic_args(callee, c)?;
        let (sig, result, takes, params) = self.funcs.signature(item, &types)?;
        let context = usize::from(takes != Takes::Nothing);
        if params.len() + context != c.args.len() {
            return Err(error(
                c.span(),
                format!(
                    "`{}` takes {} argument(s), found {}",
                    callee.sig.ident,
                    params.len() + context,
                    c.args.len()
                ),
            ));
        }
        if let Some(arg) = c.args.first().filter(|_| context == 1) {
            self.context_argument(&callee.sig.ident, takes, arg)?;
        }
        if self.funcs.may_barrier(item) {
            self.require_uniform_control(c.func.span())?;
        }
        let mut args = Vec::new();
        let mut origins = Vec::new();
        for (arg, kind) in c.args.iter().skip(context).zip(params) {
            origins.push(None);
            args.push(match kind {
                ParamDeclKind::Scalar(ty) => Argument::Value(self.lower_expr_as(arg, ty)?),
                ParamDeclKind::Local { elem, dims } => {
                    let id = self.local_argument(arg, elem, dims)?;
                    if let Some(origin) = origins.last_mut() {
                        *origin = Some(self.kernel_param(id));
                    }
                    Argument::Local(id)
                }
                ParamDeclKind::Tensor { elem, access, dims } => {
                    let (id, arg_elem, arg_access, arg_dims) = self.tensor_operand(arg)?;
                    if arg_elem != elem
                        || arg_dims != dims
                        || (access == Access::ReadWrite && arg_access == Access::Read)
                    {
                        let want = if access == Access::ReadWrite {
                            "&mut "
                        } else {
                            "&"
                        };
                        return Err(error(
                            arg.span(),
                            format!("expected a `{want}Tensor<{elem}>` here"),
                        ));
                    }
                    if let Some(origin) = origins.last_mut() {
                        *origin = Some(self.kernel_param(id));
                    }
                    Argument::Tensor(id)
                }
            });
        }
        let function = self.funcs.instantiate(item, sig, origins);
        self.calls.push((function, c.func.span()));
        match (result, as_statement) {
            (_, true) => {
                self.emit(Statement::Call { function, args });
                Ok(None)
            }
            (Some(ty), false) => Ok(Some(Expr {
                ty,
                kind: ExprKind::Call { function, args },
            })),
            (None, false) => Err(error(
                c.span(),
                format!(
                    "`{}` returns nothing, so it has no value: call it as a statement",
                    callee.sig.ident
                ),
            )),
        }
    }

    /// The local-accessor parameter that `arg`, an argument for a `LocalAccessor<elem, dims>`
    /// parameter, names (the kernel's, or the calling function's own).
    fn local_argument(&self, arg: &syn::Expr, elem: Scalar, dims: u32) -> syn::Result<ParamId> {
        let want = local_accessor_type(elem, dims as usize);
        if let syn::Expr::Reference(r) = arg {
            if self.local_operand(&r.expr).is_some() {
                let name = &r.expr;
                return Err(syn::Error::new_spanned(
                    arg,
                    format!(
                        "pass the local accessor itself: write `{}` (a `{want}` is taken by value)",
                        quote::quote!(#name)
                    ),
                ));
            }
        }
        match self.local_operand(arg) {
            Some((id, found_elem, found_dims)) if (found_elem, found_dims) == (elem, dims) => {
                Ok(id)
            }
            Some((_, found_elem, found_dims)) => Err(syn::Error::new_spanned(
                arg,
                format!(
                    "expected a `{want}` here, found a `{}`: pass a local accessor of that \
                     element type and number of axes",
                    local_accessor_type(found_elem, found_dims as usize)
                ),
            )),
            None => Err(syn::Error::new_spanned(
                arg,
                format!(
                    "expected a `{want}` here: pass a `LocalAccessor` parameter of the kernel (or \
                     of this function) by name, e.g. `tmp`"
                ),
            )),
        }
    }

    /// Checks the work-item or work-group argument of a call: the caller's own, in an ND-range
    /// kernel (or a device function that has one).
    fn context_argument(
        &self,
        callee: &syn::Ident,
        takes: Takes,
        arg: &syn::Expr,
    ) -> syn::Result<()> {
        let inner = match arg {
            syn::Expr::Reference(r) => &*r.expr,
            other => other,
        };
        let fits = match takes {
            Takes::NdItem => self.is_item(inner),
            _ => self.names_group(arg),
        };
        if !self.sig.nd_range {
            return Err(syn::Error::new_spanned(
                arg,
                format!(
                    "`{callee}` needs work-groups (it takes an `NdItem` or a `Group`): call it from \
                     an ND-range kernel, whose first parameter is `it: NdItem<N>`, and pass `&it`"
                ),
            ));
        }
        if !fits {
            let want = if takes == Takes::NdItem {
                "the work-item: write `&it`"
            } else {
                "the work-group: write `&it.get_group()` or `&g`"
            };
            return Err(syn::Error::new_spanned(
                arg,
                format!("`{callee}` takes {want}"),
            ));
        }
        Ok(())
    }

    /// The concrete types of a generic callee's parameters, read off the argument types.
    fn infer_generic_args(
        &mut self,
        callee: &syn::ItemFn,
        c: &syn::ExprCall,
    ) -> syn::Result<TypeNames> {
        if callee.sig.generics.params.is_empty() {
            return Ok(TypeNames::default());
        }
        instantiations(&callee.sig.generics)?;
        let mut generic = Vec::new();
        for param in callee.sig.generics.type_params() {
            let name = param.ident.to_string();
            let position = callee.sig.inputs.iter().position(|input| match input {
                syn::FnArg::Typed(t) => names_type(&t.ty, &name),
                syn::FnArg::Receiver(_) => false,
            });
            let found = match position.and_then(|p| c.args.iter().nth(p)) {
                Some(arg) => match (self.tensor_operand(arg), self.local_operand(arg)) {
                    (Ok((_, elem, _, _)), _) | (_, Some((_, elem, _))) => elem,
                    _ => self.lower_expr(arg, None)?.ty,
                },
                None => {
                    return Err(error(
                        c.span(),
                        format!("cannot tell `{name}` from the arguments: a parameter must have type `{name}` or `&Tensor<{name}>`"),
                    ))
                }
            };
            let allowed = crate::parse::parameter_types(param);
            if let Some((types, bound)) = allowed {
                if !types.contains(&found) {
                    let list: Vec<&str> = types.iter().map(|t| t.name()).collect();
                    return Err(error(
                        c.span(),
                        format!(
                            "`{name}: {bound}` stands for {} here, found `{found}`",
                            list.join(", ")
                        ),
                    ));
                }
            }
            generic.push((name, found));
        }
        Ok(TypeNames::new(generic))
    }
}

/// The paths of the functions that `body` calls (`f(..)`, `odd::f(..)`, `group_barrier(..)`).
fn called_paths(body: &syn::Block) -> Vec<syn::Path> {
    use syn::visit::Visit;
    struct Calls(Vec<syn::Path>);
    impl<'ast> Visit<'ast> for Calls {
        fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
            if let syn::Expr::Path(p) = &*call.func {
                self.0.push(p.path.clone());
            }
            syn::visit::visit_expr_call(self, call);
        }
    }
    let mut calls = Calls(Vec::new());
    calls.visit_block(body);
    calls.0
}

/// True when `ty` is `name` or a reference to a tensor of `name`.
fn names_type(ty: &syn::Type, name: &str) -> bool {
    match ty {
        syn::Type::Path(p) => {
            p.path.is_ident(name)
                || p.path.segments.last().is_some_and(|s| match &s.arguments {
                    syn::PathArguments::AngleBracketed(a) => a.args.iter().any(|g| {
                        matches!(g, syn::GenericArgument::Type(syn::Type::Path(t)) if t.path.is_ident(name))
                    }),
                    _ => false,
                })
        }
        syn::Type::Reference(r) => names_type(&r.elem, name),
        _ => false,
    }
}

/// Reports recursion: the first call that closes a cycle among `calls` (per instance: the
/// instances it calls, with the call's span).
pub(crate) fn check_recursion(
    calls: &[Vec<(FunctionId, Span)>],
    names: &[String],
) -> syn::Result<()> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        New,
        Active,
        Done,
    }
    fn visit(
        f: usize,
        calls: &[Vec<(FunctionId, Span)>],
        names: &[String],
        state: &mut [State],
    ) -> syn::Result<()> {
        state[f] = State::Active;
        for (callee, span) in calls.get(f).into_iter().flatten() {
            let g = callee.0 as usize;
            match state.get(g) {
                Some(State::Active) => {
                    return Err(error(
                        *span,
                        format!(
                            "recursion is not supported in kernels: `{}` calls `{}`, which calls it back; rewrite it as a loop",
                            names[f], names[g]
                        ),
                    ))
                }
                Some(State::New) => visit(g, calls, names, state)?,
                _ => {}
            }
        }
        state[f] = State::Done;
        Ok(())
    }
    let mut state = vec![State::New; calls.len()];
    for f in 0..calls.len() {
        if state[f] == State::New {
            visit(f, calls, names, &mut state)?;
        }
    }
    Ok(())
}

impl Lowerer<'_> {
    /// The value of the gathered `#[dpex::constant]` `name`, if there is one, lowered with its
    /// declared type.
    pub(crate) fn lower_named_constant(&mut self, name: &syn::Ident) -> Option<syn::Result<Expr>> {
        let constant = self.funcs.constant(name)?.clone();
        let Some(ty) = self.scalar_type(&constant.ty) else {
            return Some(Err(error(
                constant.ty.span(),
                "kernels can use constants of scalar types (`usize`, `f32`, ...) only",
            )));
        };
        if self.constants_in_progress.contains(&name.to_string()) {
            return Some(Err(error(
                name.span(),
                format!("the constant `{name}` is defined in terms of itself"),
            )));
        }
        self.constants_in_progress.push(name.to_string());
        let value = self.lower_expr_as(&constant.expr, ty);
        self.constants_in_progress.pop();
        Some(value)
    }

    /// `e`, or the value of the `#[dpex::constant]` it names (followed through constants naming
    /// constants): how a `MemoryOrder` or `MemoryScope` constant reaches the atomics.
    pub(crate) fn through_constants(&self, e: &syn::Expr) -> syn::Expr {
        let mut e = e.clone();
        for _ in 0..16 {
            let syn::Expr::Path(p) = &e else { break };
            let Some(constant) = p.path.get_ident().and_then(|i| self.funcs.constant(i)) else {
                break;
            };
            e = (*constant.expr).clone();
        }
        e
    }

    /// A length or size written as a positive integer literal or as a `#[dpex::constant]`
    /// whose value is one (or names another such constant).
    pub(crate) fn literal_size(&self, e: &syn::Expr) -> Option<u32> {
        self.literal_size_in(e, 0)
    }

    fn literal_size_in(&self, e: &syn::Expr, depth: u32) -> Option<u32> {
        match e {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Int(i),
                ..
            }) => i.base10_parse::<u32>().ok().filter(|&n| n > 0),
            syn::Expr::Path(p) if depth < 16 => {
                let constant = self.funcs.constant(p.path.get_ident()?)?;
                self.literal_size_in(&constant.expr, depth + 1)
            }
            _ => None,
        }
    }

    /// The length of an array type or repeat expression: a positive integer literal or a
    /// `#[dpex::constant]` holding one.
    pub(crate) fn array_len(&self, len: &syn::Expr) -> syn::Result<u32> {
        self.literal_size(len).ok_or_else(|| {
            error(
                len.span(),
                "write the array length as a positive integer literal or a `#[dpex::constant]`, \
                 e.g. `[0.0f32; 8]`",
            )
        })
    }
}
