// Small drawings shared by the pages: canvas curves and number cells.

/** A curve of `values` across the canvas, log10 scale from 10^lo to 10^hi (clamped below). */
export function logCurve(ctx, values, colour, lo, hi) {
  const n = values.length;
  if (n < 2) return;
  const { width, height } = ctx.canvas;
  ctx.strokeStyle = colour;
  ctx.beginPath();
  values.forEach((v, i) => {
    const y = Math.log10(Math.max(v, 10 ** lo));
    const [cx, cy] = [(i / (n - 1)) * width, height * (1 - (y - lo) / (hi - lo))];
    if (i === 0) ctx.moveTo(cx, cy); else ctx.lineTo(cx, cy);
  });
  ctx.stroke();
}

/** Show `v` with `d` decimals in the element `id` ('–' if not finite); the raw value goes to
 * its data-value (what the tests read). */
export function show(id, v, d) {
  const el = document.getElementById(id);
  el.textContent = Number.isFinite(v) ? v.toFixed(d) : '–';
  el.dataset.value = String(v);
}
