use dpex::prelude::*;

#[kernel]
fn float_bit_and(item: Item<1>, a: f32, b: f32, y: &mut Tensor<f32>) {
    y[item.get_id(0)] = a & b;
}

fn main() {}
