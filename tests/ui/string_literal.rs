use dpex::prelude::*;

#[kernel]
fn string_literal(item: Item<1>, y: &mut Tensor<f32>) {
    let label = "work-item";
    y[item.get_id(0)] = 1.0;
}

fn main() {}
