use dpex::prelude::*;

#[kernel]
fn let_else(item: Item<1>, a: i32, y: &mut Tensor<i32>) {
    let v = a else { return; };
    y[item.get_id(0)] = v;
}

fn main() {}
