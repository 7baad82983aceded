use dpex::prelude::*;

#[kernel]
fn mixes_widths(item: Item<1>, a: f64, x: &Tensor<f32>, y: &mut Tensor<f32>) {
    let i = item.get_id(0);
    y[i] = a * x[i];
}

fn main() {}
