use super::{MaxEntError, Observables};
use alloc::vec::Vec;

/// Rows below which a batch is not split: a thread's start-up costs about as much as
/// evaluating this many rows of the smallest networks the crate trains.
#[cfg(feature = "std")]
const MIN_ROWS_PER_THREAD: usize = 32;

/// Observables whose per-row batch methods ([`Observables::eval`], [`Observables::input_grad`])
/// run on several threads: the batch is cut into `threads` contiguous row ranges, range 0 is
/// computed by the wrapped observables and range c by a copy carrying the same parameters, and
/// the rows are put back in order.
///
/// The wrapped observables must compute each row's values from that row alone, bit for bit
/// whatever other rows share its batch (true of [`Network`](crate::nn::Network) and the crate's
/// other observables, tested); then every result is bit-identical for every thread count.
/// [`Observables::accumulate_grad`], a sum over rows, runs in one piece, so a Min-MaxEnt
/// training run is bit-identical with and without threads too. Without the `std` feature, or
/// for batches under 32 rows per thread, everything runs in one piece.
///
/// Serialises as the wrapped observables alone (a thread count is not part of a model), and
/// loads with one thread.
///
/// # Examples
/// ```
/// use entropic::maxent::{Observables, RowParallel};
/// use entropic::nn::{ActivationKind, Network};
/// let mut rng = entropic::rng::from_seed(1);
/// let net = Network::<f64>::mlp(&[3, 16, 4], ActivationKind::Tanh, &mut rng)?;
/// let x: Vec<f64> = (0..3 * 500).map(|i| (i as f64 * 0.37).sin()).collect();
/// let (mut one, mut two) = (Vec::new(), Vec::new());
/// net.clone().eval(&x, 500, &mut one)?;
/// RowParallel::new(net, 2).eval(&x, 500, &mut two)?;
/// assert_eq!(one, two);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct RowParallel<O> {
    inner: O,
    threads: usize,
    /// Copies for threads 1, 2, …, made on first use.
    #[cfg(feature = "std")]
    replicas: Vec<O>,
}

/// Equal when the wrapped observables are: the thread count and the copies are not part of the
/// model (as in its saved form).
impl<O: PartialEq> PartialEq for RowParallel<O> {
    fn eq(&self, other: &Self) -> bool {
        self.inner == other.inner
    }
}

impl<O> RowParallel<O> {
    /// `inner` evaluated on `threads` threads (0 is taken as 1).
    pub fn new(inner: O, threads: usize) -> Self {
        Self {
            inner,
            threads: threads.max(1),
            #[cfg(feature = "std")]
            replicas: Vec::new(),
        }
    }

    /// The wrapped observables.
    pub fn inner(&self) -> &O {
        &self.inner
    }

    /// The wrapped observables, mutably.
    pub fn inner_mut(&mut self) -> &mut O {
        &mut self.inner
    }

    /// The wrapped observables, unwrapped.
    pub fn into_inner(self) -> O {
        self.inner
    }

    /// Threads a batch is split over.
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// Split batches over `threads` threads (0 is taken as 1); results do not change.
    pub fn set_threads(&mut self, threads: usize) {
        self.threads = threads.max(1);
    }
}

impl<O: Observables + Clone + Send> RowParallel<O> {
    /// Run `f(observables, rows, weights, out)` on the batch: in one piece, or (with `std`) on
    /// every row range of [`Self::ranges`] with the outputs concatenated in order. Rows are
    /// `x_width` values of `x` each and, when `w_width` > 0, `w_width` values of `w`.
    fn split(
        &mut self,
        (x, x_width): (&[f64], usize),
        (w, w_width): (&[f64], usize),
        batch: usize,
        out: &mut Vec<f64>,
        f: impl Fn(&mut O, &[f64], usize, &[f64], &mut Vec<f64>) -> Result<(), MaxEntError> + Sync,
    ) -> Result<(), MaxEntError> {
        #[cfg(feature = "std")]
        {
            let ranges = self.ranges(batch);
            if ranges.len() > 1 {
                super::check_batch(x, batch, x_width, (w_width > 0).then_some((w, w_width)))?;
                return self.threaded(&ranges, (x, x_width), (w, w_width), out, f);
            }
        }
        let _ = (x_width, w_width);
        f(&mut self.inner, x, batch, w, out)
    }

    /// Row ranges for a batch of `batch` rows: one piece unless every thread gets
    /// [`MIN_ROWS_PER_THREAD`] rows.
    #[cfg(feature = "std")]
    fn ranges(&self, batch: usize) -> Vec<core::ops::Range<usize>> {
        crate::rows_on_threads::ranges(batch, self.threads.min(batch / MIN_ROWS_PER_THREAD))
    }

