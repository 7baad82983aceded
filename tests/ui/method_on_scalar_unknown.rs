use dpex::prelude::*;

#[kernel]
fn method_on_scalar_unknown(item: Item<1>, a: f32, y: &mut Tensor<f32>) {
    y[item.get_id(0)] = a.frobnicate();
}

fn main() {}
