use dpex::prelude::*;

#[kernel]
fn assign_immutable(item: Item<1>, y: &mut Tensor<i32>) {
    let count = 1;
    count = 2;
    y[item.get_id(0)] = count;
}

fn main() {}
