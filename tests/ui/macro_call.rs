use dpex::prelude::*;

#[kernel]
fn macro_call(item: Item<1>, y: &mut Tensor<f32>) {
    println!("hello from a work-item");
    y[item.get_id(0)] = 1.0;
}

fn main() {}
