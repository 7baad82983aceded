use dpex::prelude::*;

#[kernel]
fn param_box(item: Item<1>, b: Box<f32>, y: &mut Tensor<f32>) {
    y[item.get_id(0)] = 1.0;
}

fn main() {}
