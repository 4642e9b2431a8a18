#!/usr/bin/env python3
"""cuDNN baseline for cnnbench: PyTorch conv2d + bias + ReLU (fp32) on cnnbench's layers.

Runs the convolution layers of cnnbench suite files (and --layer specs) as
``F.relu(F.conv2d(x, w, b, stride, padding, dilation, groups))`` with TF32 off and
``cudnn.benchmark`` on, times them with CUDA events and writes JSON in the schema that
``cnnbench --vs-json FILE`` reads, so cnnbench can print per-layer ratios against cuDNN.
Pooling lines are skipped. A human-readable table goes to stderr as the layers run.

Usage (on a machine with an NVIDIA GPU and a CUDA build of PyTorch):

    python3 bench/gpu/cudnn_baseline.py --suite resnet50 --out resnet50-cudnn.json
    python3 bench/gpu/cudnn_baseline.py --suite vgg16 --suite deepbench --batch 32 \\
        --reps 50 --warmup 10 --out b32-cudnn.json
    python3 bench/gpu/cudnn_baseline.py --layer 'mb1ic64ih56oc64oh56kh3ph1n"res2a_branch2b"'
    python3 bench/gpu/cudnn_baseline.py --suite seed --parse-only    # shapes only, no torch

Testing without a GPU: ``--device cpu`` runs the same code on PyTorch's CPU backend and
times with time.perf_counter (the peer is then labelled "torch_cpu", not "cudnn").

Problem syntax: oneDNN benchdnn descriptors as cnnbench reads them (bench/problem.h,
bench/suite.c): fields mb g ic ih iw oc oh ow kh kw sh sw ph pw dh dw n"name"; defaults
mb 1, g 1, stride 1, padding 0, dh/dw 0 (benchdnn's d-1 form: dh1 = dilation 2); missing
w-values copy the h-values; a given oh/ow must match, and without ph/pw the padding is
deduced from oh/ow as benchdnn does (the odd pixel at the end, so it may be asymmetric).
Suite lines may carry --count=N (how many layers of the network have that shape).

Exit status: 0 every layer timed; 1 a layer failed (its JSON entry says why); 2 usage or
suite error; 3 the requested device cannot be used (no torch, or no CUDA).
"""

import argparse
import datetime
import json
import os
import platform
import shlex
import socket
import statistics
import subprocess
import sys
import time

SCRIPT_DIR = os.path.dirname(os.path.abspath(__file__))
SUITE_DIR = os.path.normpath(os.path.join(SCRIPT_DIR, "..", "suites"))
DEFAULT_SUITE = "resnet50"  # cnnbench's default when neither --suite nor --layer is given

# ---------------------------------------------------------------------------------------
# Problem parsing: a port of bench/problem.c and bench/suite.c, so that both tools resolve
# every line to the same shape (checked against cnnbench's --json output).
# ---------------------------------------------------------------------------------------

FIELDS = ("mb", "g", "ic", "ih", "iw", "oc", "oh", "ow", "kh", "kw", "sh", "sw", "ph",
          "pw", "dh", "dw", "id", "od", "kd", "sd", "pd", "dd")
FIELDS_3D = ("id", "od", "kd", "sd", "pd", "dd")
FIELD_LIST = 'mb g ic ih iw oc oh ow kh kw sh sw ph pw dh dw n"name"'
FIELD_MAX = 2147483647  # problem.c caps values so its int64 arithmetic cannot overflow
NAME_MAX = 127
BLANKS = " \t\r\n"
POOL_ALGS = ("max", "avg_p", "avg_np")


class SpecError(ValueError):
    pass


def _tokens(text):
    """Blank-separated tokens with their 0-based start; quotes keep blanks inside a token."""
    out, i = [], 0
    while i < len(text):
        if text[i] in BLANKS:
            i += 1
            continue
        start, quoted = i, False
        while i < len(text) and (quoted or text[i] not in BLANKS):
            if text[i] == '"':
                quoted = not quoted
            i += 1
        out.append((start, text[start:i]))
    return out


