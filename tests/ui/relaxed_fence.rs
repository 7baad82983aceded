use dpex::prelude::*;

#[kernel]
fn relaxed_fence(it: NdItem<1>, y: &mut Tensor<f32>) {
    y[it.get_global_id(0)] = 1.0;
    atomic_fence(MemoryOrder::Relaxed, MemoryScope::Device);
}

fn main() {}
