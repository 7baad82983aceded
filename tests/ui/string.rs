use dpex::prelude::*;

#[kernel]
fn makes_string(item: Item<1>, y: &mut Tensor<f32>) {
    let name = String::from("dpex");
    y[item.get_id(0)] = 1.0;
}

fn main() {}
