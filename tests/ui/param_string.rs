use dpex::prelude::*;

#[kernel]
fn param_string(item: Item<1>, s: String, y: &mut Tensor<f32>) {
    y[item.get_id(0)] = 1.0;
}

fn main() {}
