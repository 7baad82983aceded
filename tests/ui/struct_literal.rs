use dpex::prelude::*;

#[kernel]
fn struct_literal(item: Item<1>, y: &mut Tensor<f32>) {
    let p = Point { x: 1.0 };
    y[item.get_id(0)] = 1.0;
}

fn main() {}
