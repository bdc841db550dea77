"""Nonequilibrium latent-cycles paper at small size: a latent-cycle model (L = 6) trained on
binarised MNIST 0/1/2, its latent transition matrix M, the entropy production per epoch and a
generated sequence as the visible/latent chain cycles.

    python latent_cycles.py --out figures/
"""

import argparse
import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from entropic import latent  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=pathlib.Path, default=pathlib.Path("figures"))
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    model = latent.train(seed=args.seed, per_class=300, diagnostic_steps=1000,
                         final_steps=20000, training=dict(epochs=args.epochs))
    h, d = model.history, model.diagnosis
    x, z = model.generate(steps=12, seed=args.seed)

    fig = plt.figure(figsize=(12, 5.5), layout="constrained")
    grid = fig.add_gridspec(2, 12, height_ratios=[2.5, 1])
    ax = fig.add_subplot(grid[0, 0:4])
    states = len(d["occupancy"])
    im = ax.imshow(d["dynamics"]["matrix"].reshape(states, states), cmap="viridis")
    fig.colorbar(im, ax=ax)
    ax.set(title="latent transition matrix M", xlabel="z", ylabel="z'")
    ax = fig.add_subplot(grid[0, 4:8])
    ax.plot(h["epoch"], h["sigma"], "o-", ms=3, label="Rao-Blackwellised")
    ax.plot(h["epoch"], h["sigma_model"], "s-", ms=3, label="model's M")
    ax.set(title="entropy production sigma", xlabel="epoch", ylabel="nats / double step")
    ax.legend()
    ax = fig.add_subplot(grid[0, 8:12])
    ax.errorbar(h["epoch"], h["ll"], yerr=h["ll_err"], fmt="o-", ms=3)
    ax.set(title="log-likelihood", xlabel="epoch", ylabel="nats / image")
    for t in range(12):
        ax = fig.add_subplot(grid[1, t])
        ax.imshow(x[0, t], cmap="gray_r")
        ax.set_title(f"z={z[0, t]}", fontsize=8)
        ax.axis("off")
    path = args.out / "latent_cycles.png"
    fig.savefig(path, dpi=120)
    sigma = d["sigma"]["rao_blackwell"]
    print(f"log-likelihood {d['ll']['value']:.2f} ± {d['ll']['std_error']:.2f} nats/image, "
          f"entropy production {sigma['value']:.3f} ± {sigma['std_error']:.3f} nats/step, "
          f"decorrelation time {d['dynamics']['decorrelation_time']:.2f} steps")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
