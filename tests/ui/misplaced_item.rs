use dpex::prelude::*;

#[kernel]
fn misplaced_item(y: &mut Tensor<f32>, item: Item<1>) {
    y[item.get_id(0)] = 1.0;
}

fn main() {}
