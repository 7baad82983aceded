use dpex::prelude::*;

#[kernel(fastest)]
fn unknown_kernel_option(item: Item<1>, y: &mut Tensor<f32>) {
    y[item.get_id(0)] = 1.0;
}

fn main() {}
