use dpex::prelude::*;

#[dpex::func]
fn func_param_box(b: Box<f32>, x: f32) -> f32 {
    x + *b
}

#[kernel]
fn calls_func_param_box(item: Item<1>, y: &mut Tensor<f32>) {
    let i = item.get_id(0);
    y[i] = 1.0;
}

fn main() {}
