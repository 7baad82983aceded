use dpex::prelude::*;

/// Waits for the work-group: only ND-range kernels have one.
#[dpex::func]
fn wait(it: &NdItem<1>) {
    group_barrier(&it.get_group());
}

#[kernel]
fn func_barrier_in_range_kernel(item: Item<1>, y: &mut Tensor<f32>) {
    y[item.get_id(0)] = 1.0;
    wait(&item);
}

fn main() {}
