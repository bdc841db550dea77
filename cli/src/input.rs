//! Reading user data: `.npy` arrays (any float or integer dtype) as an n × d matrix of f64.
use anyhow::{Context, Result, bail};
use entropic::experiment::{ExperimentError, Hamiltonian, dataset_hamiltonian};
use std::io::Cursor;
use std::path::Path;

/// An n × d matrix read from a file, row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix {
    /// Rows n (the first axis).
    pub rows: usize,
    /// Columns d (the product of the other axes).
    pub cols: usize,
    /// Values, row-major.
    pub data: Vec<f64>,
    /// The array's shape as stored.
    pub shape: Vec<u64>,
}

impl Matrix {
    /// For an array of at least 3 axes (e.g. temperatures × samples × L × L from `lattice
    /// sample`): slice `k` of the first axis as a matrix of `shape[1]` rows.
    ///
    /// # Errors
    /// Fewer than 3 axes, or `k` out of range.
    pub fn select_first_axis(&self, k: usize) -> Result<Matrix> {
        if self.shape.len() < 3 {
            bail!(
                "selecting a slice needs an array of at least 3 axes (shape {:?})",
                self.shape
            );
        }
        if k >= self.rows {
            bail!(
                "slice {k} requested but the first axis has {} entries",
                self.rows
            );
        }
        let rows = self.shape[1] as usize;
        let cols = self.cols / rows;
        Ok(Matrix {
            rows,
            cols,
            data: self.data[k * self.cols..(k + 1) * self.cols].to_vec(),
            shape: self.shape[1..].to_vec(),
        })
    }
}

/// Parse `.npy` bytes holding an array of at least one axis; axes after the first are flattened
/// (so n samples of L×L spins give d = L²). Accepts f64, f32 and signed/unsigned 8–64-bit
/// integers in either byte order, stored in C or Fortran (column-major) order; Fortran arrays are
/// reordered to C order. Every value must be finite.
///
/// # Errors
/// A readable message for anything else: not .npy, pickled objects, another dtype, a header that
/// promises more data than the file holds, an empty array, NaN or ∞.
pub fn read_npy_matrix(bytes: &[u8]) -> Result<Matrix> {
    let file = npyz::NpyFile::new(Cursor::new(bytes))
        .map_err(|e| anyhow::anyhow!("not a readable .npy file ({e})"))?;
    let shape: Vec<u64> = file.shape().to_vec();
    if shape.is_empty() || shape.contains(&0) {
        bail!("the array must have at least one sample and one value per sample (shape {shape:?})");
    }
    let total = shape.iter().try_fold(1u64, |a, &s| a.checked_mul(s));
    let Some(total) = total.filter(|&t| t <= bytes.len() as u64) else {
        bail!("the .npy header promises more values than the file holds (shape {shape:?})");
    };
    let fortran = file.order() == npyz::Order::Fortran;
    let data = read_values(file)?;
    if data.len() as u64 != total {
        bail!(
            "the .npy file holds {} values, its shape says {total}",
            data.len()
        );
    }
    if let Some(i) = data.iter().position(|v| !v.is_finite()) {
        bail!("value {i} of the array is NaN or infinite");
    }
    let data = if fortran {
        fortran_to_c(&data, &shape)
    } else {
        data
    };
    let rows = shape[0] as usize;
    Ok(Matrix {
        rows,
        cols: data.len() / rows,
        data,
        shape,
    })
}

/// The Hamiltonian stated by the metadata.json in `dir`
/// ([`entropic::experiment::dataset_hamiltonian`]); `None` without the file.
///
/// # Errors
/// A metadata.json that cannot be read or does not state a finite coupling and field.
pub fn hamiltonian_in(dir: &Path) -> Result<Option<Hamiltonian>> {
    let path = dir.join("metadata.json");
    if !path.exists() {
        return Ok(None);
    }
    let bytes = std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
    dataset_hamiltonian(&bytes)
        .map(Some)
        .map_err(|e| in_file(&path, e))
}

/// A core reader's error about the contents of the file at `path`: its reason after the file's
/// name ("data/thermo.json is not the thermo.json of …"); any other error as it is.
pub fn in_file(path: &Path, e: ExperimentError) -> anyhow::Error {
    match e {
        ExperimentError::Config { reason, .. } => anyhow::anyhow!("{} {reason}", path.display()),
        other => other.into(),
    }
}

