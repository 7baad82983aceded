use dpex::prelude::*;

#[kernel]
fn negate_unsigned(item: Item<1>, a: u32, y: &mut Tensor<u32>) {
    y[item.get_id(0)] = -a;
}

fn main() {}
