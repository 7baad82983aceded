use dpex::prelude::*;

#[kernel]
fn scale(item: Item<1>, a: f32, y: &mut Tensor<f32>) {
    let i = item.get_id(0);
    y[i] = a * y[i];
}

fn main() -> dpex::Result<()> {
    let q = Queue::default()?;
    let mut y = Tensor::<f64>::zeros(&q, 4)?;
    scale.launch(Range::new([4]), (2.0, &mut y))?;
    Ok(())
}
