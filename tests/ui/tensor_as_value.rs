use dpex::prelude::*;

#[kernel]
fn tensor_as_value(item: Item<1>, x: &Tensor<f32>, y: &mut Tensor<f32>) {
    let alias = x;
    y[item.get_id(0)] = 1.0;
}

fn main() {}
