use dpex::prelude::*;

#[kernel]
fn loops_on_option(item: Item<1>, y: &mut Tensor<i32>) {
    let mut n = 3;
    while let Some(k) = Some(n) {
        n = k - 1;
    }
    y[item.get_id(0)] = n;
}

fn main() {}
