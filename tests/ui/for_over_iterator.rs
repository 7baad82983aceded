use dpex::prelude::*;

#[kernel]
fn for_over_iterator(item: Item<1>, x: &Tensor<f32>, y: &mut Tensor<f32>) {
    let mut sum = 0.0f32;
    for v in x.iter() {
        sum += v;
    }
    y[item.get_id(0)] = sum;
}

fn main() {}
