use dpex::prelude::*;

#[kernel]
fn sub_group_unknown_op(it: NdItem<1>, y: &mut Tensor<f32>) {
    let sg = it.get_sub_group();
    y[it.get_global_id(0)] = sg.reduce_mul(2.0);
}

fn main() {}
