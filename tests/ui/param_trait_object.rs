use dpex::prelude::*;

#[kernel]
fn param_trait_object(item: Item<1>, f: &dyn Fn(f32) -> f32, y: &mut Tensor<f32>) {
    y[item.get_id(0)] = 1.0;
}

fn main() {}
