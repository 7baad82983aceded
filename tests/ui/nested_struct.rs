use dpex::prelude::*;

#[kernel]
fn nested_struct(item: Item<1>, y: &mut Tensor<f32>) {
    struct Pair(f32, f32);
    y[item.get_id(0)] = 1.0;
}

fn main() {}
