use dpex::prelude::*;

#[dpex::func]
fn fill(tmp: LocalAccessor<f32>, i: usize) -> f32 {
    tmp[i]
}

fn main() {}
