use dpex::prelude::*;

#[kernel]
fn loop_value_without_break(item: Item<1>, y: &mut Tensor<i32>) {
    let v: i32 = loop {};
    y[item.get_id(0)] = v;
}

fn main() {}
