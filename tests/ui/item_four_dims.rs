use dpex::prelude::*;

#[kernel]
fn item_four_dims(item: Item<4>, y: &mut Tensor<f32>) {
    y[item.get_id(0)] = 1.0;
}

fn main() {}
