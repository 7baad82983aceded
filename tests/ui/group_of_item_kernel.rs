use dpex::prelude::*;

#[kernel]
fn group_of_item_kernel(item: Item<1>, y: &mut Tensor<usize>) {
    let i = item.get_id(0);
    y[i] = item.get_group().get_group_id(0);
}

fn main() {}
