use dpex::prelude::*;

#[kernel]
fn fill_ones(item: Item<1>, y: &mut Tensor<f32>) {
    y[item.get_id(0)] = 1.0;
}

fn main() -> dpex::Result<()> {
    let q = Queue::default()?;
    let mut y = Tensor::<f32>::zeros(&q, 64)?;
    fill_ones.launch(NdRange::new([64], [16]), (&mut y,))?;
    Ok(())
}
