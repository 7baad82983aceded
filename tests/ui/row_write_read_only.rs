use dpex::prelude::*;

#[kernel]
fn writes_shared_row(item: Item<2>, out: &mut Tensor<f32, 2>) {
    let (i, j) = (item.get_id(0), item.get_id(1));
    let r = out.row(i);
    r[j] = 1.0;
}

fn main() {}
