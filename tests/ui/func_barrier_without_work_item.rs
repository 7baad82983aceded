use dpex::prelude::*;

/// Cannot name a work-group: it takes none.
#[dpex::func]
fn wait(x: f32) -> f32 {
    group_barrier(&x);
    x
}

#[kernel]
fn func_barrier_without_work_item(it: NdItem<1>, y: &mut Tensor<f32>) {
    y[it.get_global_id(0)] = wait(1.0);
}

fn main() {}
