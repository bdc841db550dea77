// Loads the shipped latent-cycle model (LatentDemo, the core's LatentCheckpoint loader) and
// posts its diagnostics, then generated sequences, 200 double steps at a time.
import init, { LatentDemo } from './pkg/entropic_wasm.js';

const STEPS = 200;

self.onmessage = async ({ data }) => {
  try {
    await init();
    const response = await fetch(data.model);
    if (!response.ok) throw new Error(`cannot load ${data.model}: HTTP ${response.status}`);
    const demo = new LatentDemo(new Uint8Array(await response.arrayBuffer()));
    self.postMessage({
      type: 'model', states: demo.states(), matrix: Array.from(demo.matrix()),
      occupancy: Array.from(demo.occupancy()), summary: Array.from(demo.summary()),
      sigmaHistory: Array.from(demo.sigmaHistory()),
    });
    for (let seed = 1; ; seed += 1) {
      const sequence = demo.generate(STEPS, BigInt(seed));
      const images = sequence.images();
      self.postMessage({ type: 'sequence', images: images.buffer, states: Array.from(sequence.states()) },
        [images.buffer]);
      sequence.free();
      // Wait until the page asks for the next batch.
      await new Promise((resolve) => { self.onmessage = resolve; });
    }
  } catch (e) {
    self.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  }
};
