use dpex::prelude::*;

#[kernel]
fn no_item(x: &Tensor<f32>) {}

fn main() {}
