use dpex::prelude::*;

#[kernel]
fn call_plain_function(item: Item<1>, y: &mut Tensor<f32>) {
    y[item.get_id(0)] = helper(2.0);
}

fn helper(v: f32) -> f32 {
    v * 2.0
}

fn main() {}
