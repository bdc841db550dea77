//! SVG plots (feature `plot`): line charts (training curves, traces, thermodynamic curves with
//! error bars), scatter plots, heat maps and spin-lattice and image grids, each returned as an SVG
//! document in a `String` — what the CLI writes next to its CSV/JSON and any other front end can
//! write too. Drawn with [plotters](https://docs.rs/plotters) (SVG backend only: no fonts or
//! system libraries needed), which does the layout, axes and legends we would otherwise write.
//!
//! # Examples
//! ```
//! use entropic::plot::{Series, line_chart};
//! let svg = line_chart("parabola", "x", "x²", &[Series {
//!     name: "x²",
//!     points: (0..5).map(|i| (i as f64, (i * i) as f64)).collect(),
//!     errors: Vec::new(),
//! }])?;
//! assert!(svg.starts_with("<svg") && svg.contains("parabola"));
//! # Ok::<(), entropic::plot::PlotError>(())
//! ```
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use plotters::prelude::*;

/// Drawing failed (plotters' backend error, as text).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlotError(pub String);

impl core::fmt::Display for PlotError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "plot: {}", self.0)
    }
}

impl std::error::Error for PlotError {}

/// What every drawing function returns.
pub type Result<T> = core::result::Result<T, PlotError>;

fn failed<E: core::fmt::Display>(e: E) -> PlotError {
    PlotError(e.to_string())
}

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
        root.fill(&WHITE).map_err(failed)?;
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
            .map_err(failed)?;
        chart
            .configure_mesh()
            .x_desc(x_label)
            .y_desc(y_label)
            .draw()
            .map_err(failed)?;
        for (k, s) in series.iter().enumerate() {
            let color = PALETTE[k % PALETTE.len()];
            chart
                .draw_series(LineSeries::new(
                    s.points.iter().copied(),
                    color.stroke_width(2),
                ))
                .map_err(failed)?
                .label(s.name)
                .legend(move |(x, y)| {
                    PathElement::new([(x, y), (x + 20, y)], color.stroke_width(2))
                });
            if !s.errors.is_empty() {
                chart
                    .draw_series(s.points.iter().zip(&s.errors).map(|(&(x, y), &e)| {
                        ErrorBar::new_vertical(x, y - e, y, y + e, color.filled(), 6)
                    }))
                    .map_err(failed)?;
            }
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
            .map_err(failed)?;
        root.present().map_err(failed)?;
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
        root.fill(&RGBColor(235, 235, 245)).map_err(failed)?;
        let up = RGBColor(30, 40, 90).filled();
        for (i, _) in spins.iter().enumerate().filter(|(_, s)| **s > 0) {
            let (x, y) = ((i % lx) as i32 * cell, (i / lx) as i32 * cell);
            root.draw(&Rectangle::new([(x, y), (x + cell, y + cell)], up))
                .map_err(failed)?;
        }
        root.present().map_err(failed)?;
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
            let colour = HSLColor(a / core::f64::consts::TAU, 0.75, 0.5);
            root.draw(&Rectangle::new(
                [(x, y), (x + cell, y + cell)],
                colour.filled(),
            ))
            .map_err(failed)?;
        }
        root.present().map_err(failed)?;
    }
    Ok(svg)
}

/// A colour for t ∈ [0, 1] on a blue → yellow → red ramp (for curves coloured by a value).
fn ramp(t: f64) -> RGBColor {
    let t = t.clamp(0.0, 1.0);
    let lerp = |a: u8, b: u8, s: f64| (f64::from(a) + (f64::from(b) - f64::from(a)) * s) as u8;
    if t < 0.5 {
        let s = 2.0 * t;
        RGBColor(lerp(40, 230, s), lerp(60, 190, s), lerp(200, 40, s))
    } else {
        let s = 2.0 * t - 1.0;
        RGBColor(lerp(230, 200, s), lerp(190, 30, s), lerp(40, 30, s))
    }
}

/// Many curves, each coloured by a value in [0, 1] (blue low, red high); `legend` says what the
/// colour means.
pub fn colored_lines(
    title: &str,
    x_label: &str,
    y_label: &str,
    legend: &str,
    curves: &[(Vec<(f64, f64)>, f64)],
) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (800, 500)).into_drawing_area();
        root.fill(&WHITE).map_err(failed)?;
        let xs = bounds(curves.iter().flat_map(|c| c.0.iter().map(|p| p.0)));
        let ys = bounds(curves.iter().flat_map(|c| c.0.iter().map(|p| p.1)));
        let mut chart = ChartBuilder::on(&root)
            .caption(format!("{title} (colour: {legend})"), ("sans-serif", 20))
            .margin(15)
            .x_label_area_size(45)
            .y_label_area_size(70)
            .build_cartesian_2d(xs.0..xs.1, ys.0..ys.1)
            .map_err(failed)?;
        chart
            .configure_mesh()
            .x_desc(x_label)
            .y_desc(y_label)
            .draw()
            .map_err(failed)?;
        for (points, t) in curves {
            let points = points.iter().copied().filter(|p| p.1.is_finite());
            chart
                .draw_series(LineSeries::new(points, ramp(*t).stroke_width(1)))
                .map_err(failed)?;
        }
        root.present().map_err(failed)?;
    }
    Ok(svg)
}

