use dpex::prelude::*;

#[kernel]
fn ln_gamma_as_scalar(item: Item<1>, a: f64, y: &mut Tensor<f64>) {
    y[item.get_id(0)] = a.ln_gamma();
}

fn main() {}
