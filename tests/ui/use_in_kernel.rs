use dpex::prelude::*;

#[kernel]
fn use_in_kernel(item: Item<1>, y: &mut Tensor<f32>) {
    use std::f32::consts::PI;
    y[item.get_id(0)] = 1.0;
}

fn main() {}
