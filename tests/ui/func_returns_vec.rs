#[dpex::func]
fn make(n: usize) -> Vec<f32> {
    vec![0.0; n]
}

fn main() {}
