use dpex::prelude::*;

#[kernel]
fn mut_tensor_binding(item: Item<1>, mut x: &Tensor<f32>, y: &mut Tensor<f32>) {
    y[item.get_id(0)] = 1.0;
}

fn main() {}
