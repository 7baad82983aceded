use dpex::prelude::*;

#[dpex::func]
fn store(y: &mut Tensor<f32>, i: usize) {
    y[i] = 1.0;
}

#[kernel]
fn func_void_as_value(item: Item<1>, y: &mut Tensor<f32>) {
    let i = item.get_id(0);
    let v = store(y, i);
}

fn main() {}
