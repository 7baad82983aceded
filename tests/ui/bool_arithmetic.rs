use dpex::prelude::*;

#[kernel]
fn bool_arithmetic(item: Item<1>, y: &mut Tensor<i32>) {
    let b = true + false;
    y[item.get_id(0)] = 1;
}

fn main() {}
