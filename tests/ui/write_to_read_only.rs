use dpex::prelude::*;

#[kernel]
fn writes_input(item: Item<1>, x: &Tensor<f32>) {
    let i = item.get_id(0);
    x[i] = 0.0;
}

fn main() {}
