use dpex::prelude::*;

#[kernel]
fn array_length_not_literal(item: Item<1>, n: usize, y: &mut Tensor<f32>) {
    let acc = [0.0f32; n];
    y[item.get_id(0)] = acc[0];
}

fn main() {}
