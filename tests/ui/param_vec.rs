use dpex::prelude::*;

#[kernel]
fn param_vec(item: Item<1>, v: Vec<f32>, y: &mut Tensor<f32>) {
    y[item.get_id(0)] = 1.0;
}

fn main() {}
