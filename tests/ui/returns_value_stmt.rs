use dpex::prelude::*;

#[kernel]
fn returns_value_stmt(item: Item<1>, y: &mut Tensor<f32>) {
    y[item.get_id(0)] = 1.0;
    return 1.0;
}

fn main() {}
