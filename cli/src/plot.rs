//! SVG plots with plotters: line charts (training curves, traces, thermodynamic curves with
//! error bars) and spin-lattice pictures.
use anyhow::{Result, anyhow};
use plotters::prelude::*;

/// One curve of a [`line_chart`]: points and optional symmetric error bars.
#[derive(Debug)]
pub struct Series<'a> {
    /// Legend label.
    pub name: &'a str,
    /// (x, y) points.
    pub points: Vec<(f64, f64)>,
    /// One error bar per point (same order), or empty for none.
    pub errors: Vec<f64>,
}

const PALETTE: [RGBColor; 5] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(255, 127, 14),
];

fn bounds(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let pad = if hi > lo {
        0.05 * (hi - lo)
    } else {
        0.5 * lo.abs().max(1e-3)
    };
    (lo - pad, hi + pad)
}

/// A line chart as an SVG document.
pub fn line_chart(
    title: &str,
    x_label: &str,
    y_label: &str,
    series: &[Series<'_>],
) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (800, 500)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| anyhow!("plot: {e}"))?;
        let xs = bounds(series.iter().flat_map(|s| s.points.iter().map(|p| p.0)));
        let ys = bounds(series.iter().flat_map(|s| {
            s.points.iter().enumerate().flat_map(move |(i, p)| {
                let e = s.errors.get(i).copied().unwrap_or(0.0);
                [p.1 - e, p.1 + e]
            })
        }));
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 22))
            .margin(15)
            .x_label_area_size(45)
            .y_label_area_size(70)
            .build_cartesian_2d(xs.0..xs.1, ys.0..ys.1)
            .map_err(|e| anyhow!("plot: {e}"))?;
        chart
            .configure_mesh()
            .x_desc(x_label)
            .y_desc(y_label)
            .draw()
            .map_err(|e| anyhow!("plot: {e}"))?;
        for (k, s) in series.iter().enumerate() {
            let color = PALETTE[k % PALETTE.len()];
            chart
                .draw_series(LineSeries::new(
                    s.points.iter().copied(),
                    color.stroke_width(2),
                ))
                .map_err(|e| anyhow!("plot: {e}"))?
                .label(s.name)
                .legend(move |(x, y)| {
                    PathElement::new([(x, y), (x + 20, y)], color.stroke_width(2))
                });
            if !s.errors.is_empty() {
                chart
                    .draw_series(s.points.iter().zip(&s.errors).map(|(&(x, y), &e)| {
                        ErrorBar::new_vertical(x, y - e, y, y + e, color.filled(), 6)
                    }))
                    .map_err(|e| anyhow!("plot: {e}"))?;
            }
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
            .map_err(|e| anyhow!("plot: {e}"))?;
        root.present().map_err(|e| anyhow!("plot: {e}"))?;
    }
    Ok(svg)
}

/// A spin configuration as an SVG picture: +1 dark, −1 light, one square per site.
pub fn spin_lattice(lx: usize, ly: usize, spins: &[i8]) -> Result<String> {
    let cell = (640 / lx.max(ly)).max(1) as i32;
    let (w, h) = (cell as u32 * lx as u32, cell as u32 * ly as u32);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        root.fill(&RGBColor(235, 235, 245))
            .map_err(|e| anyhow!("plot: {e}"))?;
        let up = RGBColor(30, 40, 90).filled();
        for (i, _) in spins.iter().enumerate().filter(|(_, s)| **s > 0) {
            let (x, y) = ((i % lx) as i32 * cell, (i / lx) as i32 * cell);
            root.draw(&Rectangle::new([(x, y), (x + cell, y + cell)], up))
                .map_err(|e| anyhow!("plot: {e}"))?;
        }
        root.present().map_err(|e| anyhow!("plot: {e}"))?;
    }
    Ok(svg)
}

/// An XY configuration as an SVG picture: the angle of each site as a hue.
pub fn angle_lattice(lx: usize, ly: usize, angles: &[f64]) -> Result<String> {
    let cell = (640 / lx.max(ly)).max(1) as i32;
    let (w, h) = (cell as u32 * lx as u32, cell as u32 * ly as u32);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        for (i, a) in angles.iter().enumerate() {
            let (x, y) = ((i % lx) as i32 * cell, (i / lx) as i32 * cell);
            let colour = HSLColor(a / std::f64::consts::TAU, 0.75, 0.5);
            root.draw(&Rectangle::new(
                [(x, y), (x + cell, y + cell)],
                colour.filled(),
            ))
            .map_err(|e| anyhow!("plot: {e}"))?;
        }
        root.present().map_err(|e| anyhow!("plot: {e}"))?;
    }
    Ok(svg)
}
