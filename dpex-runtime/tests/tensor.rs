//! Tensor round trips through device memory on the real OpenCL CPU device.

mod common;

use dpex_runtime::{Element, Error, Tensor};
use rand::distr::{Distribution, StandardUniform};
use rand::{rngs::StdRng, Rng, SeedableRng};

fn random_nonzero<T: Element + PartialEq>(rng: &mut StdRng, n: usize) -> Vec<T>
where
    StandardUniform: Distribution<T>,
{
    (0..n)
        .map(|_| loop {
            let v: T = rng.random();
            if v != T::default() {
                break v;
            }
        })
        .collect()
}

fn round_trip<T: Element + PartialEq + std::fmt::Debug>(rng: &mut StdRng, n: usize)
where
    StandardUniform: Distribution<T>,
{
    let queue = common::cpu_queue();
    let host: Vec<T> = random_nonzero(rng, n);
    let t = Tensor::from_slice(&queue, &host).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(t.len(), n);
    assert!(t.queue().same_queue(&queue));
    let back = t.to_vec().unwrap_or_else(|e| panic!("{e}"));
    assert!(back == host, "{} round trip of {n} differs", T::DTYPE);

    let mut t = Tensor::<T>::zeros(&queue, n).unwrap_or_else(|e| panic!("{e}"));
    assert!(t
        .to_vec()
        .unwrap_or_else(|e| panic!("{e}"))
        .iter()
        .all(|v| *v == T::default()));
    t.copy_from_host(&host).unwrap_or_else(|e| panic!("{e}"));
    assert!(t.to_vec().unwrap_or_else(|e| panic!("{e}")) == host);

    let value = host[n / 2];
    let full = Tensor::full(&queue, n, value).unwrap_or_else(|e| panic!("{e}"));
    assert!(full
        .to_vec()
        .unwrap_or_else(|e| panic!("{e}"))
        .iter()
        .all(|v| *v == value));
}

#[test]
fn round_trips_of_every_width() {
    let mut rng = StdRng::seed_from_u64(7);
    for n in [1usize, 3, 1000, 1_000_003] {
        round_trip::<f32>(&mut rng, n);
        round_trip::<f64>(&mut rng, n);
        round_trip::<i32>(&mut rng, n);
        round_trip::<u8>(&mut rng, n);
    }
    round_trip::<i8>(&mut rng, 4097);
    round_trip::<i16>(&mut rng, 4097);
    round_trip::<u16>(&mut rng, 4097);
    round_trip::<u32>(&mut rng, 4097);
    round_trip::<i64>(&mut rng, 4097);
    round_trip::<u64>(&mut rng, 4097);
}

#[test]
fn copy_from_host_checks_the_length() {
    let queue = common::cpu_queue();
    let mut t = Tensor::<f32>::zeros(&queue, 10).unwrap_or_else(|e| panic!("{e}"));
    let err = t.copy_from_host(&[1.0; 11]).expect_err("11 into 10");
    assert!(
        matches!(
            err,
            Error::SizeMismatch {
                expected: 10,
                got: 11
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("11") && err.to_string().contains("10"),
        "{err}"
    );
    let mut out = vec![0.0f32; 9];
    let err = t.copy_to_host(&mut out).expect_err("10 into 9");
    assert!(
        matches!(
            err,
            Error::SizeMismatch {
                expected: 10,
                got: 9
            }
        ),
        "{err:?}"
    );
}

#[test]
fn empty_tensors_work_without_a_buffer() {
    let queue = common::cpu_queue();
    let mut t = Tensor::<f64>::from_slice(&queue, &[]).unwrap_or_else(|e| panic!("{e}"));
    assert!(t.is_empty());
    assert_eq!(
        t.to_vec().unwrap_or_else(|e| panic!("{e}")),
        Vec::<f64>::new()
    );
    t.copy_from_host(&[]).unwrap_or_else(|e| panic!("{e}"));
    let z = Tensor::<u8>::zeros(&queue, 0).unwrap_or_else(|e| panic!("{e}"));
    assert!(z.is_empty());
}

#[test]
fn absurd_lengths_are_errors_not_panics() {
    let queue = common::cpu_queue();
    let err = Tensor::<f64>::zeros(&queue, usize::MAX / 4).expect_err("overflow");
    assert!(matches!(err, Error::LengthOverflow { .. }), "{err:?}");
    // Fits usize but not the device: refused before the driver is called, naming the limit.
    let err = Tensor::<u8>::zeros(&queue, 1 << 60).expect_err("too big");
    assert!(
        matches!(
            &err,
            Error::AllocationTooLarge {
                bytes,
                limit_name: "CL_DEVICE_MAX_MEM_ALLOC_SIZE",
                ..
            } if *bytes == 1 << 60
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("at most"), "{err}");
}

#[test]
fn usize_and_isize_tensors_round_trip() {
    let queue = common::cpu_queue();
    let host: Vec<usize> = (0..777).map(|i| i * 0x1_0000_0001 + 3).collect();
    let t = Tensor::from_slice(&queue, &host).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(t.to_vec().unwrap_or_else(|e| panic!("{e}")), host);
    let host: Vec<isize> = (0..777)
        .map(|i| -(i as isize) * 0x1_0000_0001 - 3)
        .collect();
    let t = Tensor::from_slice(&queue, &host).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(t.to_vec().unwrap_or_else(|e| panic!("{e}")), host);
}
