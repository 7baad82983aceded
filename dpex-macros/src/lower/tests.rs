//! Unit tests of typing and lowering: literal types, operand agreement and loop shape.

use super::{lower_module, Checks, FunctionTable};
use crate::parse::{parse_signature, TypeNames};
use dpex_spirv::ir::{BinaryOp, ExprKind, Kernel, Scalar, Statement};

fn lower(source: &str) -> syn::Result<Kernel> {
    let func: syn::ItemFn = syn::parse_str(source)?;
    lower_kernel(&func)
}

fn lower_kernel(func: &syn::ItemFn) -> syn::Result<Kernel> {
    let sig = parse_signature(func, &TypeNames::default())?;
    let mut module = lower_module(
        &sig,
        &func.block,
        &FunctionTable::new(Vec::new(), Vec::new()),
        true,
        Checks::On,
    )?
    .module;
    module
        .kernels
        .pop()
        .ok_or_else(|| syn::Error::new(sig.name.span(), "no kernel"))
}

fn lower_ok(source: &str) -> Kernel {
    match lower(source) {
        Ok(k) => k,
        Err(e) => panic!("lowering failed: {e}"),
    }
}

fn error_text(source: &str) -> String {
    match lower(source) {
        Ok(_) => panic!("expected an error for {source}"),
        Err(e) => e.to_string(),
    }
}

fn local_type(kernel: &Kernel, name: &str) -> Scalar {
    match kernel.locals.iter().find(|l| l.name == name) {
        Some(l) => l.ty,
        None => panic!("no local {name}"),
    }
}

#[test]
fn literals_take_their_type_from_context_suffix_or_default() {
    let k = lower_ok(
        "fn k(item: Item<1>, a: f32, n: u16) {
            let x = 2.0 * a;
            let y = a * 2.0;
            let z = 1.5;
            let w = 7;
            let v = n + 3;
            let s = 3u8;
            let t = 4f32;
        }",
    );
    assert_eq!(local_type(&k, "x"), Scalar::F32);
    assert_eq!(local_type(&k, "y"), Scalar::F32);
    assert_eq!(local_type(&k, "z"), Scalar::F64);
    assert_eq!(local_type(&k, "w"), Scalar::I32);
    assert_eq!(local_type(&k, "v"), Scalar::U16);
    assert_eq!(local_type(&k, "s"), Scalar::U8);
    assert_eq!(local_type(&k, "t"), Scalar::F32);
}

#[test]
fn mismatched_operands_are_rejected_with_a_cast_hint() {
    let text = error_text("fn k(item: Item<1>, a: f32, b: f64) { let c = a + b; }");
    assert!(text.contains("as f32"), "{text}");
    let text = error_text("fn k(item: Item<1>, a: f32) { let c = a + 1; }");
    assert!(text.contains("1.0"), "{text}");
}

#[test]
fn indices_must_be_usize() {
    let text = error_text("fn k(item: Item<1>, x: &Tensor<f32>, i: i32) { let v = x[i]; }");
    assert!(text.contains("usize"), "{text}");
    lower_ok("fn k(item: Item<1>, x: &Tensor<f32>) { let v = x[3]; }");
}

#[test]
fn for_loops_become_a_bounded_loop_with_an_increment() {
    let k =
        lower_ok("fn k(item: Item<1>, y: &mut Tensor<u32>) { for j in 0..10u32 { y[0] += j; } }");
    let last_loop = k
        .body
        .iter()
        .rev()
        .find(|s| matches!(s, Statement::Loop { .. }));
    let Some(Statement::Loop {
        body, continuing, ..
    }) = last_loop
    else {
        panic!("expected a loop, got {:?}", k.body);
    };
    assert!(
        matches!(body.first(), Some(Statement::If { accept, .. }) if accept == &vec![Statement::Break])
    );
    let Some(Statement::Assign { value, .. }) = continuing.first() else {
        panic!("expected an increment");
    };
    assert!(matches!(
        value.kind,
        ExprKind::Binary {
            op: BinaryOp::Add,
            ..
        }
    ));
    assert_eq!(local_type(&k, "j"), Scalar::U32);
}