/// A scatter plot with a logarithmic x axis (points with x ≤ 0 or non-finite y are left out and
/// counted in the caption), optionally with a horizontal reference line.
pub fn log_x_scatter(
    title: &str,
    x_label: &str,
    y_label: &str,
    groups: &[Series<'_>],
    reference: Option<(f64, &str)>,
) -> Result<String> {
    let shown = |p: &&(f64, f64)| p.0 > 0.0 && p.0.is_finite() && p.1.is_finite();
    let hidden: usize = groups
        .iter()
        .map(|g| g.points.iter().filter(|p| !shown(p)).count())
        .sum();
    let caption = if hidden > 0 {
        format!("{title} ({hidden} points off scale)")
    } else {
        title.to_string()
    };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (800, 500)).into_drawing_area();
        root.fill(&WHITE).map_err(failed)?;
        let xs: Vec<f64> = groups
            .iter()
            .flat_map(|g| g.points.iter().filter(shown).map(|p| p.0))
            .collect();
        let (lo, hi) = xs
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
                (a.min(x), b.max(x))
            });
        let (lo, hi) = if lo.is_finite() {
            (lo / 1.5, hi * 1.5)
        } else {
            (0.1, 10.0)
        };
        let ys = bounds(
            groups
                .iter()
                .flat_map(|g| g.points.iter().filter(shown).map(|p| p.1))
                .chain(reference.map(|r| r.0)),
        );
        let mut chart = ChartBuilder::on(&root)
            .caption(caption, ("sans-serif", 20))
            .margin(15)
            .x_label_area_size(45)
            .y_label_area_size(70)
            .build_cartesian_2d((lo..hi).log_scale(), ys.0..ys.1)
            .map_err(failed)?;
        chart
            .configure_mesh()
            .x_desc(x_label)
            .y_desc(y_label)
            .x_label_formatter(&|v| {
                if *v >= 1.0 {
                    format!("{v:.0}")
                } else {
                    format!("{v:.1e}")
                }
            })
            .draw()
            .map_err(failed)?;
        if let Some((y, name)) = reference {
            chart
                .draw_series(LineSeries::new([(lo, y), (hi, y)], BLACK.stroke_width(1)))
                .map_err(failed)?
                .label(name)
                .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], BLACK));
        }
        for (k, g) in groups.iter().enumerate() {
            let color = PALETTE[k % PALETTE.len()];
            chart
                .draw_series(
                    g.points
                        .iter()
                        .filter(shown)
                        .map(|&(x, y)| Circle::new((x, y), 4, color.filled())),
                )
                .map_err(failed)?
                .label(g.name)
                .legend(move |(x, y)| Circle::new((x + 10, y), 4, color.filled()));
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
            .map_err(failed)?;
        root.present().map_err(failed)?;
    }
    Ok(svg)
}

/// How an image's values map to colour.
#[derive(Clone, Copy, Debug)]
pub enum Scale {
    /// 0 white … 1 black.
    Gray,
    /// Symmetric around 0: negative blue, positive red, saturating at ±max|v| of the image.
    Diverging,
}

/// One captioned square image of a grid.
#[derive(Debug)]
pub struct Tile {
    /// Caption above the image.
    pub title: String,
    /// Row-major side×side values.
    pub pixels: Vec<f64>,
    /// Colour mapping.
    pub scale: Scale,
}

