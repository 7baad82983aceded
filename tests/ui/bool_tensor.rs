use dpex::prelude::*;

#[kernel]
fn bool_tensor(item: Item<1>, flags: &Tensor<bool>, y: &mut Tensor<f32>) {
    y[item.get_id(0)] = 1.0;
}

fn main() {}
