use dpex::prelude::*;

#[dpex::func]
fn ping(n: u32) -> u32 {
    if n == 0 { 0 } else { pong(n - 1) }
}

#[dpex::func]
fn pong(n: u32) -> u32 {
    if n == 0 { 1 } else { ping(n - 1) }
}

#[kernel]
fn func_recursion(item: Item<1>, y: &mut Tensor<u32>) {
    y[item.get_id(0)] = ping(7);
}

fn main() {}
