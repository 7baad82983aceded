use dpex::prelude::*;

#[kernel]
fn char_literal(item: Item<1>, y: &mut Tensor<u32>) {
    let c = 'x';
    y[item.get_id(0)] = 1;
}

fn main() {}
