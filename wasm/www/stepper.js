// A stepped core run driven from a Web Worker: `step()` a few times per frame (about `frameMs`
// of work), `frame(state)` after each frame, `done(state)` once state[0] reaches state[1]
// (done, planned). `restart()` starts a loop and drops any earlier one; `stop()` drops it (call
// it before freeing the run). A throw from `state`, `step` or `frame` goes to `fail`.
export function stepper(frameMs, { state, step, frame, done = () => {}, fail }) {
  let generation = 0;
  const loop = (mine) => {
    if (mine !== generation) return;
    const start = performance.now();
    let s;
    try {
      s = state();
      while (performance.now() - start < frameMs && s[0] < s[1]) {
        step();
        s = state();
      }
      frame(s);
    } catch (e) {
      fail(e);
      return;
    }
    if (s[0] < s[1]) setTimeout(() => loop(mine), 0);
    else done(s);
  };
  return {
    stop() {
      generation += 1;
    },
    restart() {
      generation += 1;
      const mine = generation;
      setTimeout(() => loop(mine), 0);
    },
  };
}
