use dpex::prelude::*;

#[kernel]
fn borrows_local(item: Item<1>, y: &mut Tensor<f32>) {
    let v = 1.0f32;
    let r = &v;
    y[item.get_id(0)] = v;
}

fn main() {}
