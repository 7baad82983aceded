use dpex::prelude::*;

#[kernel]
fn dereference(item: Item<1>, a: f32, y: &mut Tensor<f32>) {
    let v = *a;
    y[item.get_id(0)] = v;
}

fn main() {}
