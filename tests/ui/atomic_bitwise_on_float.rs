use dpex::prelude::*;

#[kernel]
fn atomic_bitwise_on_float(it: NdItem<1>, y: &mut Tensor<f32>) {
    AtomicRef::new(&mut y[0]).fetch_or(1.0);
    let _ = it.get_global_id(0);
}

fn main() {}
