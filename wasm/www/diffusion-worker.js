// Loads the shipped denoiser (DiffusionDemo, the core's LatticeDenoiser loader) and answers
// requests: denoising frames, entropy estimates (one temperature at a time, for progress) and
// Kaufman's curve.
import init, { DiffusionDemo } from './pkg/entropic_wasm.js';

let demo = null;

self.onmessage = async ({ data }) => {
  try {
    if (data.type === 'load') {
      await init();
      const response = await fetch(data.model);
      if (!response.ok) throw new Error(`cannot load ${data.model}: HTTP ${response.status}`);
      demo = new DiffusionDemo(new Uint8Array(await response.arrayBuffer()));
      const curve = data.curve.map((t) => [t, demo.exactEntropy(t)]);
      self.postMessage({ type: 'loaded', side: demo.side(), curve });
    } else if (data.type === 'denoise') {
      const frames = demo.denoise(data.temperature, data.steps, data.every, BigInt(data.seed));
      self.postMessage({ type: 'frames', frames: frames.buffer, every: data.every }, [frames.buffer]);
    } else if (data.type === 'entropy') {
      const [h, err, exact] = demo.entropy(data.temperature, data.samples, data.draws,
        BigInt(data.seed));
      self.postMessage({ type: 'entropy', temperature: data.temperature, h, err, exact });
    }
  } catch (e) {
    self.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  }
};
