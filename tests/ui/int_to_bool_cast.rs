use dpex::prelude::*;

#[kernel]
fn int_to_bool_cast(item: Item<1>, a: i32, y: &mut Tensor<u8>) {
    let flag = a as bool;
    y[item.get_id(0)] = 1;
}

fn main() {}
