// Runs one PcaRun (the core's MaxentPca trainer), a few iterations per ~40 ms, and posts the
// walkers, the state and the curves after each batch.
import init, { PcaRun } from './pkg/entropic_wasm.js';
import { stepper } from './stepper.js';

let run = null;
const errors = [];
const fail = (e) => self.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e) });
const loop = stepper(40, {
  state: () => Array.from(run.state()),
  step: () => {
    run.step(1);
    errors.push(run.state()[4]);
  },
  frame: (state) => {
    const walkers = run.walkers();
    self.postMessage({
      type: 'frame', state, walkers: walkers.buffer, chi2: Array.from(run.chi2()),
      angleErrors: errors.slice(),
    }, [walkers.buffer]);
  },
  fail,
});

self.onmessage = async ({ data }) => {
  try {
    await init();
    loop.stop();
    run?.free();
    run = null;
    errors.length = 0;
    run = new PcaRun(data.samples, data.walkers, data.iterations, BigInt(data.seed));
    const points = run.data(1500);
    self.postMessage({ type: 'data', points: points.buffer }, [points.buffer]);
    loop.restart();
  } catch (e) {
    fail(e);
  }
};
