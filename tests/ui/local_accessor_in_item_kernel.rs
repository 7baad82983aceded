use dpex::prelude::*;

#[kernel]
fn local_accessor_in_item_kernel(item: Item<1>, scratch: LocalAccessor<f32>, y: &mut Tensor<f32>) {
    let i = item.get_id(0);
    scratch[0] = 1.0;
    y[i] = scratch[0];
}

fn main() {}
