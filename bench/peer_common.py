"""What the Python peers of `npm run bench` share: their command line and their synthetic
batches (uniform targets, inputs with Gaussian noise of 0.5 clipped to [0, 1]), so that Keras and
PyTorch train on the same numbers."""
import argparse

import numpy as np


def arguments(extra_flag: str, extra_help: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--side", type=int, required=True)
    parser.add_argument("--batches", type=int, required=True)
    parser.add_argument("--warmup", type=int, required=True)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument(extra_flag, action="store_true", help=extra_help)
    return parser.parse_args()


def synthetic_data(args: argparse.Namespace, channels_first: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(inputs, targets) for the warm-up and timed batches, NHWC or NCHW."""
    rng = np.random.default_rng(0)
    total = (args.warmup + args.batches) * args.batch_size
    shape = (total, 1, args.side, args.side) if channels_first else (total, args.side, args.side, 1)
    targets = rng.uniform(size=shape).astype("float32")
    inputs = np.clip(targets + 0.5 * rng.normal(size=shape), 0, 1).astype("float32")
    return inputs, targets
