// Runs one LatticeSim (the core's LiveChain) and posts a frame about every 40 ms: the picture
// (transferred, not copied twice), the running estimates and the exact values.
import init, { LatticeSim } from './pkg/entropic_wasm.js';

const FRAME_MS = 40;
let sim = null;
let looping = false;
let stepsPerChunk = 1;

function post(acceptance, rate) {
  const picture = sim.picture();
  self.postMessage({
    type: 'frame',
    picture: picture.buffer,
    size: sim.size(),
    estimates: Array.from(sim.estimates()),
    exact: Array.from(sim.exact()),
    steps: Number(sim.steps()),
    temperature: sim.temperature(),
    acceptance,
    rate,
  }, [picture.buffer]);
}

function loop() {
  if (!sim) {
    looping = false;
    return;
  }
  const start = performance.now();
  let acceptance = 0;
  let steps = 0;
  while (performance.now() - start < FRAME_MS) {
    acceptance = sim.step(stepsPerChunk);
    steps += stepsPerChunk;
  }
  const seconds = (performance.now() - start) / 1000;
  // About 8 chunks per frame, so temperature changes take effect quickly.
  stepsPerChunk = Math.max(1, Math.round(steps / 8));
  post(acceptance, steps / seconds);
  setTimeout(loop, 0);
}

self.onmessage = async ({ data }) => {
  try {
    if (data.type === 'start') {
      await init();
      sim?.free();
      sim = null;
      sim = new LatticeSim(data.model, data.algorithm, data.size, data.temperature,
        BigInt(data.seed));
      stepsPerChunk = 1;
      self.postMessage({ type: 'started' });
      if (!looping) {
        looping = true;
        setTimeout(loop, 0);
      }
    } else if (data.type === 'temperature') {
      sim.setTemperature(data.value);
    }
  } catch (e) {
    self.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  }
};
