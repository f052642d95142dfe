"""Keras side of `npm run bench`: the question's autoencoder trained with model.fit, timed the
same way as losslens (a fixed number of batches of 128 after a warm-up), printed as one
JSON line so bench/run.mjs can pair it with the losslens figure."""
import json
import os
import resource
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf  # noqa: E402
from keras_reference import build  # noqa: E402
from peer_common import arguments, synthetic_data  # noqa: E402


def main():
    args = arguments("--jit", "compile with jit_compile=True (XLA)")
    inputs, targets = synthetic_data(args)
    model = build(args.side, jit_compile=True if args.jit else "auto")

    warm = args.warmup * args.batch_size
    model.fit(inputs[:warm], targets[:warm], epochs=1, batch_size=args.batch_size, shuffle=True, verbose=0)
    started = time.perf_counter()
    model.fit(inputs[warm:], targets[warm:], epochs=1, batch_size=args.batch_size, shuffle=True, verbose=0)
    seconds = time.perf_counter() - started
    samples = args.batches * args.batch_size
    print(json.dumps({
        "side": args.side,
        "jitCompile": bool(model.jit_compile),
        "batches": args.batches,
        "batchSize": args.batch_size,
        "seconds": seconds,
        "samplesPerSecond": samples / seconds,
        "tensorflow": tf.__version__,
        "intraOpThreads": tf.config.threading.get_intra_op_parallelism_threads(),
        "interOpThreads": tf.config.threading.get_inter_op_parallelism_threads(),
        "peakRssMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


if __name__ == "__main__":
    main()
