use dpex::prelude::*;

#[kernel]
fn array_row_copy(item: Item<1>, y: &mut Tensor<f32>) {
    let i = item.get_id(0);
    let acc = [[1.0f32; 4]; 4];
    let row = acc[i % 4];
    y[i] = row[0];
}

fn main() {}
