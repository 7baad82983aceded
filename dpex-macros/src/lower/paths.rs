//! Device-function paths: a call's path resolved, as rustc resolves it, from the module of the
//! body that makes the call.
//!
//! The kernel's module is the root: a `#[dpex::func]` gathered through the path `odd::f` lives
//! in the module `odd`, so its call `g(x)` names `odd::g` and `super::h(x)` names `h`. Functions
//! nested in the kernel body are seen by bare name from the kernel and from each other only.

/// Where the calls of a body are resolved from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Scope {
    /// The kernel body and the functions nested in it.
    Kernel,
    /// A gathered `#[dpex::func]`: the path of its module from the kernel's module (no
    /// segments: the kernel's module).
    Module(syn::Path),
}

impl Scope {
    /// The scope of the body of a function gathered through `path` (resolved from the kernel's
    /// module).
    pub(crate) fn of_gathered(path: &syn::Path) -> Scope {
        let mut module = path.clone();
        module.segments = path
            .segments
            .iter()
            .take(path.segments.len().saturating_sub(1))
            .cloned()
            .collect();
        Scope::Module(module)
    }

    /// The path, from the kernel's module, of what `path` names in this scope; generic
    /// arguments are dropped (`cnd::<f32>` names `cnd`).
    pub(crate) fn resolve(&self, path: &syn::Path) -> syn::Path {
        let mut path = path.clone();
        for segment in path.segments.iter_mut() {
            segment.arguments = syn::PathArguments::None;
        }
        let Scope::Module(module) = self else {
            return path;
        };
        let first = path.segments.first().map(|s| s.ident.to_string());
        if path.leading_colon.is_some() || matches!(first.as_deref(), Some("crate" | "$crate")) {
            return path;
        }
        let mut prefix: Vec<syn::PathSegment> = module.segments.iter().cloned().collect();
        let mut rest: Vec<syn::PathSegment> = path.segments.into_iter().collect();
        if rest.len() > 1 && rest[0].ident == "self" {
            rest.remove(0);
        }
        while rest.len() > 1
            && rest[0].ident == "super"
            && prefix.last().is_some_and(|m| {
                !matches!(m.ident.to_string().as_str(), "super" | "self" | "crate")
            })
        {
            prefix.pop();
            rest.remove(0);
        }
        syn::Path {
            leading_colon: module.leading_colon,
            segments: prefix.into_iter().chain(rest).collect(),
        }
    }
}

/// The text of a resolved path, which identifies a gathered function: `odd::f`.
pub(crate) fn path_key(path: &syn::Path) -> String {
    let names: Vec<String> = path
        .segments
        .iter()
        .map(|s| syn::ext::IdentExt::unraw(&s.ident).to_string())
        .collect();
    let lead = if path.leading_colon.is_some() {
        "::"
    } else {
        ""
    };
    format!("{lead}{}", names.join("::"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolved(module: &str, call: &str) -> String {
        let scope = Scope::of_gathered(&syn::parse_str(&format!("{module}f")).unwrap());
        path_key(&scope.resolve(&syn::parse_str(call).unwrap()))
    }

    #[test]
    fn calls_resolve_from_the_module_of_the_calling_function() {
        assert_eq!(resolved("", "g"), "g");
        assert_eq!(resolved("odd::", "g"), "odd::g");
        assert_eq!(resolved("odd::", "self::g"), "odd::g");
        assert_eq!(resolved("odd::", "super::g"), "g");
        assert_eq!(resolved("a::b::", "super::c::g"), "a::c::g");
        assert_eq!(resolved("super::", "super::g"), "super::super::g");
        assert_eq!(resolved("odd::", "crate::even::g"), "crate::even::g");
        assert_eq!(resolved("odd::", "inner::g::<f32>"), "odd::inner::g");
        assert_eq!(
            Scope::Kernel.resolve(&syn::parse_str("g::<f32>").unwrap()),
            syn::parse_str("g").unwrap()
        );
    }
}
