use dpex::prelude::*;

#[kernel]
fn item_dimension_out_of_range(item: Item<1>, y: &mut Tensor<f32>) {
    let j = item.get_id(1);
    y[j] = 1.0;
}

fn main() {}