def _parse_descriptor(s, col0):
    values, name = {}, None
    i = 0
    while i < len(s):
        ch = s[i]
        if ch == "_":
            i += 1
            continue
        if ch == "n":  # the name: n"text", or n followed by the rest of the descriptor
            if name is not None:
                raise SpecError(f"column {col0 + i}: the name n is given twice")
            start = i + 1
            if start < len(s) and s[start] == '"':
                close = s.find('"', start + 1)
                if close < 0:
                    raise SpecError(f"column {col0 + start}: the name's closing quote is missing")
                name, i = s[start + 1:close], close + 1
            else:
                name, i = s[start:], len(s)
            if len(name.encode()) > NAME_MAX:
                raise SpecError(f"column {col0 + start}: the name is longer than {NAME_MAX} "
                                "characters")
            continue
        if not "a" <= ch <= "z":
            raise SpecError(f"column {col0 + i}: unexpected character '{ch}' (expected a "
                            f"field: {FIELD_LIST})")
        key_at = i
        while i < len(s) and "a" <= s[i] <= "z":
            i += 1
        key = s[key_at:i]
        if key not in FIELDS:
            raise SpecError(f"column {col0 + key_at}: unknown field '{key}' (fields: "
                            f"{FIELD_LIST})")
        if key in values:
            raise SpecError(f"column {col0 + key_at}: field '{key}' is given twice")
        if i >= len(s) or not "0" <= s[i] <= "9":
            raise SpecError(f"column {col0 + i}: field '{key}' needs a number")
        digits_at = i
        while i < len(s) and "0" <= s[i] <= "9":
            i += 1
        v = int(s[digits_at:i])
        if v > FIELD_MAX:
            raise SpecError(f"column {col0 + key_at}: the value of '{key}' is larger than "
                            f"{FIELD_MAX}")
        values[key] = v
    return values, name


