// The Min-MaxEnt PCA page: the worker trains, this draws.
import { logCurve, show } from './plot.js';

const $ = (id) => document.getElementById(id);
const scatter = $('scatter').getContext('2d');
const curves = $('curves').getContext('2d');
const SCALE = 480 / 12; // the plot spans [-6, 6]²
let points = new Float64Array(0);

const px = (x) => 240 + SCALE * x;
const py = (y) => 240 - SCALE * y;

function line(ctx, angle, colour, dash) {
  ctx.strokeStyle = colour;
  ctx.lineWidth = 2;
  ctx.setLineDash(dash);
  const [c, s] = [Math.cos(angle), Math.sin(angle)];
  ctx.beginPath();
  ctx.moveTo(px(-6 * c), py(-6 * s));
  ctx.lineTo(px(6 * c), py(6 * s));
  ctx.stroke();
  ctx.setLineDash([]);
}

function dots(ctx, xy, colour) {
  ctx.fillStyle = colour;
  for (let i = 0; i + 1 < xy.length; i += 2) ctx.fillRect(px(xy[i]) - 1, py(xy[i + 1]) - 1, 2, 2);
}

const worker = new Worker(new URL('./pca-worker.js', import.meta.url), { type: 'module' });
worker.onmessage = ({ data }) => {
  if (data.type === 'error') { $('error').textContent = data.message; return; }
  if (data.type === 'data') { points = new Float64Array(data.points); return; }
  const [iteration, planned, theta, principal, angleError, chi2, acceptance] = data.state;
  scatter.clearRect(0, 0, 480, 480);
  dots(scatter, points, '#bbb');
  dots(scatter, new Float64Array(data.walkers), 'rgba(30, 60, 200, 0.5)');
  line(scatter, principal, '#000', [6, 4]);
  line(scatter, theta, '#d22', []);
  $('iteration').textContent = `${iteration} / ${planned}`;
  $('iteration').dataset.value = String(iteration);
  show('theta', theta, 4);
  show('principal', principal, 4);
  show('angle-error', angleError, 4);
  show('chi2', chi2, 5);
  show('acceptance', acceptance, 3);
  curves.clearRect(0, 0, curves.canvas.width, curves.canvas.height);
  logCurve(curves, data.chi2, '#24c', -6, 1);
  logCurve(curves, data.angleErrors, '#d22', -6, 1);
  document.body.dataset.iteration = String(iteration);
};
worker.onerror = (e) => { $('error').textContent = `worker failed: ${e.message}`; };

function start() {
  const walkers = Number($('walkers').value);
  const iterations = Number($('iterations').value);
  if (!Number.isInteger(walkers) || !Number.isInteger(iterations)) {
    $('error').textContent = 'walkers and iterations must be whole numbers';
    return;
  }
  $('error').textContent = '';
  worker.postMessage({ samples: 8000, walkers, iterations, seed: 1 });
}
$('restart').addEventListener('click', start);
start();
document.body.dataset.ready = 'true';
