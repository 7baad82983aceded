use dpex::prelude::*;

#[kernel]
fn tuple_shape_mismatch(item: Item<1>, y: &mut Tensor<i32>) {
    let (a, b) = (1, 2, 3);
    y[item.get_id(0)] = a + b;
}

fn main() {}
