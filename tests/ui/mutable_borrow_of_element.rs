use dpex::prelude::*;

#[kernel]
fn mutable_borrow_of_element(item: Item<1>, x: &Tensor<f32>, y: &mut Tensor<f32>) {
    let i = item.get_id(0);
    let slot = &mut x[i];
    y[i] = 1.0;
}

fn main() {}
