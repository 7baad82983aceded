use dpex::prelude::*;

#[kernel]
fn atomic_on_private_array(it: NdItem<1>, y: &mut Tensor<u32>) {
    let mut counts = [0u32; 4];
    AtomicRef::new(&mut counts[0]).fetch_add(1);
    y[it.get_global_id(0)] = counts[0];
}

fn main() {}
