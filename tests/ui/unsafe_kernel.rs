use dpex::prelude::*;

#[kernel]
unsafe fn unsafe_kernel(item: Item<1>, y: &mut Tensor<f32>) {
    y[item.get_id(0)] = 1.0;
}

fn main() {}
