// Drives entropic's IsingSim and draws its spins straight from wasm memory.
import init, { IsingSim } from './pkg/entropic_wasm.js';

const SIZE = 64;
const SWEEPS_PER_FRAME = 4;

const $ = (id) => document.getElementById(id);

function show(id, value, digits) {
  const el = $(id);
  el.textContent = value.toFixed(digits);
  el.dataset.value = String(value);
}

async function main() {
  const wasm = await init();
  const slider = $('temperature');
  const sim = new IsingSim(SIZE, Number(slider.value), 1n);
  const canvas = $('lattice');
  const ctx = canvas.getContext('2d');
  const image = ctx.createImageData(SIZE, SIZE);

  slider.addEventListener('input', () => {
    try {
      sim.setTemperature(Number(slider.value));
      $('t-value').textContent = Number(slider.value).toFixed(3);
      $('error').textContent = '';
    } catch (e) {
      $('error').textContent = String(e);
    }
  });

  let last = performance.now();
  let sweepsAtLast = 0;
  function frame(now) {
    const acceptance = sim.step(SWEEPS_PER_FRAME);
    // The view is re-created every frame: wasm memory may have grown and detached the old one.
    const spins = new Int8Array(wasm.memory.buffer, sim.spinsPtr(), SIZE * SIZE);
    const px = image.data;
    for (let i = 0; i < spins.length; i++) {
      const up = spins[i] > 0;
      px[4 * i] = up ? 30 : 235;
      px[4 * i + 1] = up ? 40 : 235;
      px[4 * i + 2] = up ? 90 : 245;
      px[4 * i + 3] = 255;
    }
    ctx.putImageData(image, 0, 0);
    show('energy', sim.energyPerSpin(), 4);
    show('absm', sim.absMagnetization(), 4);
    show('acceptance', acceptance, 3);
    const sweeps = Number(sim.sweeps());
    $('sweeps').textContent = String(sweeps);
    if (now - last > 500) {
      show('rate', (1000 * (sweeps - sweepsAtLast)) / (now - last), 0);
      last = now;
      sweepsAtLast = sweeps;
    }
    requestAnimationFrame(frame);
  }
  requestAnimationFrame(frame);
  document.body.dataset.ready = 'true';
}

main().catch((e) => {
  $('error').textContent = `failed to start: ${e}`;
});
