use dpex::prelude::*;

#[kernel]
fn row_as_value(item: Item<1>, m: &Tensor<f32, 2>, y: &mut Tensor<f32>) {
    let i = item.get_id(0);
    y[i] = m.row(i);
}

fn main() {}
