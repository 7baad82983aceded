use dpex::prelude::*;

#[kernel]
fn uses_closure(item: Item<1>, y: &mut Tensor<f32>) {
    let i = item.get_id(0);
    let double = |v: f32| v * 2.0;
    y[i] = double(y[i]);
}

fn main() {}
