// Runs one PcaRun (the core's MaxentPca trainer), a few iterations per ~40 ms, and posts the
// walkers, the state and the curves after each batch.
import init, { PcaRun } from './pkg/entropic_wasm.js';

const FRAME_MS = 40;
let run = null;
let generation = 0;
const errors = [];

function loop(mine) {
  if (!run || mine !== generation) return;
  const start = performance.now();
  let state = Array.from(run.state());
  try {
    while (performance.now() - start < FRAME_MS && state[0] < state[1]) {
      run.step(1);
      state = Array.from(run.state());
      errors.push(state[4]);
    }
  } catch (e) {
    self.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e) });
    return;
  }
  const walkers = run.walkers();
  self.postMessage({
    type: 'frame', state, walkers: walkers.buffer, chi2: Array.from(run.chi2()),
    angleErrors: errors.slice(),
  }, [walkers.buffer]);
  if (state[0] < state[1]) setTimeout(() => loop(mine), 0);
}

self.onmessage = async ({ data }) => {
  try {
    await init();
    run?.free();
    run = null;
    errors.length = 0;
    run = new PcaRun(data.samples, data.walkers, data.iterations, BigInt(data.seed));
    const points = run.data(1500);
    self.postMessage({ type: 'data', points: points.buffer }, [points.buffer]);
    generation += 1;
    const mine = generation;
    setTimeout(() => loop(mine), 0);
  } catch (e) {
    self.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  }
};
