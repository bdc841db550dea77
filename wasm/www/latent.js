// The latent-cycle page: the worker generates, this animates one double step per frame tick.
const $ = (id) => document.getElementById(id);
const FRAME_MS = 150;
const digit = $('digit').getContext('2d');
const image = digit.createImageData(28, 28);
let model = null;
let queue = [];
let t = 0;

const show = (id, text, value) => {
  $(id).textContent = text;
  if (value !== undefined) $(id).dataset.value = String(value);
};

function drawOccupancy(current) {
  const ctx = $('occupancy').getContext('2d');
  const { width, height } = ctx.canvas;
  ctx.clearRect(0, 0, width, height);
  const k = model.states;
  const top = Math.max(...model.occupancy);
  model.occupancy.forEach((p, z) => {
    const w = width / k;
    const h = (p / top) * (height - 16);
    ctx.fillStyle = '#6a7fd0';
    ctx.fillRect(z * w + 4, height - 14 - h, w - 8, h);
    if (z === current) {
      ctx.strokeStyle = '#d22';
      ctx.lineWidth = 3;
      ctx.strokeRect(z * w + 3, 2, w - 6, height - 16);
    }
    ctx.fillStyle = '#1d2330';
    ctx.fillText(String(z), z * w + w / 2 - 3, height - 2);
  });
}

function drawMatrix() {
  const ctx = $('matrix').getContext('2d');
  const k = model.states;
  const cell = ctx.canvas.width / k;
  const top = Math.max(...model.matrix);
  model.matrix.forEach((p, i) => {
    const v = Math.round(255 * (1 - p / top));
    ctx.fillStyle = `rgb(${v}, ${v}, 255)`;
    ctx.fillRect((i % k) * cell, Math.floor(i / k) * cell, cell, cell);
  });
}

function drawHistory() {
  const ctx = $('history').getContext('2d');
  const { width, height } = ctx.canvas;
  const values = model.sigmaHistory;
  const top = Math.max(...values) * 1.1;
  ctx.strokeStyle = '#24c';
  ctx.beginPath();
  values.forEach((v, i) => {
    const [x, y] = [(i / Math.max(1, values.length - 1)) * width, height * (1 - v / top)];
    if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
  });
  ctx.stroke();
}

const worker = new Worker(new URL('./latent-worker.js', import.meta.url), { type: 'module' });
worker.onmessage = ({ data }) => {
  if (data.type === 'error') { show('error', data.message); return; }
  if (data.type === 'model') {
    model = data;
    const [ll, llErr, sigma, sigmaErr, tau, kl] = data.summary;
    show('ll', `${ll.toFixed(2)} ± ${llErr.toFixed(2)}`, ll);
    show('sigma', `${sigma.toFixed(3)} ± ${sigmaErr.toFixed(3)}`, sigma);
    show('tau', tau.toFixed(2), tau);
    show('kl', kl.toFixed(4), kl);
    drawMatrix();
    drawHistory();
    drawOccupancy(-1);
    return;
  }
  const images = new Float64Array(data.images);
  data.states.forEach((z, i) => queue.push({ z, pixels: images.subarray(784 * i, 784 * (i + 1)) }));
};
worker.onerror = (e) => show('error', `worker failed: ${e.message}`);

setInterval(() => {
  if (queue.length === 0) return;
  const { z, pixels } = queue.shift();
  if (queue.length === 50) worker.postMessage('more');
  for (let i = 0; i < 784; i++) {
    const v = pixels[i] > 0.5 ? 20 : 245;
    image.data.set([v, v, v, 255], 4 * i);
  }
  digit.putImageData(image, 0, 0);
  t += 1;
  show('t', String(t), t);
  show('state', String(z), z);
  drawOccupancy(z);
  document.body.dataset.steps = String(t);
}, FRAME_MS);

// ?model=FILE loads another checkpoint (a corrupt one shows a message, not a blank page).
const chosen = new URLSearchParams(location.search).get('model') ?? 'models/latent-L6.json';
worker.postMessage({ model: chosen });
document.body.dataset.ready = 'true';
