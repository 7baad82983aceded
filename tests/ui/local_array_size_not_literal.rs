use dpex::prelude::*;

#[kernel]
fn local_array_size_not_literal(it: NdItem<1>, y: &mut Tensor<f32>) {
    let tile = LocalArray::<f32, { 2 * 128 }>::new(&it.get_group());
    y[it.get_global_id(0)] = tile[0];
}

fn main() {}
