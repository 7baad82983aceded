//! gpu_bench's chart: dpex's kernel time over CUDA C's per workload, as an SVG, from its JSON.

use std::error::Error;
use std::path::Path;

use plotters::prelude::*;
use serde_json::Value;

/// The target for dpex / CUDA C, drawn as a reference line beside 1.0.
pub const TARGET: f64 = 1.10;

/// Rows whose CUDA side is a library (cuBLAS), not hand-written CUDA C: labelled so, and left
/// out of the first geometric mean, as BENCHMARKS.md counts them.
pub const LIBRARY_ROWS: &[&str] = &["sgemm"];

/// One bar: its label, the median ratio and, for a workload, its interquartile range.
struct Bar {
    label: String,
    median: f64,
    iqr: Option<(f64, f64)>,
}

/// `v[key]` as a number, or an error naming `what` and the key.
fn num(v: &Value, key: &str, what: &str) -> Result<f64, String> {
    v.get(key)
        .and_then(Value::as_f64)
        .ok_or_else(|| format!("gpu_bench JSON: {what} has no number `{key}`"))
}

/// `v[key]` as a string, or an error naming `what` and the key.
fn text<'a>(v: &'a Value, key: &str, what: &str) -> Result<&'a str, String> {
    v.get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("gpu_bench JSON: {what} has no string `{key}`"))
}

/// The bars of `report`, from the bottom of the chart: the geometric means, then the rows from
/// the last to the first.
fn bars(report: &Value) -> Result<Vec<Bar>, String> {
    let rows = report
        .get("rows")
        .and_then(Value::as_array)
        .filter(|r| !r.is_empty())
        .ok_or("gpu_bench JSON: no `rows`, or none in it")?;
    let mut bars = Vec::new();
    let (mut own, mut all) = (Vec::new(), Vec::new());
    for (i, row) in rows.iter().enumerate() {
        let name = text(row, "name", &format!("row {i}"))?;
        let what = format!("row `{name}`");
        let ratio = row.get("dpex_over_cuda").ok_or_else(|| {
            format!("gpu_bench JSON: {what} has no `dpex_over_cuda` (a run without --cuda?)")
        })?;
        let of_ratio = format!("{what}'s `dpex_over_cuda`");
        let median = num(ratio, "median", &of_ratio)?;
        let iqr = (num(ratio, "q1", &of_ratio)?, num(ratio, "q3", &of_ratio)?);
        // Rates to three or four digits: 2574 GB/s, 17.6 TFLOP/s.
        let rate = |key| num(row, key, &what).map(|r| format!("{r:.*}", usize::from(r < 100.0)));
        let unit = text(row, "unit", &what)?;
        let library = LIBRARY_ROWS.contains(&name);
        let side = if library { "cuBLAS" } else { "CUDA C" };
        let (dpex, cuda) = (rate("dpex_rate")?, rate("cuda_rate")?);
        bars.push(Bar {
            label: format!("{name}: {median:.3} (dpex {dpex}, {side} {cuda} {unit})"),
            median,
            iqr: Some(iqr),
        });
        all.push(median);
        if !library {
            own.push(median);
        }
    }
    let geomean = |v: &[f64]| (v.iter().map(|x| x.ln()).sum::<f64>() / v.len() as f64).exp();
    let mut means = vec![("the CUDA C rows", own)];
    if means[0].1.len() != all.len() {
        means.push(("all rows, cuBLAS too", all));
    }
    for (label, v) in means.iter().filter(|(_, v)| !v.is_empty()) {
        let g = geomean(v);
        bars.push(Bar {
            label: format!("geometric mean, {label}: {g:.3}"),
            median: g,
            iqr: None,
        });
    }
    // Bottom to top, as the chart's segments count.
    bars.reverse();
    Ok(bars)
}

/// Writes the chart of `report` (gpu_bench's JSON, parsed) to `svg`: a horizontal bar per
/// workload (dpex / CUDA C time, median of per-round ratios, whiskers from q1 to q3), the
/// geometric means as bars of their own, and lines at 1.0 and at [`TARGET`].
pub fn write_svg(report: &Value, svg: &Path) -> Result<(), Box<dyn Error>> {
    let bars = bars(report)?;
    let device = text(report, "device", "the report")?.replace('`', "");
    let cuda = report.get("cuda_device").and_then(Value::as_str);
    let cuda = cuda.ok_or("gpu_bench JSON: no string `cuda_device` (a run without --cuda?)")?;
    let rounds = report.get("rounds").and_then(Value::as_u64);
    let rounds = rounds.map_or(String::new(), |r| format!(" of {r} rounds"));
    let n = bars.len() as i32;
    let top = bars
        .iter()
        .map(|b| b.iqr.map_or(b.median, |q| q.1))
        .fold(TARGET, f64::max);
    let root = SVGBackend::new(svg, (960, 120 + 44 * n as u32)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!("dpex on {device} / CUDA C on {cuda}"),
            ("sans-serif", 20),
        )
        .margin(16)
        .x_label_area_size(44)
        .y_label_area_size(360)
        .build_cartesian_2d(0.0..top * 1.08, (0..n - 1).into_segmented())?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .max_light_lines(1)
        .x_desc(format!(
            "kernel time, dpex / CUDA C (median{rounds}, whiskers q1 to q3; lower is faster)"
        ))
        .y_label_formatter(&|v| match v {
            SegmentValue::CenterOf(s) if (0..n).contains(s) => bars[*s as usize].label.clone(),
            _ => String::new(),
        })
        .y_labels(bars.len())
        .draw()?;
    // Workloads blue, geometric means grey.
    chart.draw_series((0..).zip(&bars).map(|(k, b)| {
        let color = if b.iqr.is_some() { BLUE } else { BLACK };
        let (from, to) = (SegmentValue::Exact(k), SegmentValue::Exact(k + 1));
        let mut r = Rectangle::new([(0.0, from), (b.median, to)], color.mix(0.6).filled());
        r.set_margin(8, 8, 0, 0);
        r
    }))?;
    // Whiskers from q1 to q3, with 14-pixel caps.
    let whisker = BLACK.stroke_width(2);
    for (k, b) in (0..).zip(&bars) {
        let Some((q1, q3)) = b.iqr else { continue };
        let y = SegmentValue::CenterOf(k);
        let cap =
            |x| EmptyElement::at((x, y.clone())) + PathElement::new([(0, -7), (0, 7)], whisker);
        chart.draw_series([PathElement::new(
            [(q1, y.clone()), (q3, y.clone())],
            whisker,
        )])?;
        chart.draw_series([cap(q1), cap(q3)])?;
    }
    for (x, style, name) in [
        (1.0, BLACK, "1.0: as fast as CUDA C".to_string()),
        (TARGET, RED, format!("{TARGET:.2}: the target")),
    ] {
        let line = [(x, SegmentValue::Exact(0)), (x, SegmentValue::Last)];
        chart
            .draw_series([PathElement::new(line, style.stroke_width(2))])?
            .label(name)
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], style.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    Ok(())
}
