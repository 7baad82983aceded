use dpex::prelude::*;

/// Waits for the work-group.
#[dpex::func]
fn wait(g: &Group<1>) {
    group_barrier(g);
}

#[kernel]
fn func_barrier_under_id_condition(it: NdItem<1>, y: &mut Tensor<f32>) {
    let g = it.get_group();
    if it.get_local_id(0) == 0 {
        wait(&g);
    }
    y[it.get_global_id(0)] = 1.0;
}

fn main() {}
