use dpex::prelude::*;

#[kernel]
fn nested_function_recursion(item: Item<1>, y: &mut Tensor<u64>) {
    fn fact(n: u64) -> u64 {
        if n == 0 { 1 } else { n * fact(n - 1) }
    }
    y[item.get_id(0)] = fact(5);
}

fn main() {}
