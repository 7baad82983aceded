use dpex::prelude::*;

#[kernel]
fn math_on_wrong_type(item: Item<1>, a: u32, y: &mut Tensor<u32>) {
    y[item.get_id(0)] = a.sqrt();
}

fn main() {}
