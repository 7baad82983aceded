use dpex::prelude::*;

#[kernel]
fn unknown_label(item: Item<1>, y: &mut Tensor<i32>) {
    for i in 0..4 {
        if i == 2 {
            break 'outer;
        }
    }
    y[item.get_id(0)] = 1;
}

fn main() {}