def _deduce_pad(out, inp, k, d, s):
    """benchdnn's padding for a given output size: the odd pixel goes to the end."""
    total = (out - 1) * s - inp + (k - 1) * (d + 1) + 1
    return (total // 2, total - total // 2) if total > 0 else (0, 0)


def parse_problem(spec):
    """One benchdnn-style problem -> dict of resolved sizes, or None for a pooling problem.

    The dict uses cnnbench's internal names (dh/dw in the d-1 form, ph/pb/pw/pr pads)."""
    op, alg, desc = None, None, None
    for start, tok in _tokens(spec):
        col = start + 1
        if tok in ("--conv", "--pool"):
            if op is not None and op != tok[2:]:
                raise SpecError(f"column {col}: --conv and --pool are both given")
            op = tok[2:]
        elif tok.startswith("--alg=") and len(tok) > 6:
            if alg is not None:
                raise SpecError(f"column {col}: --alg is given twice")
            alg = tok[6:]
        elif tok.startswith("--"):
            raise SpecError(f"column {col}: unknown option '{tok}' (options: --conv, --pool, "
                            "--alg=NAME)")
        elif desc is not None:
            raise SpecError(f"column {col}: a second descriptor '{tok}' (one per problem)")
        else:
            desc = (tok, col)
    if desc is None:
        raise SpecError("no descriptor (e.g. mb1ic64ih56oc64kh3ph1)")
    if op == "pool":
        return None  # conv only: cuDNN pooling is not what this baseline compares
    if alg is not None and alg.lower() in POOL_ALGS:
        raise SpecError(f"'{alg}' is a pooling algorithm: write --pool before it")

    v, name = _parse_descriptor(*desc)
    for f in FIELDS_3D:
        if f in v:
            raise SpecError(f"'{f}' is a 3-D field: cnncl convolves 2-D images")
    if "oc" not in v:
        raise SpecError("the output channels oc are missing")
    if "ic" not in v:
        raise SpecError("the input channels ic are missing")
    given = set(v)
    if "ih" not in v:  # 1-D: only w-values
        if "iw" not in v:
            raise SpecError("the input size ih (and iw) is missing")
        for f in ("kh", "oh", "sh", "ph", "dh"):
            if f in v:
                raise SpecError(f"'{f}' is given without ih (a descriptor with iw only is 1-D)")
        if "kw" not in v:
            raise SpecError("the kernel size kw is missing")
        v.update(ih=1, kh=1, sh=1, ph=0, dh=0)
        given |= {"ih", "kh", "sh", "ph", "dh"}
    elif "kh" not in v:
        raise SpecError("the kernel size kh is missing")
    v.setdefault("mb", 1)  # benchdnn: 2; cnnbench measures batch-1 inference first
    v.setdefault("g", 1)
    v.setdefault("sh", 1)
    v.setdefault("dh", 0)
    v.setdefault("iw", v["ih"])
    v.setdefault("kw", v["kh"])
    v.setdefault("sw", v["sh"])
    v.setdefault("dw", v["dh"])
    for f in ("mb", "g", "ic", "ih", "iw", "oc", "kh", "kw", "sh", "sw"):
        if v[f] < 1:
            raise SpecError(f"'{f}' must be at least 1")
    for f in ("oh", "ow"):
        if f in given and v[f] < 1:
            raise SpecError(f"'{f}' must be at least 1")
    if v["ic"] % v["g"] or v["oc"] % v["g"]:
        raise SpecError(f"g{v['g']} must divide ic{v['ic']} and oc{v['oc']}")

    p = {k: v[k] for k in ("mb", "g", "ic", "ih", "iw", "oc", "kh", "kw", "sh", "sw", "dh",
                           "dw")}
    if "ph" in given:
        p["ph"] = p["pb"] = v["ph"]
    elif "oh" in given:
        p["ph"], p["pb"] = _deduce_pad(v["oh"], p["ih"], p["kh"], p["dh"], p["sh"])
    else:
        p["ph"] = p["pb"] = 0
    if "pw" in given:
        p["pw"] = p["pr"] = v["pw"]
    elif "ow" in given:
        p["pw"], p["pr"] = _deduce_pad(v["ow"], p["iw"], p["kw"], p["dw"], p["sw"])
    else:
        p["pw"], p["pr"] = p["ph"], p["pb"]

    eh = (p["kh"] - 1) * (p["dh"] + 1) + 1
    ew = (p["kw"] - 1) * (p["dw"] + 1) + 1
    padded_h = p["ih"] + p["ph"] + p["pb"]
    padded_w = p["iw"] + p["pw"] + p["pr"]
    if eh > padded_h or ew > padded_w:
        raise SpecError(f"the kernel extent {eh}x{ew} (kh{p['kh']} kw{p['kw']} dh{p['dh']} "
                        f"dw{p['dw']}) is larger than the padded input {padded_h}x{padded_w}")
    p["oh"] = (padded_h - eh) // p["sh"] + 1
    p["ow"] = (padded_w - ew) // p["sw"] + 1
    for f, axis in (("oh", "height"), ("ow", "width")):
        if f in given and v[f] != p[f]:
            raise SpecError(f"{f}{v[f]} does not match the computed output {axis} {p[f]}")
    p["name"] = name or ""
    p["alg"] = alg
    return p


def parse_suite_line(line):
    """A suite line -> (entry, problem dict or None for pooling, count), or None when blank.

    The comment starts at the first '#' outside quotes; --count=N is the suite's own knob."""
    quoted, hash_at = False, len(line)
    for i, ch in enumerate(line):
        if ch == '"':
            quoted = not quoted
        elif ch == "#" and not quoted:
            hash_at = i
            break
    spec = line[:hash_at]
    count, count_given, any_token = 1, False, False
    for start, tok in _tokens(spec):
        any_token = True
        if len(tok) > 8 and tok.startswith("--count="):
            if count_given:
                raise SpecError(f"column {start + 1}: --count is given twice")
            digits = tok[8:]
            if not digits.isdigit() or not 1 <= int(digits) <= 1000000000:
                raise SpecError(f"column {start + 1}: --count needs a whole number from 1 to "
                                "1000000000")
            count, count_given = int(digits), True
            # blank it out so that the columns of later errors stay right
            spec = spec[:start] + " " * len(tok) + spec[start + len(tok):]
    if not any_token:
        return None
    return parse_problem(spec), count


def resolve_suite(name):
    """cnnbench's rule: a NAME containing '/' or ending .txt is a path, else a suite name."""
    if "/" in name or name.endswith(".txt"):
        return name
    return os.path.join(SUITE_DIR, name + ".txt")


def load_work(suites, layers):
    """Every entry, in cnnbench's order: the suites' lines, then the --layer specs.

    Returns a list of (display name, problem dict or None for pooling, count). A layer
    without a name is called "#N", N counting every entry (pooling too), as cnnbench does."""
    entries = []
    for suite in suites:
        path = resolve_suite(suite)
        try:
            with open(path, encoding="utf-8") as f:
                lines = f.read().splitlines()
        except OSError as e:
            avail = sorted(n[:-4] for n in os.listdir(SUITE_DIR) if n.endswith(".txt")) \
                if os.path.isdir(SUITE_DIR) else []
            raise SpecError(f"no suite '{suite}': {path}: {e.strerror}"
                            + (f" (suites there: {', '.join(avail)})" if avail else ""))
        for lineno, line in enumerate(lines, 1):
            try:
                got = parse_suite_line(line)
            except SpecError as e:
                raise SpecError(f"{path}:{lineno}: {e}") from None
            if got is not None:
                entries.append(got)
    for spec in layers:
        try:
            entries.append((parse_problem(spec), 1))
        except SpecError as e:
            raise SpecError(f"--layer '{spec}': {e}") from None
    return [((p["name"] if p and p["name"] else f"#{i + 1}"), p, count)
            for i, (p, count) in enumerate(entries)]


def layer_fields(p):
    """The problem in the JSON schema's names (real dilation, resolved pads)."""
    return {"n": p["mb"], "c": p["ic"], "h": p["ih"], "w": p["iw"], "k": p["oc"],
            "r": p["kh"], "s": p["kw"], "stride_h": p["sh"], "stride_w": p["sw"],
            "pad_top": p["ph"], "pad_bottom": p["pb"], "pad_left": p["pw"],
            "pad_right": p["pr"], "dilation_h": p["dh"] + 1, "dilation_w": p["dw"] + 1,
            "groups": p["g"], "oh": p["oh"], "ow": p["ow"]}


def flops(p):
    return 2.0 * p["mb"] * p["oc"] * p["oh"] * p["ow"] * (p["ic"] // p["g"]) * p["kh"] * p["kw"]


def summary(p):
    """cnnbench's short form: 1x64x56x56 3x3/1p1 -> 64x56x56."""
    def pad(a, b):
        return f"p{a}" if a == b else f"p{a}+{b}"
    text = f"{p['mb']}x{p['ic']}x{p['ih']}x{p['iw']} {p['kh']}x{p['kw']}/"
    text += f"{p['sh']}" if p["sh"] == p["sw"] else f"{p['sh']}x{p['sw']}"
    text += pad(p["ph"], p["pb"])
    if not (p["ph"] == p["pw"] and p["pb"] == p["pr"]):
        text += "," + pad(p["pw"], p["pr"])
    if p["dh"] or p["dw"]:
        text += f" dil{p['dh'] + 1}x{p['dw'] + 1}"
    if p["g"] != 1:
        text += f" g{p['g']}"
    return text + f" -> {p['oc']}x{p['oh']}x{p['ow']}"


# ---------------------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------------------

def sig6(x):
    return None if x is None else float(f"{x:.6g}")


def time_layer(torch, F, p, dev, reps, warmup):
    """Times relu(conv2d + bias) on p; returns (list of ms per call, note)."""
    note = []
    symmetric = p["ph"] == p["pb"] and p["pw"] == p["pr"]
    # Inputs are made on the device with a fixed seed; their values do not change the timing.
    gen = torch.Generator(device=dev).manual_seed(20240601)
    x = torch.randn(p["mb"], p["ic"], p["ih"], p["iw"], device=dev, generator=gen)
    w = torch.randn(p["oc"], p["ic"] // p["g"], p["kh"], p["kw"], device=dev, generator=gen)
    b = torch.randn(p["oc"], device=dev, generator=gen)
    if symmetric:
        padding = (p["ph"], p["pw"])
    else:
        # conv2d pads symmetrically only: pad once here, outside the timed region.
        x = F.pad(x, (p["pw"], p["pr"], p["ph"], p["pb"])).contiguous()
        padding = (0, 0)
        note.append(f"asymmetric padding t{p['ph']} b{p['pb']} l{p['pw']} r{p['pr']}: input "
                    "pre-padded with F.pad outside the timed region, conv2d padding 0")
    if p.get("alg"):
        note.append(f"--alg={p['alg']} is cnncl's and does not apply here")
    stride, dilation = (p["sh"], p["sw"]), (p["dh"] + 1, p["dw"] + 1)

    def call():
        return F.relu(F.conv2d(x, w, b, stride, padding, dilation, p["g"]))

    with torch.inference_mode():
        y = call()
        if tuple(y.shape) != (p["mb"], p["oc"], p["oh"], p["ow"]):
            raise RuntimeError(f"PyTorch's output is {tuple(y.shape)}, expected "
                               f"{(p['mb'], p['oc'], p['oh'], p['ow'])}")
        del y
        for _ in range(warmup):  # also where cudnn.benchmark runs its algorithm search
            call()
        times = []
        if dev == "cuda":
            torch.cuda.synchronize()
            events = [(torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True))
                      for _ in range(reps)]
            for start, end in events:
                start.record()
                call()
                end.record()
            torch.cuda.synchronize()
            times = [start.elapsed_time(end) for start, end in events]
        else:
            for _ in range(reps):
                t0 = time.perf_counter()
                call()
                times.append((time.perf_counter() - t0) * 1e3)
    return times, "; ".join(note)


def cpu_name():
    name = platform.processor()
    if name and name not in ("x86_64", "aarch64", "arm64", "i386"):
        return name
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return name or platform.machine()


def cuda_driver_version(torch):
    """The NVIDIA driver's version from nvidia-smi; else the driver API version; else None."""
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader",
                              "-i", str(torch.cuda.current_device())],
                             capture_output=True, text=True, timeout=20)
        if out.returncode == 0 and out.stdout.strip():
            return out.stdout.strip().splitlines()[0]
    except (OSError, subprocess.SubprocessError):
        pass
    try:
        import ctypes
        ver = ctypes.c_int()
        if ctypes.CDLL("libcuda.so.1").cuDriverGetVersion(ctypes.byref(ver)) == 0:
            return f"CUDA driver API {ver.value // 1000}.{ver.value % 1000 // 10}"
    except (OSError, AttributeError):
        pass
    return None


