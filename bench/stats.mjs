// Small statistics for paired measurements: medians and quantiles, geometric means.

/** The q-quantile (0..1) of `values`, interpolating linearly between order statistics. */
export function quantile(values, q) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

/** Median, quartiles and extremes of `values`. */
export function summary(values) {
  return {
    n: values.length,
    median: quantile(values, 0.5),
    p25: quantile(values, 0.25),
    p75: quantile(values, 0.75),
    min: Math.min(...values),
    max: Math.max(...values),
  };
}

export function geomean(values) {
  let sum = 0;
  for (const v of values) sum += Math.log(v);
  return Math.exp(sum / values.length);
}

/** `0.31 [0.29-0.33]`: median and interquartile range. */
export function showRatio(s, digits = 2) {
  if (s === undefined || Number.isNaN(s.median)) return 'n/a';
  return `${s.median.toFixed(digits)} [${s.p25.toFixed(digits)}-${s.p75.toFixed(digits)}]`;
}

/** Pads cells into aligned columns; numbers and ratios right-aligned. */
export function table(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) =>
    cells
      .map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i])))
      .join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
