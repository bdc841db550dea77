// Loads the shipped digits model (SteerDemo, the core's DigitsCheckpoint loader), runs its
// walkers under the chosen bias a few sweeps per ~60 ms, posts the images after each batch, and
// scores the samples once the sweep budget is spent.
import init, { SteerDemo } from './pkg/entropic_wasm.js';
import { stepper } from './stepper.js';

const SETTINGS = { walkers: 64, sweeps: 100, leapfrog: 10, seed: 0 };
let demo = null;
let acceptance = NaN;
let target = 0; // counts steer requests: a score is posted only for the latest
const post = (message, transfer) => self.postMessage(message, transfer ?? []);
const fail = (e) => post({ type: 'error', message: e instanceof Error ? e.message : String(e) });

function frame() {
  const images = demo.images();
  post({ type: 'frame', state: Array.from(demo.state()), acceptance, images: images.buffer },
    [images.buffer]);
}

const loop = stepper(60, {
  state: () => Array.from(demo.state()),
  step: () => { acceptance = demo.step(1); },
  frame,
  done: () => {
    const mine = target;
    post({ type: 'status', message: 'scoring the samples (the scoring classifier trains on first use)…' });
    setTimeout(() => {
      if (mine !== target) return;
      try { post({ type: 'score', state: Array.from(demo.state()), score: Array.from(demo.score()) }); }
      catch (e) { fail(e); }
    }, 0);
  },
  fail,
});

async function load(model) {
  await init();
  const response = await fetch(model);
  if (!response.ok) throw new Error(`cannot load ${model}: HTTP ${response.status}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  demo = new SteerDemo(bytes, SETTINGS.walkers, SETTINGS.sweeps, SETTINGS.leapfrog, BigInt(SETTINGS.seed));
  frame();
  post({ type: 'status', message: 'the model’s own samples (H₀); choose a digit and steer' });
}

self.onmessage = async ({ data }) => {
  try {
    if (data.model) { await load(data.model); return; }
    if (!demo) return;
    loop.stop();
    target += 1;
    if (data.target >= 0) {
      post({ type: 'status', message: 'training the steering classifier on first use…' });
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    demo.target(data.target, data.alpha);
    acceptance = NaN;
    post({ type: 'status', message: `running ${SETTINGS.sweeps} HMC sweeps` });
    loop.restart();
  } catch (e) { fail(e); }
};
