use dpex::prelude::*;

#[kernel]
fn generic_bound<T: Copy>(item: Item<1>, y: &mut Tensor<T>) {
    let _i = item.get_id(0);
}

fn main() {}
