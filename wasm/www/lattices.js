// The spin-lattice page: one worker per panel, controls posted to it, frames drawn.
const SIZE = 64;

const fixed = (v, d) => (Number.isFinite(v) ? v.toFixed(d) : '–');
const withError = (v, e) => (Number.isFinite(v) ? `${v.toFixed(4)} ± ${fixed(e, 4)}` : '–');

function panel(section, seed) {
  const model = section.dataset.model;
  const q = (cls) => section.querySelector(`.${cls}`);
  const canvas = q('lattice');
  const ctx = canvas.getContext('2d');
  const image = ctx.createImageData(SIZE, SIZE);
  const [range, number, algorithm, error] = [q('t-range'), q('t-number'), q('algorithm'), q('error')];
  const show = (cls, text, value) => {
    const el = q(cls);
    if (!el) return;
    el.textContent = text;
    if (value !== undefined) el.dataset.value = String(value);
  };
  const worker = new Worker(new URL('./lattice-worker.js', import.meta.url), { type: 'module' });
  let frames = 0;
  worker.onmessage = ({ data }) => {
    if (data.type === 'error') {
      error.textContent = data.message;
      return;
    }
    if (data.type !== 'frame') return;
    image.data.set(new Uint8ClampedArray(data.picture));
    ctx.putImageData(image, 0, 0);
    const [e, de, m, dm, v, dv] = data.estimates;
    show('energy', withError(e, de), e);
    show('absm', withError(m, dm), m);
    show('vortices', withError(v, dv), v);
    show('steps', String(data.steps), data.steps);
    show('rate', fixed(data.rate, 0));
    show('acceptance', fixed(data.acceptance, 3));
    if (model === 'ising') {
      const [u, s, onsager] = data.exact;
      show('exact-energy', fixed(u, 4), u);
      show('exact-entropy', fixed(s, 4), s);
      show('onsager-entropy', fixed(onsager, 4), onsager);
    } else {
      const [spinWave, highT] = data.exact;
      show('exact-entropy', fixed(spinWave, 4), spinWave);
      show('high-t-entropy', fixed(highT, 4), highT);
    }
    section.dataset.temperature = String(data.temperature);
    section.dataset.frames = String(++frames);
  };
  worker.onerror = (e) => { error.textContent = `worker failed: ${e.message}`; };
  const start = () => worker.postMessage({
    type: 'start', model, algorithm: algorithm.value, size: SIZE,
    temperature: Number(number.value), seed,
  });
  // A typed value is checked by the core: an out-of-range one shows its message and changes nothing.
  const setTemperature = (value) => {
    const t = Number(value);
    if (value === '' || !Number.isFinite(t) || t <= 0) {
      error.textContent = `T must be a positive number, not "${value}"`;
      return;
    }
    error.textContent = '';
    range.value = String(t);
    number.value = String(t);
    worker.postMessage({ type: 'temperature', value: t });
  };
  range.addEventListener('input', () => setTemperature(range.value));
  number.addEventListener('change', () => setTemperature(number.value));
  algorithm.addEventListener('change', () => { error.textContent = ''; start(); });
  start();
}

document.querySelectorAll('section.panel').forEach((section, k) => panel(section, k + 1));
document.body.dataset.ready = 'true';
