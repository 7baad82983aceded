use dpex::prelude::*;

#[kernel]
fn local_accessor_four_axes(it: NdItem<1>, y: &mut Tensor<f32>, t: LocalAccessor<f32, 4>) {
    t[[0, 0, 0, 0]] = 1.0;
    y[it.get_global_id(0)] = t[[0, 0, 0, 0]];
}

fn main() {}
