use dpex::prelude::*;

#[kernel]
fn barrier_under_id_condition(it: NdItem<1>, y: &mut Tensor<f32>) {
    let lid = it.get_local_id(0);
    if lid < 4 {
        group_barrier(&it.get_group());
    }
    y[it.get_global_id(0)] = 1.0;
}

fn main() {}
