use dpex::prelude::*;

#[dpex::func]
fn fill(tmp: &LocalAccessor<f32, 2>, v: f32) {
    let _ = (tmp, v);
}

fn main() {}
