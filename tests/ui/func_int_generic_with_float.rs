use dpex::prelude::*;

#[dpex::func]
fn twice<T: Int>(x: T) -> T {
    x + x
}

#[kernel]
fn calls_with_float(item: Item<1>, x: &Tensor<f32>, y: &mut Tensor<f32>) {
    let i = item.get_id(0);
    y[i] = twice(x[i]);
}

fn main() {}
