use dpex::prelude::*;

#[kernel]
fn const_generic<const N: usize>(item: Item<1>, y: &mut Tensor<f32>) {
    y[item.get_id(0)] = 1.0;
}

fn main() {}
