use dpex::prelude::*;

#[kernel]
fn if_value_without_else(item: Item<1>, a: i32, y: &mut Tensor<i32>) {
    let v = if a > 0 { 1 };
    y[item.get_id(0)] = v;
}

fn main() {}
