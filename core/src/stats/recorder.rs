use crate::model::Observer;
use alloc::vec::Vec;

/// An [`Observer`] that records one number per step, for example the energy per spin.
///
/// # Examples
/// ```
/// use entropic::model::Observer;
/// use entropic::stats::SeriesRecorder;
/// let mut rec = SeriesRecorder::new(|x: &f64| 2.0 * x);
/// rec.on_step(0, &1.5);
/// assert_eq!(rec.series(), &[3.0]);
/// ```
pub struct SeriesRecorder<F> {
    measure: F,
    series: Vec<f64>,
}

impl<F> SeriesRecorder<F> {
    /// A recorder that stores `measure(state)` after every step.
    pub fn new(measure: F) -> Self {
        Self {
            measure,
            series: Vec::new(),
        }
    }

    /// The recorded values, one per step.
    pub fn series(&self) -> &[f64] {
        &self.series
    }

    /// Consume the recorder and return the recorded values.
    pub fn into_series(self) -> Vec<f64> {
        self.series
    }
}

impl<F> core::fmt::Debug for SeriesRecorder<F> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SeriesRecorder")
            .field("len", &self.series.len())
            .finish()
    }
}

impl<S: ?Sized, F: FnMut(&S) -> f64> Observer<S> for SeriesRecorder<F> {
    fn on_step(&mut self, _step: usize, state: &S) {
        self.series.push((self.measure)(state));
    }
}
