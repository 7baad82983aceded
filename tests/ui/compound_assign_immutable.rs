use dpex::prelude::*;

#[kernel]
fn compound_assign_immutable(item: Item<1>, y: &mut Tensor<f32>) {
    let acc = 0.0f32;
    acc += 1.0;
    y[item.get_id(0)] = acc;
}

fn main() {}
