// Runs one BimodalRun (a seed of the core's MaxentBimodal), a few epochs per ~40 ms, and posts
// the densities and KL curves after each batch.
import init, { BimodalRun } from './pkg/entropic_wasm.js';
import { stepper } from './stepper.js';

let run = null;
const fail = (e) => self.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e) });
const loop = stepper(40, {
  state: () => Array.from(run.state()),
  step: () => run.step(1),
  frame: (state) => self.postMessage({
    type: 'frame', state, minmaxent: Array.from(run.minmaxent_density()),
    vae: Array.from(run.vae_density()), klMinmaxent: Array.from(run.minmaxent_kl()),
    klVae: Array.from(run.vae_kl()),
  }),
  fail,
});

self.onmessage = async ({ data }) => {
  try {
    await init();
    loop.stop();
    run?.free();
    run = null;
    run = new BimodalRun(data.case, data.walkers, data.epochs, data.grid, BigInt(data.seed));
    self.postMessage({
      type: 'data', data: Array.from(run.data()), grid: Array.from(run.grid()),
      real: Array.from(run.real_density()), gaussian: Array.from(run.gaussian_density()),
    });
    loop.restart();
  } catch (e) {
    fail(e);
  }
};
