// The diffusion-entropy page: the worker computes, this animates and plots.
const $ = (id) => document.getElementById(id);
const LN2 = Math.log(2);
const STEPS = 200;
const EVERY = 4;
const TEMPERATURES = [1.5, 2.0, 2.27, 2.5, 3.0, 3.5];
const lattice = $('lattice').getContext('2d');
const chart = $('chart').getContext('2d');
let side = 20;
let curve = [];
const points = [];
let animation = null;

const [T0, T1, S1] = [1.2, 4.0, 1.0];
const cx = (t) => 40 + ((t - T0) / (T1 - T0)) * 400;
const cy = (s) => 280 - (s / S1) * 260;

function drawChart() {
  chart.clearRect(0, 0, 460, 300);
  chart.strokeStyle = '#000';
  chart.beginPath();
  curve.forEach(([t, s], i) => {
    if (i === 0) chart.moveTo(cx(t), cy(s / LN2)); else chart.lineTo(cx(t), cy(s / LN2));
  });
  chart.stroke();
  chart.fillStyle = '#1d2330';
  chart.fillText('entropy per spin (bits) vs T; line: Kaufman 20×20', 50, 14);
  for (const p of points) {
    const [x, y, e] = [cx(p.temperature), cy(p.h / LN2), (260 * p.err) / LN2 / S1];
    chart.fillStyle = '#d22';
    chart.fillRect(x - 3, y - 3, 6, 6);
    chart.fillRect(x - 0.5, y - e, 1, 2 * e);
  }
}

function paint(frame) {
  const image = lattice.createImageData(side, side);
  frame.forEach((v, i) => {
    const g = Math.round(255 * (1 - Math.min(1, Math.max(0, (v + 1.5) / 3))));
    image.data.set([g, g, g, 255], 4 * i);
  });
  lattice.putImageData(image, 0, 0);
}

const worker = new Worker(new URL('./diffusion-worker.js', import.meta.url), { type: 'module' });
let queue = [];
worker.onmessage = ({ data }) => {
  if (data.type === 'error') { $('error').textContent = data.message; return; }
  if (data.type === 'loaded') {
    side = data.side;
    curve = data.curve;
    drawChart();
    generate();
    document.body.dataset.loaded = 'true';
  } else if (data.type === 'frames') {
    const all = new Float64Array(data.frames);
    const n = side * side;
    const frames = [];
    for (let k = 0; k * n < all.length; k++) frames.push(all.subarray(k * n, (k + 1) * n));
    clearInterval(animation);
    let k = 0;
    animation = setInterval(() => {
      paint(frames[k]);
      $('step').textContent = `${Math.min(k * data.every, STEPS)} / ${STEPS}`;
      if (k === frames.length - 1) {
        clearInterval(animation);
        const m = Math.abs(frames[k].reduce((a, v) => a + Math.sign(v), 0)) / n;
        $('absm').textContent = m.toFixed(3);
        document.body.dataset.generated = String(Number(document.body.dataset.generated ?? 0) + 1);
      }
      k += 1;
    }, 40);
  } else if (data.type === 'entropy') {
    points.push(data);
    drawChart();
    const row = $('rows').insertRow();
    row.dataset.temperature = String(data.temperature);
    row.dataset.error = String((data.h - data.exact) / LN2);
    row.insertCell().textContent = data.temperature.toFixed(2);
    row.insertCell().textContent = `${(data.h / LN2).toFixed(4)} ± ${(data.err / LN2).toFixed(4)}`;
    row.insertCell().textContent = (data.exact / LN2).toFixed(4);
    next();
  }
};
worker.onerror = (e) => { $('error').textContent = `worker failed: ${e.message}`; };

function generate() {
  const t = Number($('t').value);
  if (!Number.isFinite(t) || t <= 0) {
    $('error').textContent = `T must be a positive number, not "${$('t').value}"`;
    return;
  }
  $('error').textContent = '';
  worker.postMessage({ type: 'denoise', temperature: t, steps: STEPS, every: EVERY,
    seed: Math.floor(Math.random() * 2 ** 31) });
}

// Estimates run one temperature at a time, so each point appears when it is done.
let pending = [];
function next() {
  const t = pending.shift();
  $('progress').textContent = t === undefined ? 'done' :
    `T = ${t} (${TEMPERATURES.length - pending.length} of ${TEMPERATURES.length})…`;
  if (t === undefined) { document.body.dataset.estimated = 'true'; return; }
  worker.postMessage({ type: 'entropy', temperature: t, samples: 200, draws: 800, seed: 7 });
}

$('generate').addEventListener('click', generate);
$('estimate').addEventListener('click', () => {
  if (pending.length > 0) return;
  points.length = 0;
  while ($('rows').rows.length > 1) $('rows').deleteRow(1);
  pending = [...TEMPERATURES];
  next();
});
const grid = Array.from({ length: 57 }, (_, k) => T0 + (k * (T1 - T0)) / 56);
const chosen = new URLSearchParams(location.search).get('model') ?? 'models/ising20-site.json';
worker.postMessage({ type: 'load', model: chosen, curve: grid });
document.body.dataset.ready = 'true';
