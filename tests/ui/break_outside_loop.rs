use dpex::prelude::*;

#[kernel]
fn break_outside_loop(item: Item<1>, y: &mut Tensor<i32>) {
    y[item.get_id(0)] = 1;
    break;
}

fn main() {}
