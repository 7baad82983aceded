use dpex::prelude::*;

#[kernel]
fn index_not_usize(item: Item<1>, x: &Tensor<f32>, y: &mut Tensor<f32>) {
    let i = item.get_id(0) as i32;
    y[0] = x[i];
}

fn main() {}