def write_json(doc, path):
    text = json.dumps(doc, indent=2) + "\n"
    if path is None:
        sys.stdout.write(text)
        return
    # Rewritten after every layer, atomically: a run cut short still leaves valid JSON.
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def parse_batches(text):
    try:
        batches = [int(t) for t in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not N or N,N,...") from None
    if not batches or any(not 1 <= b <= FIELD_MAX for b in batches):
        raise argparse.ArgumentTypeError(f"batch sizes must be between 1 and {FIELD_MAX}")
    return batches


def positive(text):
    v = int(text)
    if v < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return v


def non_negative(text):
    v = int(text)
    if v < 0:
        raise argparse.ArgumentTypeError("must be at least 0")
    return v


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    ap = argparse.ArgumentParser(
        description="cuDNN (PyTorch) conv2d + bias + ReLU baseline for cnnbench's layers; "
                    "writes JSON for cnnbench --vs-json.")
    ap.add_argument("--suite", action="append", default=[], metavar="NAME_OR_PATH",
                    help=f"a suite of {SUITE_DIR} or a suite file (contains '/' or ends .txt); "
                         "repeatable. Default: resnet50 when no --layer is given")
    ap.add_argument("--layer", action="append", default=[], metavar="SPEC",
                    help="one problem in benchdnn syntax (cnnbench --help); repeatable")
    ap.add_argument("--batch", type=parse_batches, metavar="N[,N...]",
                    help="replace every problem's mb; several sizes run the list once each")
    ap.add_argument("--out", metavar="FILE", help="JSON output (default: stdout)")
    ap.add_argument("--device", choices=("cuda", "cpu"), default="cuda",
                    help="cuda (default) or cpu (for testing without a GPU)")
    ap.add_argument("--reps", type=positive, default=20, help="timed calls per layer (20)")
    ap.add_argument("--warmup", type=non_negative, default=5,
                    help="untimed calls first; cudnn.benchmark searches here (5)")
    ap.add_argument("--max-layers", type=positive, metavar="N",
                    help="run only the first N convolution layers (quick tests)")
    ap.add_argument("--parse-only", action="store_true",
                    help="print the resolved layers as JSON and exit (no torch needed)")
    args = ap.parse_args(argv)

    suites = args.suite or ([] if args.layer else [DEFAULT_SUITE])
    try:
        work = load_work(suites, args.layer)
    except SpecError as e:
        print(f"cudnn_baseline: {e}", file=sys.stderr)
        return 2
    convs = [(name, p, count) for name, p, count in work if p is not None]
    if not convs:
        print("cudnn_baseline: no convolution layers to run", file=sys.stderr)
        return 2
    if args.max_layers:
        convs = convs[:args.max_layers]
    runs = []  # (name, problem with the batch applied, count), batch-major like cnnbench
    for batch in args.batch or [None]:
        for name, p, count in convs:
            runs.append((name, dict(p, mb=batch) if batch else p, count))

    if args.parse_only:
        write_json([dict(name=n, **layer_fields(p), count=c) for n, p, c in runs], args.out)
        return 0

    try:
        import torch
        import torch.nn.functional as F
    except ImportError as e:
        print(f"cudnn_baseline: cannot import torch ({e}); install PyTorch (a CUDA build for "
              "--device cuda)", file=sys.stderr)
        return 3
    if args.device == "cuda" and not torch.cuda.is_available():
        found = (f"torch {torch.__version__} built without CUDA" if torch.version.cuda is None
                 else f"torch {torch.__version__} (CUDA {torch.version.cuda}) sees no usable "
                      f"GPU ({torch.cuda.device_count()} devices)")
        print(f"cudnn_baseline: --device cuda asked for, but {found}; use a GPU machine or "
              "--device cpu", file=sys.stderr)
        return 3

    # The comparison is plain fp32: TF32 would change both speed and precision.
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.benchmark = True

    cudnn_version = torch.backends.cudnn.version() if torch.backends.cudnn.is_available() \
        else None
    if args.device == "cuda":
        peer = "cudnn"
        how = (f"cuDNN {cudnn_version}" if cudnn_version else "cuDNN NOT available") + \
            ", fp32, TF32 off, cudnn.benchmark, CUDA events"
        if not cudnn_version:
            print("cudnn_baseline: warning: torch reports no cuDNN; conv2d uses PyTorch's own "
                  "CUDA kernels", file=sys.stderr)
        device = {"name": torch.cuda.get_device_name(), "type": "gpu",
                  "driver": cuda_driver_version(torch)}
    else:
        peer = "torch_cpu"  # not cuDNN: a different label so nobody mistakes these numbers
        how = f"CPU ({torch.get_num_threads()} threads), fp32, perf_counter"
        device = {"name": cpu_name(), "type": "cpu", "driver": None}
    device.update(cuda=torch.version.cuda, torch=torch.__version__, cudnn=cudnn_version)
    doc = {
        "format_version": 1,
        "peer": peer,
        "peer_note": f"PyTorch {torch.__version__}, {how}, median of {args.reps} after "
                     f"{args.warmup} warm-up",
        "device": device,
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "host": socket.gethostname(),
        "command": shlex.join([sys.argv[0]] + list(argv)),
        "layers": [],
    }

    print(f"{peer}: {device['name']}; {doc['peer_note']}", file=sys.stderr)
    print(f"{'layer':<24} {'shape':<44} {'ms med':>10} {'ms min':>10} {'ms max':>10} "
          f"{'GFLOP/s':>10}", file=sys.stderr)
    failed = 0
    for name, p, count in runs:
        row = dict(name=name, op="conv", **layer_fields(p), count=count)
        try:
            times, note = time_layer(torch, F, p, args.device, args.reps, args.warmup)
            med = statistics.median(times)
            row.update(ms_median=sig6(med), ms_min=sig6(min(times)), ms_max=sig6(max(times)),
                       gflops=sig6(flops(p) / med / 1e6) if med > 0 else None,
                       timed_reps=len(times), outcome="timed", error=None, note=note)
            shown = f"{med:10.4f} {min(times):10.4f} {max(times):10.4f} " \
                    f"{flops(p) / med / 1e6 if med > 0 else 0:10.1f}"
        except Exception as e:  # noqa: BLE001 - one layer's failure (OOM, ...) must not stop the rest
            failed += 1
            msg = " ".join(f"{type(e).__name__}: {e}".split())[:500]
            row.update(ms_median=None, ms_min=None, ms_max=None, gflops=None, timed_reps=0,
                       outcome="error", error=msg, note="")
            shown = f"error: {msg[:100]}"
        finally:
            if args.device == "cuda":
                torch.cuda.empty_cache()  # a failed big layer must not starve the next one
        doc["layers"].append(row)
        print(f"{name[:24]:<24} {summary(p):<44} {shown}", file=sys.stderr)
        if args.out:
            write_json(doc, args.out)
    if not args.out:
        write_json(doc, None)
    print(f"{len(runs) - failed} of {len(runs)} layers timed"
          + (f", {failed} failed" if failed else "")
          + (f"; JSON in {args.out}" if args.out else ""), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
