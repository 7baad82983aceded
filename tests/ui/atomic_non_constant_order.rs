use dpex::prelude::*;

#[kernel]
fn atomic_non_constant_order(it: NdItem<1>, y: &mut Tensor<u32>, relaxed: bool) {
    let order = if relaxed { 0 } else { 1 };
    AtomicRef::with_order(&mut y[0], order, MemoryScope::Device).fetch_add(1);
    let _ = it.get_global_id(0);
}

fn main() {}
