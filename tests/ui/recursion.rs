use dpex::prelude::*;

#[kernel]
fn calls_itself(item: Item<1>, y: &mut Tensor<f32>) {
    calls_itself(item, y);
}

fn main() {}