/// Rows of square images (side×side pixels each) with captions, as one SVG.
pub fn image_grid(title: &str, rows: &[Vec<Tile>], side: usize) -> Result<String> {
    let cell = (112 / side.max(1)).max(1) as i32;
    let (tile, caption, gap) = (cell * side as i32, 16, 8);
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0) as i32;
    let (w, h) = (
        (cols * (tile + gap) + gap).max(200) as u32,
        (30 + rows.len() as i32 * (tile + caption + gap)) as u32,
    );
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(failed)?;
        let text = |s: &str, x: i32, y: i32, size: i32| {
            Text::new(s.to_string(), (x, y), ("sans-serif", size).into_font())
        };
        root.draw(&text(title, gap, 6, 16)).map_err(failed)?;
        for (r, row) in rows.iter().enumerate() {
            let y0 = 30 + r as i32 * (tile + caption + gap);
            for (c, t) in row.iter().enumerate() {
                let x0 = gap + c as i32 * (tile + gap);
                root.draw(&text(&t.title, x0, y0, 12)).map_err(failed)?;
                let max = t
                    .pixels
                    .iter()
                    .fold(0.0f64, |m, v| m.max(v.abs()))
                    .max(1e-12);
                for (i, &v) in t.pixels.iter().enumerate() {
                    let colour = match t.scale {
                        Scale::Gray => {
                            let g = (255.0 * (1.0 - v.clamp(0.0, 1.0))) as u8;
                            RGBColor(g, g, g)
                        }
                        Scale::Diverging => {
                            let s = (v / max).clamp(-1.0, 1.0);
                            let fade = (255.0 * (1.0 - s.abs())) as u8;
                            if s >= 0.0 {
                                RGBColor(255, fade, fade)
                            } else {
                                RGBColor(fade, fade, 255)
                            }
                        }
                    };
                    if colour == RGBColor(255, 255, 255) {
                        continue;
                    }
                    let (x, y) = (
                        x0 + (i % side) as i32 * cell,
                        y0 + caption + (i / side) as i32 * cell,
                    );
                    root.draw(&Rectangle::new(
                        [(x, y), (x + cell, y + cell)],
                        colour.filled(),
                    ))
                    .map_err(failed)?;
                }
                root.draw(&Rectangle::new(
                    [(x0, y0 + caption), (x0 + tile, y0 + caption + tile)],
                    RGBColor(180, 180, 180).stroke_width(1),
                ))
                .map_err(failed)?;
            }
        }
        root.present().map_err(failed)?;
    }
    Ok(svg)
}

/// A K×K matrix (row-major, entries in [0, 1]) as a heat map with the values written in.
pub fn heat_map(title: &str, row_label: &str, matrix: &[f64], k: usize) -> Result<String> {
    let cell = 64;
    let (x0, y0) = (60, 40);
    let size = (x0 + cell * k as i32 + 20) as u32;
    let mut svg = String::new();
    {
        let root =
            SVGBackend::with_string(&mut svg, (size.max(300), size + 20)).into_drawing_area();
        root.fill(&WHITE).map_err(failed)?;
        let font = |s: i32| ("sans-serif", s).into_font();
        root.draw(&Text::new(title.to_string(), (10, 8), font(16)))
            .map_err(failed)?;
        root.draw(&Text::new(row_label.to_string(), (4, y0 - 16), font(11)))
            .map_err(failed)?;
        for i in 0..k {
            for j in 0..k {
                let v = matrix[i * k + j].clamp(0.0, 1.0);
                let g = (255.0 * (1.0 - v)) as u8;
                let (x, y) = (x0 + j as i32 * cell, y0 + i as i32 * cell);
                root.draw(&Rectangle::new(
                    [(x, y), (x + cell, y + cell)],
                    RGBColor(255, g, (f64::from(g) * 0.6) as u8).filled(),
                ))
                .map_err(failed)?;
                let ink = if v > 0.5 { WHITE } else { BLACK };
                root.draw(&Text::new(
                    format!("{v:.2}"),
                    (x + 14, y + cell / 2 - 6),
                    font(13).color(&ink),
                ))
                .map_err(failed)?;
            }
            root.draw(&Text::new(
                format!("{i}"),
                (x0 - 20, y0 + i as i32 * cell + cell / 2 - 6),
                font(13),
            ))
            .map_err(failed)?;
            root.draw(&Text::new(
                format!("{i}"),
                (x0 + i as i32 * cell + cell / 2 - 4, y0 - 16),
                font(13),
            ))
            .map_err(failed)?;
        }
        root.present().map_err(failed)?;
    }
    Ok(svg)
}

/// Errors against exact values: one series per named group of (estimate − exact, standard
/// error), each point at its index within the group; empty groups are left out.
pub fn error_chart(
    title: &str,
    x_label: &str,
    y_label: &str,
    groups: &[(String, Vec<(f64, f64)>)],
) -> Result<String> {
    let series: Vec<Series<'_>> = groups
        .iter()
        .filter(|(_, errors)| !errors.is_empty())
        .map(|(name, errors)| Series {
            name,
            points: errors
                .iter()
                .enumerate()
                .map(|(i, e)| (i as f64, e.0))
                .collect(),
            errors: errors.iter().map(|e| e.1).collect(),
        })
        .collect();
    line_chart(title, x_label, y_label, &series)
}
