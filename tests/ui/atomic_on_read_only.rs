use dpex::prelude::*;

#[kernel]
fn atomic_on_read_only(it: NdItem<1>, x: &Tensor<u32>) {
    AtomicRef::new(&mut x[0]).fetch_add(1);
    let _ = it.get_global_id(0);
}

fn main() {}
