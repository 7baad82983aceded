use dpex::prelude::*;

#[kernel]
fn get_unchecked_outside_unsafe(item: Item<1>, x: &Tensor<f32>, y: &mut Tensor<f32>) {
    let i = item.get_id(0);
    y[i] = x.get_unchecked(i);
}

fn main() {}