    /// Range 0 on the wrapped observables, range c on replica c − 1 (its parameters copied from
    /// the wrapped ones first), each on its own thread.
    #[cfg(feature = "std")]
    fn threaded(
        &mut self,
        ranges: &[core::ops::Range<usize>],
        (x, x_width): (&[f64], usize),
        (w, w_width): (&[f64], usize),
        out: &mut Vec<f64>,
        f: impl Fn(&mut O, &[f64], usize, &[f64], &mut Vec<f64>) -> Result<(), MaxEntError> + Sync,
    ) -> Result<(), MaxEntError> {
        self.replicas.truncate(ranges.len() - 1);
        while self.replicas.len() < ranges.len() - 1 {
            self.replicas.push(self.inner.clone());
        }
        for replica in &mut self.replicas {
            crate::nn::copy_parameters(replica.params_and_grads(), self.inner.params_and_grads());
        }
        let mut workers: Vec<&mut O> = core::iter::once(&mut self.inner)
            .chain(self.replicas.iter_mut())
            .collect();
        *out = crate::rows_on_threads::concatenated(&mut workers, ranges, |o, r| {
            let weights = if w_width > 0 {
                &w[r.start * w_width..r.end * w_width]
            } else {
                w
            };
            let mut piece = Vec::new();
            f(
                o,
                &x[r.start * x_width..r.end * x_width],
                r.len(),
                weights,
                &mut piece,
            )?;
            Ok(piece)
        })?;
        Ok(())
    }
}

impl<O: Observables + Clone + Send> Observables for RowParallel<O> {
    fn dim(&self) -> usize {
        self.inner.dim()
    }

    fn count(&self) -> usize {
        self.inner.count()
    }

    fn eval(&mut self, x: &[f64], batch: usize, out: &mut Vec<f64>) -> Result<(), MaxEntError> {
        let d = self.inner.dim();
        self.split((x, d), (&[], 0), batch, out, |o, x, n, _, out| {
            o.eval(x, n, out)
        })
    }

    fn accumulate_grad(&mut self, x: &[f64], batch: usize, w: &[f64]) -> Result<(), MaxEntError> {
        self.inner.accumulate_grad(x, batch, w)
    }

    fn input_grad(
        &mut self,
        x: &[f64],
        batch: usize,
        w: &[f64],
        out: &mut Vec<f64>,
    ) -> Result<(), MaxEntError> {
        let (d, m) = (self.inner.dim(), self.inner.count());
        self.split((x, d), (w, m), batch, out, |o, x, n, w, out| {
            o.input_grad(x, n, w, out)
        })
    }

    /// Each thread's rows as [f, grad] pieces (m + d values a row), then taken apart.
    fn eval_and_input_grad(
        &mut self,
        x: &[f64],
        batch: usize,
        w: &[f64],
        (f, grad): (&mut Vec<f64>, &mut Vec<f64>),
    ) -> Result<(), MaxEntError> {
        let (d, m) = (self.inner.dim(), self.inner.count());
        let mut rows = Vec::new();
        self.split((x, d), (w, m), batch, &mut rows, |o, x, n, w, out| {
            let (mut f, mut g) = (Vec::new(), Vec::new());
            o.eval_and_input_grad(x, n, w, (&mut f, &mut g))?;
            out.clear();
            for (fr, gr) in f.chunks_exact(m).zip(g.chunks_exact(d)) {
                out.extend_from_slice(fr);
                out.extend_from_slice(gr);
            }
            Ok(())
        })?;
        f.clear();
        grad.clear();
        for row in rows.chunks_exact(m + d) {
            f.extend_from_slice(&row[..m]);
            grad.extend_from_slice(&row[m..]);
        }
        Ok(())
    }

    fn zero_grad(&mut self) {
        self.inner.zero_grad();
    }

    fn params_and_grads(&mut self) -> Vec<(&mut [f64], &mut [f64])> {
        self.inner.params_and_grads()
    }

    fn check(&self) -> Result<(), MaxEntError> {
        self.inner.check()
    }
}

#[cfg(feature = "serde")]
impl<O: serde::Serialize> serde::Serialize for RowParallel<O> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.inner.serialize(serializer)
    }
}

