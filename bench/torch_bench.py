"""PyTorch side of `npm run bench --torch`: the question's autoencoder (28,353 parameters) in
PyTorch with the same loss (binary cross-entropy from the logits), Adam's settings (learning rate
1e-3, betas 0.9 and 0.999, epsilon 1e-7) and batch, in channels_last memory format, eager or
through torch.compile, timed the same way as losslens (a fixed number of batches after a warm-up)
and printed as one JSON line for bench/run.mjs."""
import json
import os
import resource
import time

import torch
from torch import nn

from peer_common import arguments, synthetic_data


def build() -> nn.Module:
    def conv(cin: int, cout: int) -> nn.Conv2d:
        layer = nn.Conv2d(cin, cout, 3, padding=1)
        # Keras's initialisation: Glorot-uniform kernels, zero biases.
        nn.init.xavier_uniform_(layer.weight)
        nn.init.zeros_(layer.bias)
        return layer

    return nn.Sequential(
        conv(1, 32), nn.ReLU(), nn.MaxPool2d(2),
        conv(32, 32), nn.ReLU(), nn.MaxPool2d(2),
        conv(32, 32), nn.ReLU(), nn.Upsample(scale_factor=2, mode="nearest"),
        conv(32, 32), nn.ReLU(), nn.Upsample(scale_factor=2, mode="nearest"),
        conv(32, 1),
    )


def main():
    args = arguments("--compile", "train through torch.compile")

    torch.manual_seed(0)
    torch.set_num_threads(os.cpu_count() or 1)
    inputs, targets = synthetic_data(args, channels_first=True)
    x_all = torch.from_numpy(inputs).contiguous(memory_format=torch.channels_last)
    y_all = torch.from_numpy(targets).contiguous(memory_format=torch.channels_last)

    model = build().to(memory_format=torch.channels_last)
    parameters = sum(p.numel() for p in model.parameters())
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7)
    loss_fn = nn.BCEWithLogitsLoss()

    def step(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        return loss

    train = torch.compile(step) if args.compile else step

    def run(first: int, count: int) -> float:
        order = torch.randperm(count * args.batch_size) + first * args.batch_size
        loss = torch.zeros(())
        for b in range(count):
            index = order[b * args.batch_size:(b + 1) * args.batch_size]
            x = x_all[index].contiguous(memory_format=torch.channels_last)
            y = y_all[index].contiguous(memory_format=torch.channels_last)
            loss = train(x, y)
        return float(loss.detach())

    run(0, args.warmup)
    started = time.perf_counter()
    loss = run(args.warmup, args.batches)
    seconds = time.perf_counter() - started
    samples = args.batches * args.batch_size
    print(json.dumps({
        "side": args.side,
        "compile": args.compile,
        "parameters": parameters,
        "batches": args.batches,
        "batchSize": args.batch_size,
        "seconds": seconds,
        "samplesPerSecond": samples / seconds,
        "loss": loss,
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "peakRssMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


if __name__ == "__main__":
    main()
