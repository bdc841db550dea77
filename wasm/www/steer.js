// The steering page: the worker samples and scores, this draws.
import { show } from './plot.js';

const $ = (id) => document.getElementById(id);
const digits = $('digits').getContext('2d');
const histogram = $('histogram').getContext('2d');

// 8 × 8 digits of 8 × 8 pixels with a one-pixel gap (the canvas is 73 × 73).
function draw(pixels) {
  const side = digits.canvas.width;
  const image = digits.createImageData(side, side);
  image.data.fill(255);
  for (let w = 0; w < 64; w++) {
    const [x0, y0] = [1 + 9 * (w % 8), 1 + 9 * Math.floor(w / 8)];
    for (let p = 0; p < 64; p++) {
      const v = pixels[64 * w + p] ?? 0;
      const shade = 255 - Math.round(255 * Math.min(Math.max(v, 0), 1));
      const i = 4 * ((y0 + Math.floor(p / 8)) * side + x0 + (p % 8));
      image.data.set([shade, shade, shade, 255], i);
    }
  }
  digits.putImageData(image, 0, 0);
}

function bars(counts, target) {
  const { width, height } = histogram.canvas;
  histogram.clearRect(0, 0, width, height);
  const top = Math.max(...counts, 1);
  histogram.font = '12px system-ui';
  counts.forEach((c, k) => {
    const h = (height - 18) * c / top;
    histogram.fillStyle = k === target ? '#d22' : '#24c';
    histogram.fillRect(k * width / 10 + 4, height - 16 - h, width / 10 - 8, h);
    histogram.fillStyle = '#000';
    histogram.fillText(String(k), k * width / 10 + width / 20 - 3, height - 3);
  });
}

const worker = new Worker(new URL('./steer-worker.js', import.meta.url), { type: 'module' });
worker.onmessage = ({ data }) => {
  if (data.type === 'error') { $('error').textContent = data.message; $('status').textContent = ''; return; }
  if (data.type === 'status') { $('status').textContent = data.message; return; }
  if (data.type === 'frame') {
    draw(new Float64Array(data.images));
    const [done, budget] = data.state;
    $('sweep').textContent = `${done} / ${budget}`;
    $('sweep').dataset.value = String(done);
    show('acceptance', data.acceptance, 3);
    document.body.dataset.frames = String(Number(document.body.dataset.frames ?? 0) + 1);
    return;
  }
  // A score of the finished samples.
  const target = data.state[2];
  const counts = data.score.slice(0, 10);
  const total = counts.reduce((a, b) => a + b, 0);
  bars(counts, target);
  show('share', target >= 0 ? counts[target] / total : NaN, 3);
  show('confident', data.score[10], 3);
  const top = counts.indexOf(Math.max(...counts));
  $('status').textContent = target >= 0
    ? `steered toward ${target}: the scoring classifier's most common label is ${top}`
    : `the model's own samples: most common label ${top}`;
  document.body.dataset.scored = String(target);
};
worker.onerror = (e) => { $('error').textContent = `worker failed: ${e.message}`; };

$('steer').addEventListener('click', () => {
  const alpha = Number($('alpha').value);
  $('error').textContent = '';
  delete document.body.dataset.scored;
  worker.postMessage({ target: Number($('target').value), alpha });
});
const model = new URLSearchParams(location.search).get('model') ?? 'models/digits.json';
worker.postMessage({ model });
document.body.dataset.ready = 'true';
