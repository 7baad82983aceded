use dpex::prelude::*;

#[kernel]
fn indexes_an_element(item: Item<1>, x: &Tensor<f32>, y: &mut Tensor<f32>) {
    let i = item.get_id(0);
    y[i] = x[i][0];
}

fn main() {}
