use dpex::prelude::*;

#[kernel]
fn array_pair_index(item: Item<1>, y: &mut Tensor<f32>) {
    let i = item.get_id(0);
    let acc = [[1.0f32; 4]; 4];
    y[i] = acc[[i % 4, 0]];
    y[i] += acc[i % 4];
}

fn main() {}
