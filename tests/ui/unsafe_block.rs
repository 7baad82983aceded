use dpex::prelude::*;

#[kernel]
fn uses_unsafe(item: Item<1>, y: &mut Tensor<f32>) {
    let i = item.get_id(0);
    unsafe {
        y[i] = 1.0;
    }
}

fn main() {}
