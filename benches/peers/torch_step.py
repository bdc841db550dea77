#!/usr/bin/env python3
"""PyTorch eager comparison for benches/benches/nn.rs (measurement only, never a dependency).

One training step (forward + MSE backward + Adam) of the same networks at batch 64, single
thread, float32 and float64. Prints the median of 30 repeats of 200 steps (the lattice CNN:
10 repeats of 3 steps), in microseconds.

    pip install torch && python3 benches/peers/torch_step.py
"""
import statistics
import time

import torch

torch.set_num_threads(1)
BATCH = 64


def mlp(act, dtype):
    layers, widths = [], [64, 128, 128, 16]
    for i, (a, b) in enumerate(zip(widths, widths[1:])):
        layers.append(torch.nn.Linear(a, b))
        if i + 2 < len(widths):
            layers.append(act())
    return torch.nn.Sequential(*layers).to(dtype)


def cnn(dtype):
    return torch.nn.Sequential(
        torch.nn.Unflatten(1, (1, 8, 8)),
        torch.nn.Conv2d(1, 8, 3, padding=1), torch.nn.ReLU(),
        torch.nn.Conv2d(8, 16, 3, padding=1), torch.nn.ReLU(),
        torch.nn.Flatten(), torch.nn.Linear(1024, 10),
    ).to(dtype)


def lattice_cnn(dtype):
    """nn.rs's lattice_cnn_20x20_32ch_f32: 2 → 32 ×5 → 2 channels, 3×3 'same', tanh, 20×20."""
    channels, layers = [2, 32, 32, 32, 32, 32, 2], [torch.nn.Unflatten(1, (2, 20, 20))]
    for k, (a, b) in enumerate(zip(channels, channels[1:])):
        layers.append(torch.nn.Conv2d(a, b, 3, padding=1))
        if k + 2 < len(channels):
            layers.append(torch.nn.Tanh())
    layers.append(torch.nn.Flatten())
    return torch.nn.Sequential(*layers).to(dtype)


def bench(name, net, inputs, outputs, dtype, steps=200, repeats=30):
    x = torch.sin(torch.arange(BATCH * inputs, dtype=dtype) * 0.37).reshape(BATCH, inputs)
    y = torch.cos(torch.arange(BATCH * outputs, dtype=dtype) * 0.11).reshape(BATCH, outputs)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = torch.nn.MSELoss()

    def step():
        opt.zero_grad(set_to_none=False)
        loss = loss_fn(net(x), y)
        loss.backward()
        opt.step()

    for _ in range(steps):
        step()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(steps):
            step()
        times.append((time.perf_counter() - t0) / steps * 1e6)
    print(f"{name:32s} median {statistics.median(times):8.1f} µs  (min {min(times):.1f}, max {max(times):.1f})")


print(f"torch {torch.__version__}, threads {torch.get_num_threads()}")
bench("mlp_64_128_128_16_f32", mlp(torch.nn.Tanh, torch.float32), 64, 16, torch.float32)
bench("mlp_64_128_128_16_f64", mlp(torch.nn.Tanh, torch.float64), 64, 16, torch.float64)
bench("mlp_64_128_128_16_relu_f32", mlp(torch.nn.ReLU, torch.float32), 64, 16, torch.float32)
bench("digits_cnn_f32", cnn(torch.float32), 64, 10, torch.float32)
bench("lattice_cnn_20x20_32ch_f32", lattice_cnn(torch.float32), 800, 800, torch.float32, 3, 10)
