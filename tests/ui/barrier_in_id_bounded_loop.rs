use dpex::prelude::*;

#[kernel]
fn barrier_in_id_bounded_loop(it: NdItem<1>, y: &mut Tensor<f32>) {
    let lid = it.get_local_id(0);
    let group = it.get_group();
    for _ in 0..lid {
        group_barrier(&group);
    }
    y[it.get_global_id(0)] = 1.0;
}

fn main() {}