#[test]
fn immutable_and_read_only_targets_are_rejected() {
    let text = error_text("fn k(item: Item<1>) { let x = 1; x = 2; }");
    assert!(text.contains("let mut x"), "{text}");
    let text = error_text("fn k(item: Item<1>, x: &Tensor<f32>) { x[0] = 1.0; }");
    assert!(text.contains("&mut Tensor<f32>"), "{text}");
}

#[test]
fn work_item_dimensions_are_checked() {
    let text = error_text("fn k(item: Item<2>, y: &mut Tensor<f32>) { let i = item.get_id(2); }");
    assert!(text.contains("2 dimension"), "{text}");
    let text = error_text("fn k(item: Item<4>) {}");
    assert!(text.contains("Item<3>"), "{text}");
}

#[test]
fn every_bad_statement_is_reported() {
    let func: syn::ItemFn = match syn::parse_str(
        "fn k(item: Item<1>) { let a = || 1; let b = String::new(); let c = 1; }",
    ) {
        Ok(f) => f,
        Err(e) => panic!("{e}"),
    };
    let errors = match lower_kernel(&func) {
        Ok(_) => panic!("expected errors"),
        Err(e) => e.into_iter().count(),
    };
    assert_eq!(errors, 2);
}

#[test]
fn uses_of_a_failed_let_are_not_reported_again() {
    let func: syn::ItemFn = match syn::parse_str(
        "fn k(item: Item<1>, y: &mut Tensor<i32>) { let v = match 1 { _ => 2 }; y[0] = v; y[1] = w; }",
    ) {
        Ok(f) => f,
        Err(e) => panic!("{e}"),
    };
    let messages: Vec<String> = match lower_kernel(&func) {
        Ok(_) => panic!("expected errors"),
        Err(e) => e.into_iter().map(|e| e.to_string()).collect(),
    };
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(messages[0].contains("match"), "{messages:?}");
    assert!(messages[1].contains("cannot find `w`"), "{messages:?}");
}

#[test]
fn literal_lets_take_the_type_their_uses_demand() {
    let k = lower_ok(
        "fn k(item: Item<1>, a: f32, x: &Tensor<f32>, y: &mut Tensor<f32>) {
            let mut j = 0;
            let scale = 0.5;
            let limit = 3;
            if limit < x.len() {
                j += 1;
            }
            y[j] = x[j] * scale + a;
        }",
    );
    assert_eq!(local_type(&k, "j"), Scalar::U64);
    assert_eq!(local_type(&k, "scale"), Scalar::F32);
    assert_eq!(local_type(&k, "limit"), Scalar::U64);
}

#[test]
fn loops_with_labels_values_and_ranges_lower() {
    lower_ok(
        "fn k(item: Item<1>, y: &mut Tensor<i32>) {
            let mut total = 0;
            'outer: for a in (0..10).rev() {
                for b in (0..=a).step_by(2) {
                    if b == 4 { continue 'outer; }
                    if a == 1 { break 'outer; }
                    total += a * b;
                }
            }
            let mut n = 0;
            let found = loop {
                n += 1;
                if n * n > 50 { break n; }
            };
            while n > 0 { n -= 3; }
            y[0] = total + found + n;
        }",
    );
}

#[test]
fn arrays_and_tuples_lower() {
    let k = lower_ok(
        "fn k(item: Item<1>, y: &mut Tensor<f32>) {
            let mut acc = [0.0f32; 16];
            let w = [1.0, 2.0, 3.0];
            let (lo, hi) = (1usize, 2.5f32);
            let mut t = (lo, hi);
            t.1 += w[2];
            acc[lo] = t.1;
            y[0] = acc[1] + w.len() as f32;
        }",
    );
    let acc = k.locals.iter().find(|l| l.name == "acc");
    assert_eq!(
        acc.map(|l| (l.ty, l.array_len)),
        Some((Scalar::F32, Some(16)))
    );
    let w = k.locals.iter().find(|l| l.name == "w");
    assert_eq!(w.map(|l| (l.ty, l.array_len)), Some((Scalar::F32, Some(3))));
}

