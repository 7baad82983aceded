use dpex::prelude::*;

mod odd {
    #[dpex::func]
    pub fn write_value(x: i64) -> i64 {
        x | 1
    }
}

mod even {
    #[dpex::func]
    pub fn write_value(x: i64) -> i64 {
        x & !1
    }
}

use even::*;
use odd::*;

#[kernel]
fn func_ambiguous_glob(item: Item<1>, y: &mut Tensor<i64>) {
    let i = item.get_id(0);
    y[i] = write_value(y[i]);
}

fn main() {}
