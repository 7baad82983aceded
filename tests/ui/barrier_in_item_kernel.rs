use dpex::prelude::*;

#[kernel]
fn barrier_in_item_kernel(item: Item<1>, y: &mut Tensor<f32>) {
    y[item.get_id(0)] = 1.0;
    group_barrier(&item.get_group());
}

fn main() {}
