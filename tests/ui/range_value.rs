use dpex::prelude::*;

#[kernel]
fn range_value(item: Item<1>, y: &mut Tensor<i32>) {
    let r = 0..10;
    y[item.get_id(0)] = 1;
}

fn main() {}
