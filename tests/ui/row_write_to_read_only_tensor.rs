use dpex::prelude::*;

#[kernel]
fn writes_input_row(item: Item<2>, x: &Tensor<f32, 2>) {
    let (i, j) = (item.get_id(0), item.get_id(1));
    x[i][j] = 0.0;
}

fn main() {}
