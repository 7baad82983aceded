use dpex::prelude::*;

#[kernel]
fn barrier_after_divergent_return(it: NdItem<1>, y: &mut Tensor<f32>) {
    let gid = it.get_global_id(0);
    if gid >= y.len() {
        return;
    }
    group_barrier(&it.get_group());
    y[gid] = 1.0;
}

fn main() {}
