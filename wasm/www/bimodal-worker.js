// Runs one BimodalRun (a seed of the core's MaxentBimodal), a few epochs per ~40 ms, and posts
// the densities and KL curves after each batch.
import init, { BimodalRun } from './pkg/entropic_wasm.js';

const FRAME_MS = 40;
let run = null;
let generation = 0;

function loop(mine) {
  if (!run || mine !== generation) return;
  const start = performance.now();
  let state = Array.from(run.state());
  try {
    while (performance.now() - start < FRAME_MS && state[0] < state[1]) {
      run.step(1);
      state = Array.from(run.state());
    }
  } catch (e) {
    self.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e) });
    return;
  }
  self.postMessage({
    type: 'frame', state, minmaxent: Array.from(run.minmaxent_density()),
    vae: Array.from(run.vae_density()), klMinmaxent: Array.from(run.minmaxent_kl()),
    klVae: Array.from(run.vae_kl()),
  });
  if (state[0] < state[1]) setTimeout(() => loop(mine), 0);
}

self.onmessage = async ({ data }) => {
  try {
    await init();
    run?.free();
    run = null;
    run = new BimodalRun(data.case, data.walkers, data.epochs, data.grid, BigInt(data.seed));
    self.postMessage({
      type: 'data', data: Array.from(run.data()), grid: Array.from(run.grid()),
      real: Array.from(run.real_density()), gaussian: Array.from(run.gaussian_density()),
    });
    generation += 1;
    const mine = generation;
    setTimeout(() => loop(mine), 0);
  } catch (e) {
    self.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  }
};
