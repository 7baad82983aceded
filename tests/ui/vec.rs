use dpex::prelude::*;

#[kernel]
fn allocates(item: Item<1>, y: &mut Tensor<f32>) {
    let scratch: Vec<f32> = Vec::new();
    y[item.get_id(0)] = 1.0;
}

fn main() {}
