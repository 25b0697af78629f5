"""Times the GPU check's ONNX models (export-models.mjs) with this machine's onnxruntime on the CPU
execution provider, on one thread and on every core: median of timed runs after warm-up, as JSON on
stdout. Input: normal(0, 1) float32 (the bench's element-wise inputs are of that order)."""
import json
import os
import statistics
import sys
import time

import numpy as np
import onnxruntime as ort

directory = sys.argv[1]
cores = os.cpu_count() or 1
results = []
for name in sorted(os.listdir(directory)):
    if not name.endswith('.onnx'):
        continue
    path = os.path.join(directory, name)
    for threads in sorted({1, cores}):
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        session = ort.InferenceSession(path, options, providers=['CPUExecutionProvider'])
        inp = session.get_inputs()[0]
        x = np.random.default_rng(1).standard_normal(inp.shape, dtype=np.float32)
        feed = {inp.name: x}
        for _ in range(3):
            session.run(None, feed)
        times = []
        deadline = time.perf_counter() + 1.0
        while len(times) < 5 or (time.perf_counter() < deadline and len(times) < 50):
            t0 = time.perf_counter()
            session.run(None, feed)
            times.append((time.perf_counter() - t0) * 1e3)
        results.append({'model': name[:-5], 'threads': threads, 'medianMs': statistics.median(times), 'runs': len(times)})
print(json.dumps({'onnxruntime': ort.__version__, 'cores': cores, 'results': results}, indent=1))
