use dpex::prelude::*;

/// Only the kernel knows the launch's sizes.
#[dpex::func]
fn last(it: &NdItem<1>) -> usize {
    it.get_global_range(0) - 1
}

#[kernel]
fn func_reads_launch_size(it: NdItem<1>, y: &mut Tensor<usize>) {
    y[it.get_global_id(0)] = last(&it);
}

fn main() {}
