use dpex::prelude::*;

#[kernel]
fn uses_match(item: Item<1>, y: &mut Tensor<i32>) {
    let i = item.get_id(0);
    let v = match i {
        0 => 1,
        _ => 2,
    };
    y[i] = v;
}

fn main() {}
