use dpex::prelude::*;

#[kernel]
fn unknown_method(item: Item<1>, x: &Tensor<f32>, y: &mut Tensor<f32>) {
    let i = item.get_id(0);
    y[i] = x.sum();
}

fn main() {}