/// Reorder a column-major (Fortran) array of `shape` to row-major (C) order.
fn fortran_to_c(data: &[f64], shape: &[u64]) -> Vec<f64> {
    let shape: Vec<usize> = shape.iter().map(|&s| s as usize).collect();
    // Fortran strides: the first axis is contiguous.
    let mut strides = vec![1usize; shape.len()];
    for k in 1..shape.len() {
        strides[k] = strides[k - 1] * shape[k - 1];
    }
    let mut index = vec![0usize; shape.len()];
    let mut out = Vec::with_capacity(data.len());
    for _ in 0..data.len() {
        out.push(
            data[index
                .iter()
                .zip(&strides)
                .map(|(i, s)| i * s)
                .sum::<usize>()],
        );
        // Advance the C-order multi-index (last axis fastest).
        for k in (0..shape.len()).rev() {
            index[k] += 1;
            if index[k] < shape[k] {
                break;
            }
            index[k] = 0;
        }
    }
    out
}

fn read_values(file: npyz::NpyFile<Cursor<&[u8]>>) -> Result<Vec<f64>> {
    macro_rules! attempt {
        ($file:expr, $t:ty $(, $rest:ty)*) => {
            match $file.try_data::<$t>() {
                Ok(reader) => reader
                    .map(|v| v.map(|v| v as f64))
                    .collect::<std::io::Result<Vec<f64>>>()
                    .map_err(|e| anyhow::anyhow!("cannot read the .npy data ({e})")),
                Err(file) => attempt!(file $(, $rest)*),
            }
        };
        ($file:expr) => {
            bail!("unsupported .npy dtype {:?} (use float or integer arrays)", $file.dtype())
        };
    }
    attempt!(file, f64, f32, i8, i16, i32, i64, u8, u16, u32, u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn npy<T: npyz::AutoSerialize + Copy>(shape: &[u64], data: &[T]) -> Vec<u8> {
        npy_in(npyz::Order::C, shape, data)
    }

    fn npy_in<T: npyz::AutoSerialize + Copy>(
        order: npyz::Order,
        shape: &[u64],
        data: &[T],
    ) -> Vec<u8> {
        use npyz::WriterBuilder;
        let mut bytes = Vec::new();
        let mut w = npyz::WriteOptions::new()
            .default_dtype()
            .shape(shape)
            .order(order)
            .writer(&mut bytes)
            .begin_nd()
            .unwrap();
        w.extend(data.iter().copied()).unwrap();
        w.finish().unwrap();
        bytes
    }

    #[test]
    fn reads_floats_and_integers_and_flattens_trailing_axes() {
        let m = read_npy_matrix(&npy(&[2, 2, 2], &[1i8, -1, 1, 1, -1, -1, 1, -1])).unwrap();
        assert_eq!((m.rows, m.cols), (2, 4));
        assert_eq!(m.data[..4], [1.0, -1.0, 1.0, 1.0]);
        let s = m.select_first_axis(1).unwrap();
        assert_eq!(
            (s.rows, s.cols, s.data),
            (2, 2, vec![-1.0, -1.0, 1.0, -1.0])
        );
        assert!(m.select_first_axis(2).is_err());
        let m = read_npy_matrix(&npy(&[3], &[0.5f32, 1.5, 2.5])).unwrap();
        assert_eq!((m.rows, m.cols, &m.data[..]), (3, 1, &[0.5, 1.5, 2.5][..]));
        assert!(m.select_first_axis(0).is_err());
        assert!(read_npy_matrix(&npy(&[2], &[1.0f64, f64::NAN])).is_err());
        assert!(read_npy_matrix(b"not npy").is_err());
        let full = npy(&[4], &[1.0f64, 2.0, 3.0, 4.0]);
        assert!(read_npy_matrix(&full[..full.len() - 8]).is_err());
    }

    #[test]
    fn fortran_order_is_read_as_the_same_array() {
        // The 2×3×2 array a[i][j][k] = 100i + 10j + k, stored both ways.
        let shape = [2u64, 3, 2];
        let (mut c, mut f) = (Vec::new(), vec![0.0f64; 12]);
        for i in 0..2 {
            for j in 0..3 {
                for k in 0..2 {
                    let v = (100 * i + 10 * j + k) as f64;
                    c.push(v);
                    f[i + 2 * j + 6 * k] = v; // column-major: first index fastest
                }
            }
        }
        let from_c = read_npy_matrix(&npy(&shape, &c)).unwrap();
        let from_f = read_npy_matrix(&npy_in(npyz::Order::Fortran, &shape, &f)).unwrap();
        assert_eq!(from_f, from_c);
        assert_eq!(from_c.data[..4], [0.0, 1.0, 10.0, 11.0]);
    }
}