/// The kernel's proven variant (see `bounds`) and the checks it leaves out.
fn lower_proven(source: &str) -> (Kernel, Vec<super::Assumption>) {
    let func: syn::ItemFn = syn::parse_str(source).unwrap_or_else(|e| panic!("{e}"));
    let sig = parse_signature(&func, &TypeNames::default()).unwrap_or_else(|e| panic!("{e}"));
    let table = FunctionTable::new(Vec::new(), Vec::new());
    let mut lowered = lower_module(&sig, &func.block, &table, true, Checks::UnlessProven)
        .unwrap_or_else(|e| panic!("lowering failed: {e}"));
    let kernel = lowered.module.kernels.pop().expect("a kernel");
    (kernel, lowered.assumes)
}

#[test]
fn a_tiled_matmul_has_every_index_bounded_by_its_launch() {
    let (kernel, assumes) = lower_proven(
        "fn k(it: NdItem<2>, n: usize, a: &Tensor<f32>, b: &Tensor<f32>, c: &mut Tensor<f32>) {
            let group = it.get_group();
            let mut ta = LocalArray2::<f32, 16, 16>::new(&group);
            let mut tb = LocalArray2::<f32, 16, 16>::new(&group);
            let (row, col) = (it.get_global_id(0), it.get_global_id(1));
            let (lr, lc) = (it.get_local_id(0), it.get_local_id(1));
            let mut acc = 0.0f32;
            for tile in 0..n / 16 {
                ta[[lr, lc]] = a[row * n + tile * 16 + lc];
                tb[[lr, lc]] = b[(tile * 16 + lr) * n + col];
                group_barrier(&group);
                for k in 0..16 {
                    acc += ta[[lr, k]] * tb[[k, lc]];
                }
                group_barrier(&group);
            }
            c[row * n + col] = acc;
        }",
    );
    assert!(!kernel.reports_errors, "{assumes:?}");
    // a, b, c (one axis each) and the two tiles' axes (lr, lc, k; deduplicated).
    assert!(assumes.len() >= 6, "{assumes:?}");
}

#[test]
fn mutable_locals_and_data_bound_nothing() {
    let (kernel, assumes) = lower_proven(
        "fn k(item: Item<1>, idx: &Tensor<u32>, x: &mut Tensor<f32>) {
            let mut i = item.get_id(0);
            x[i] = 1.0;
            i += 1;
            let j = idx[item.get_id(0)] as usize;
            x[j] = 2.0;
        }",
    );
    // Only idx[get_id(0)] is proven; x[i] (mutable i) and x[j] (data) keep their checks.
    assert_eq!(assumes.len(), 1, "{assumes:?}");
    assert!(kernel.reports_errors);
}

#[test]
fn a_let_of_a_mutable_local_keeps_the_bound_it_had_when_assigned() {
    // `j` is the old `t`: the later `t < n` says nothing about it.
    let (kernel, assumes) = lower_proven(
        "fn k(item: Item<1>, n: usize, x: &mut Tensor<f32>) {
            let mut t = item.get_id(0);
            let j = t;
            t += 1000;
            if t < n {
                x[j] = 1.0;
            }
        }",
    );
    assert!(assumes.is_empty(), "{assumes:?}");
    assert!(kernel.reports_errors);
}

/// A work-group tree step over `tmp` whose stride changes by `step` each round.
fn stride_kernel(step: &str) -> String {
    format!(
        "fn k(it: NdItem<1>, tmp: LocalAccessor<f32>) {{
            let lid = it.get_local_id(0);
            let mut stride = it.get_local_range(0) / 2;
            while stride > 0 {{
                if lid < stride {{
                    tmp[lid] += tmp[lid + stride];
                }}
                {step};
            }}
        }}"
    )
}

#[test]
fn a_halving_stride_stays_below_its_initial_value() {
    // `stride` only shrinks: `tmp[lid + stride]` under `lid < stride` stays below the
    // work-group size.
    let (kernel, assumes) = lower_proven(&stride_kernel("stride /= 2"));
    assert!(!kernel.reports_errors, "{assumes:?}");
}

