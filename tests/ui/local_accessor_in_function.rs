use dpex::prelude::*;

#[dpex::func]
fn first(tmp: LocalAccessor<f32>) -> f32 {
    tmp[0]
}

#[kernel]
fn passes_other_things(
    it: NdItem<1>,
    x: &Tensor<f32>,
    out: &mut Tensor<f32>,
    tmp: LocalAccessor<f32>,
    counts: LocalAccessor<i32>,
    tiles: LocalAccessor<f32, 2>,
) {
    let i = it.get_global_id(0);
    out[i] = first(&tmp);
    out[i] = first(x);
    out[i] = first(counts);
    out[i] = first(tiles);
}

fn main() {}
