use dpex::prelude::*;

const LIMIT: usize = 4;

#[kernel]
fn constant_without_attribute(item: Item<1>, y: &mut Tensor<f32>) {
    let i = item.get_id(0);
    if i < LIMIT {
        y[i] = 1.0;
    }
}

fn main() {}
