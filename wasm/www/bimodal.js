// The bimodal page: the worker trains, this draws.
import { logCurve, show } from './plot.js';

const $ = (id) => document.getElementById(id);
const density = $('density').getContext('2d');
const curves = $('curves').getContext('2d');
let setup = null;

/** Draw `ys` over `xs` on the density canvas, x in [lo, hi], y in [0, top]. */
function plot(xs, ys, colour, dash, top) {
  if (!xs.length || xs.length !== ys.length) return;
  const { width, height } = density.canvas;
  const [lo, hi] = [xs[0], xs[xs.length - 1]];
  density.strokeStyle = colour;
  density.lineWidth = 2;
  density.setLineDash(dash);
  density.beginPath();
  xs.forEach((x, i) => {
    const [cx, cy] = [((x - lo) / (hi - lo)) * width, height * (1 - Math.min(ys[i], top) / top)];
    if (i === 0) density.moveTo(cx, cy); else density.lineTo(cx, cy);
  });
  density.stroke();
  density.setLineDash([]);
}

function histogram(data, lo, hi, top) {
  const bins = 60;
  const counts = new Array(bins).fill(0);
  for (const x of data) {
    const k = Math.floor(((x - lo) / (hi - lo)) * bins);
    if (k >= 0 && k < bins) counts[k] += 1;
  }
  const { width, height } = density.canvas;
  const scale = bins / ((hi - lo) * data.length); // counts → density
  density.fillStyle = '#ddd';
  counts.forEach((c, k) => {
    const h = height * Math.min(c * scale, top) / top;
    density.fillRect((k / bins) * width, height - h, width / bins - 1, h);
  });
}

const worker = new Worker(new URL('./bimodal-worker.js', import.meta.url), { type: 'module' });
worker.onmessage = ({ data }) => {
  if (data.type === 'error') { $('error').textContent = data.message; return; }
  if (data.type === 'data') { setup = data; return; }
  const [epoch, planned, klMinmaxent, klVae, klGaussian, entropy] = data.state;
  const { grid, real, gaussian } = setup;
  const top = 1.4 * Math.max(...real);
  density.clearRect(0, 0, density.canvas.width, density.canvas.height);
  histogram(setup.data, grid[0], grid[grid.length - 1], top);
  plot(grid, real, '#000', [], top);
  plot(grid, gaussian, '#888', [6, 4], top);
  plot(grid, data.vae, '#e80', [], top);
  plot(grid, data.minmaxent, '#24c', [], top);
  $('epoch').textContent = `${epoch} / ${planned}`;
  $('epoch').dataset.value = String(epoch);
  show('kl-minmaxent', klMinmaxent, 4);
  show('kl-vae', klVae, 4);
  show('kl-gaussian', klGaussian, 4);
  show('entropy', entropy, 4);
  curves.clearRect(0, 0, curves.canvas.width, curves.canvas.height);
  const [lo, hi] = [-3, 1];
  logCurve(curves, new Array(Math.max(data.klMinmaxent.length, 2)).fill(klGaussian), '#888', lo, hi);
  logCurve(curves, data.klVae, '#e80', lo, hi);
  logCurve(curves, data.klMinmaxent, '#24c', lo, hi);
  document.body.dataset.epoch = String(epoch);
};
worker.onerror = (e) => { $('error').textContent = `worker failed: ${e.message}`; };

function start() {
  const epochs = Number($('epochs').value);
  if (!Number.isInteger(epochs)) {
    $('error').textContent = 'epochs must be a whole number';
    return;
  }
  $('error').textContent = '';
  worker.postMessage({ case: $('case').value, walkers: 1000, epochs, grid: 401, seed: 0 });
}
$('restart').addEventListener('click', start);
start();
document.body.dataset.ready = 'true';
