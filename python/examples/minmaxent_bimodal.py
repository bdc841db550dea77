"""Min-MaxEnt paper, Fig. 3 at small size: a bimodal 1D density learned by Min-MaxEnt, a VAE and
the mean + variance MaxEnt model, and KL(real || model) per epoch.

    python minmaxent_bimodal.py --out figures/
"""

import argparse
import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from entropic import maxent  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=pathlib.Path, default=pathlib.Path("figures"))
    parser.add_argument("--epochs", type=int, default=400)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    r = maxent.bimodal(seeds=1, epochs=args.epochs, vae_epochs=args.epochs, walkers=500,
                       grid=801, seed=args.seed)
    s = r["seeds"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.plot(r["grid"], r["real"], "k-", lw=2, label="real")
    left.plot(r["grid"], s["minmaxent_density"][0], label="Min-MaxEnt")
    left.plot(r["grid"], s["vae_density"][0], label="VAE")
    left.plot(r["grid"], s["gaussian_density"][0], "--", label="mean + variance MaxEnt")
    left.set(xlabel="x", ylabel="density", title="Densities after training")
    left.legend()
    right.semilogy(s["minmaxent_kl"][0], label="Min-MaxEnt")
    right.semilogy(s["vae_kl"][0], label="VAE")
    right.axhline(s["gaussian_kl"][0], ls="--", color="C2", label="mean + variance MaxEnt")
    right.set(xlabel="epoch", ylabel="KL(real || model) [nats]", title="KL per epoch")
    right.legend(loc="lower left")
    fig.tight_layout()
    path = args.out / "minmaxent_bimodal.png"
    fig.savefig(path, dpi=120)
    print(f"KL after {args.epochs} epochs: Min-MaxEnt {s['minmaxent_kl'][0, -1]:.4f}, "
          f"VAE {s['vae_kl'][0, -1]:.4f}, mean + variance {s['gaussian_kl'][0]:.4f} nats")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
