use dpex::prelude::*;

#[kernel]
fn int_literal_as_float(item: Item<1>, y: &mut Tensor<f32>) {
    let scale: f32 = 2;
    y[item.get_id(0)] = scale;
}

fn main() {}