#[test]
fn an_index_without_an_upper_bound_keeps_its_check_and_assumes_nothing() {
    // `stride` doubles: nothing bounds `tmp[lid + stride]` from above, and assuming it would
    // keep the proven variant from ever running.
    let (kernel, assumes) = lower_proven(&stride_kernel("stride *= 2"));
    assert!(kernel.reports_errors);
    assert_eq!(assumes.len(), 1, "only tmp[lid]: {assumes:?}");
}

#[test]
fn a_byte_cast_to_usize_indexes_a_256_entry_table_without_a_check() {
    let (kernel, assumes) = lower_proven(
        "fn k(it: NdItem<1>, data: &Tensor<u8>, bins: &mut Tensor<u32>) {
            let group = it.get_group();
            let mut counts = LocalArray::<u32, 256>::new(&group);
            let i = it.get_global_id(0);
            if i < data.len() {
                AtomicRef::new(&mut counts[data[i] as usize]).fetch_add(1);
            }
        }",
    );
    assert!(!kernel.reports_errors, "{assumes:?}");
}

/// `body` in a kernel over two 2-d tensors `x` (read) and `y` (written).
fn rows_kernel(body: &str) -> String {
    format!(
        "fn k(item: Item<2>, x: &Tensor<f32, 2>, y: &mut Tensor<f32, 2>) {{
            let (i, j) = (item.get_id(0), item.get_id(1));
            {body}
        }}"
    )
}

#[test]
fn rows_lower_to_the_n_d_access() {
    let n_d = lower_ok(&rows_kernel("y[[i, j]] += x[[i, j]] * 2.0;"));
    for rows in [
        "y[i][j] += x[i][j] * 2.0;",
        "y.row_mut(i)[j] += x.row(i)[j] * 2.0;",
        "(&mut y[i])[j] += (&x[i])[j] * 2.0;",
    ] {
        let lowered = lower_ok(&rows_kernel(rows));
        assert_eq!(lowered.body, n_d.body, "{rows}");
        assert_eq!(lowered.locals, n_d.locals, "{rows}");
    }
    // The launch proves rows as it proves N-d indices.
    let (_, n_d) = lower_proven(&rows_kernel("y[[i, j]] = x[[i, j]];"));
    let (_, rows) = lower_proven(&rows_kernel("let r = x.row(i); y[i][j] = r[j];"));
    assert_eq!(rows.len(), n_d.len(), "{rows:?} / {n_d:?}");
}

#[test]
fn rows_are_rejected_where_they_are_not_views() {
    let text = error_text(&rows_kernel("let v = x[i] + 1.0;"));
    assert!(text.contains("this tensor has 2 axes"), "{text}");
    let text = error_text(&rows_kernel("let r = y.row(i); r[j] = 1.0;"));
    assert!(text.contains("row_mut"), "{text}");
    let text = error_text(&rows_kernel("y[i][j] = x[i][j][0];"));
    assert!(text.contains("one axis"), "{text}");
    let text = error_text(&rows_kernel("y[i][j] = x.row(i).shape(1) as f32;"));
    assert!(text.contains("this row has one axis"), "{text}");
}

#[test]
fn only_loops_over_a_few_literal_values_ask_to_be_unrolled() {
    let unroll_hints = |src: &str| -> Vec<bool> {
        lower_ok(src)
            .body
            .iter()
            .filter_map(|s| match s {
                Statement::Loop { unroll, .. } => Some(*unroll),
                _ => None,
            })
            .collect()
    };
    let literal = "fn k(item: Item<1>, y: &mut Tensor<u32>) { for j in 0..8u32 { y[0] += j; } }";
    assert_eq!(unroll_hints(literal), [true]);
    let long = "fn k(item: Item<1>, y: &mut Tensor<u32>) { for j in 0..1000u32 { y[0] += j; } }";
    assert_eq!(unroll_hints(long), [false]);
    let runtime =
        "fn k(item: Item<1>, n: u32, y: &mut Tensor<u32>) { for j in 0..n { y[0] += j; } }";
    assert_eq!(unroll_hints(runtime), [false]);
    let while_loop =
        "fn k(item: Item<1>, y: &mut Tensor<u32>) { let mut j = 0u32; while j < 8 { j += 1; } y[0] = j; }";
    assert_eq!(unroll_hints(while_loop), [false]);
}