#[cfg(feature = "serde")]
impl<'de, O: serde::Deserialize<'de>> serde::Deserialize<'de> for RowParallel<O> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        O::deserialize(deserializer).map(|inner| Self::new(inner, 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::maxent::digits::digits_observables;
    use crate::maxent::{MaxEnt, Moments, RotatedVariances, TrainParams, Trainer, Walkers};
    use crate::nn::{ActivationKind, Network};
    use crate::rng::{from_seed, uniform_f64};
    use alloc::vec;
    use proptest::prelude::*;

    fn both<O: Observables + Clone + Send>(obs: &O, x: &[f64], batch: usize, threads: usize) {
        let (m, d) = (obs.count(), obs.dim());
        let w: Vec<f64> = (0..batch * m).map(|i| libm::sin(i as f64)).collect();
        let (mut f, mut b) = (Vec::new(), Vec::new());
        obs.clone().eval(x, batch, &mut f).unwrap();
        let mut par = RowParallel::new(obs.clone(), threads);
        par.eval(x, batch, &mut b).unwrap();
        assert_eq!(f, b);
        let mut g = Vec::new();
        obs.clone().input_grad(x, batch, &w, &mut g).unwrap();
        par.input_grad(x, batch, &w, &mut b).unwrap();
        assert_eq!(g, b);
        assert_eq!(b.len(), batch * d);
        // Both at once: the bits of the two calls, in one piece and on threads.
        for combined in [&mut obs.clone() as &mut dyn Observables, &mut par] {
            let (mut f2, mut g2) = (Vec::new(), Vec::new());
            combined
                .eval_and_input_grad(x, batch, &w, (&mut f2, &mut g2))
                .unwrap();
            assert_eq!((&f2, &g2), (&f, &g));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        /// Every thread count gives the bits of one piece, for an MLP, the digits CNN and the
        /// parameter-free observables, at batch sizes around the split thresholds.
        #[test]
        fn every_thread_count_gives_the_same_bits(
            batch in 1usize..200, threads in 1usize..5, seed in 0u64..1000
        ) {
            let mut rng = from_seed(seed);
            let mlp = Network::<f64>::mlp(&[5, 12, 3], ActivationKind::Tanh, &mut rng).unwrap();
            let x: Vec<f64> = (0..batch * 5).map(|_| uniform_f64(&mut rng)).collect();
            both(&mlp, &x, batch, threads);
            both(&Moments::new(5, 2).unwrap(), &x, batch, threads);
            let cnn = digits_observables((2, 3), 4, &mut rng).unwrap();
            let x: Vec<f64> = (0..batch * 64).map(|_| uniform_f64(&mut rng)).collect();
            both(&cnn, &x, batch, threads);
            let rot = RotatedVariances::new(2, &[0.4]);
            let x: Vec<f64> = (0..batch * 2).map(|_| uniform_f64(&mut rng)).collect();
            both(&rot, &x, batch, threads);
        }
    }

    /// A Min-MaxEnt run on 2 threads equals the run on one, bit for bit, and its checkpoint is
    /// the unwrapped run's.
    #[test]
    fn training_on_threads_is_bit_identical() {
        let mut rng = from_seed(3);
        let data: Vec<f64> = (0..2 * 300).map(|_| uniform_f64(&mut rng)).collect();
        let net = Network::<f64>::mlp(&[2, 8, 3], ActivationKind::Tanh, &mut rng).unwrap();
        let params = TrainParams {
            iterations: 12,
            warmup: 2,
            ..TrainParams::default()
        };
        let walkers = Walkers::new(2, data[..2 * 128].to_vec(), 0.5, None).unwrap();
        let mut plain = Trainer::new(
            MaxEnt::new(net.clone(), vec![0.0; 3]).unwrap(),
            walkers.clone(),
            &data,
            params,
            9,
        )
        .unwrap();
        let mut threaded = Trainer::new(
            MaxEnt::new(RowParallel::new(net, 2), vec![0.0; 3]).unwrap(),
            walkers,
            &data,
            params,
            9,
        )
        .unwrap();
        while !plain.is_done() {
            assert_eq!(plain.step(&data).unwrap(), threaded.step(&data).unwrap());
        }
        assert_eq!(plain.walkers(), threaded.walkers());
        assert_eq!(
            plain.model().observables(),
            threaded.model().observables().inner()
        );
        let one_thread = RowParallel::new(threaded.model().observables().inner().clone(), 1);
        assert_eq!(&one_thread, threaded.model().observables());
        #[cfg(feature = "serde")]
        {
            let saved = threaded.to_json().unwrap();
            assert_eq!(plain.to_json().unwrap(), saved);
            let loaded = Trainer::<RowParallel<Network<f64>>>::from_json(&saved).unwrap();
            assert_eq!(loaded.model().observables().threads(), 1);
        }
    }

    /// A batch that does not fit is the wrapped observables' typed error, split or not.
    #[test]
    fn mismatched_batches_are_errors() {
        let net = Network::<f64>::mlp(&[2, 4, 3], ActivationKind::Tanh, &mut from_seed(1)).unwrap();
        let mut par = RowParallel::new(net, 2);
        let mut out = Vec::new();
        assert!(par.eval(&[0.0; 2 * 100 + 1], 100, &mut out).is_err());
        assert!(
            par.input_grad(&[0.0; 200], 100, &[0.0; 5], &mut out)
                .is_err()
        );
        let mut grad = Vec::new();
        assert!(
            par.eval_and_input_grad(&[0.0; 200], 100, &[0.0; 5], (&mut out, &mut grad))
                .is_err()
        );
    }
}
