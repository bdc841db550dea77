// Small canvas drawings shared by the pages.

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
