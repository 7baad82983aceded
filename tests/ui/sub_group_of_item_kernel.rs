use dpex::prelude::*;

#[kernel]
fn sub_group_of_item_kernel(item: Item<1>, y: &mut Tensor<u32>) {
    let i = item.get_id(0);
    y[i] = item.get_sub_group().get_local_id();
}

fn main() {}
