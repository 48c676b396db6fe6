"""Turns bench/run's raw measurements into one Markdown table of ratios against the baselines of the same run.

Every load figure is the median over runs; the spread is the smallest and largest value over runs. Ratios pair
run i of one target with run i of the other (targets take turns within a run, so a pair shares the machine's state).
"""

import argparse
import json
import os
import statistics
from collections import defaultdict

parser = argparse.ArgumentParser()
for name in ("load", "controlplane", "deploy", "init", "rss-idle", "rss-after", "creates", "cores", "versions",
             "instances", "settings", "jmh"):
    parser.add_argument("--" + name, required=True)
args = parser.parse_args()

# target -> run -> {rps, mean_us, p50_us, p99_us, errors}
load = defaultdict(dict)
for line in open(args.load):
    target, run, summary = line.rstrip("\n").split("\t")
    fields = dict(item.split("=") for item in summary.split()[1:])
    seconds = int(fields["duration_us"]) / 1e6
    load[target][int(run)] = {"rps": int(fields["requests"]) / seconds, "mean_us": float(fields["mean_us"]),
                              "p50_us": int(fields["p50_us"]), "p99_us": int(fields["p99_us"]),
                              "errors": int(fields["errors"])}
runs = sorted(next(iter(load.values())).keys())


def series(target, field):
    return [load[target][run][field] for run in runs]


def paired(f):
    return [f(run) for run in runs]


def summary(values, fmt):
    return f"{fmt.format(statistics.median(values))} ({fmt.format(min(values))}–{fmt.format(max(values))})"


def per_request_us(target, run):
    # Time per request at saturation: what one more hop costs shows up here, whichever process spends it.
    return 1e6 / load[target][run]["rps"]


def tax(target, run):
    return per_request_us(target, run) - per_request_us("bare", run)


def verdict(value, goal, higher_is_better):
    return "met" if (value >= goal if higher_is_better else value <= goal) else "not met"


rows = []


def figure(name, values, fmt, goal_text, goal, higher_is_better):
    value = statistics.median(values)
    rows.append((name, goal_text, summary(values, fmt), verdict(value, goal, higher_is_better)))


figure("Enclave (key) rps / gunicorn+Flask rps", paired(lambda r: load["enclave-key"][r]["rps"] / load["gunicorn"][r]["rps"]),
       "{:.2f}", "≥ 2.0", 2.0, True)
figure("Enclave (key) p99 / gunicorn+Flask p99", paired(lambda r: load["enclave-key"][r]["p99_us"] / load["gunicorn"][r]["p99_us"]),
       "{:.2f}", "≤ 0.5", 0.5, False)


def proxy_tax_figure(name, baseline, goal_text, goal):
    # A run where the baseline added nothing measurable (its time per request within 1 µs of the bare worker's, or
    # below it) has no meaningful ratio: it is left out, and the row says how many runs remain.
    measurable = [r for r in runs if tax(baseline, r) > 1]
    if len(measurable) * 2 <= len(runs):
        rows.append((name, goal_text, "nginx added no measurable time in most runs (see below)", "n/a"))
        return
    ratios = [tax("enclave-key", r) / tax(baseline, r) for r in measurable]
    value = statistics.median(ratios)
    measured = summary(ratios, "{:.2f}")
    if len(measurable) < len(runs):
        measured += f", {len(measurable)} of {len(runs)} runs (nginx added nothing measurable in the others)"
    rows.append((name, goal_text, measured, verdict(value, goal, False)))


# Like for like: Enclave's gateway only serves HTTPS, and so would an nginx that checks API keys in front of a model.
proxy_tax_figure("proxy tax: Enclave (key, HTTPS) / nginx (key check, HTTPS)", "nginx-tls-key", "≤ 1.0", 1.0)
# The same against nginx without TLS, for reference: what TLS itself costs is in this ratio too.
proxy_tax_figure("(reference) proxy tax: Enclave (key, HTTPS) / nginx (key check, plain HTTP)", "nginx-key", "(≤ 1.0)", 1.0)
figure("aml_token rps / key rps", paired(lambda r: load["enclave-aml"][r]["rps"] / load["enclave-key"][r]["rps"]), "{:.3f}", "≥ 0.95", 0.95, True)
figure("aad_token rps / key rps", paired(lambda r: load["enclave-aad"][r]["rps"] / load["enclave-key"][r]["rps"]), "{:.3f}", "≥ 0.95", 0.95, True)

deploys = [float(x) for x in open(args.deploy)]
inits = [float(x) for x in open(args.init)]
# Each deploy is paired with the bare init() timed just before it. The first deploy after `up` starts its interpreter
# cold; the others start from the standby interpreter (see bench/run).
cold, warm = deploys[0], deploys[1:]
figure("`online-deployment create` wall time / bare `import score; score.init()` (worker from the standby interpreter)",
       [d / i for d, i in zip(warm, inits[1:])], "{:.2f}", "≤ 2.0", 2.0, False)
figure("`online-deployment create` wall time (CLI, s, worker from the standby interpreter)", warm, "{:.2f}", "< 3 s", 3.0, False)
rows.append(("(reference) first deploy after `up`, interpreter started cold: wall time / bare init()", "(≤ 2.0)",
             f"{cold / inits[0]:.2f} ({cold:.2f} s, one deploy)", verdict(cold / inits[0], 2.0, False)))
rss_idle, rss_after = int(args.rss_idle) / 1024, int(args.rss_after) / 1024
rows.append(("server RSS idle (MiB)", "< 300", f"{rss_idle:.0f}", verdict(rss_idle, 300, False)))
rows.append((f"server RSS after the load and {args.creates} endpoints (MiB)", "< 400", f"{rss_after:.0f}", verdict(rss_after, 400, False)))
control = json.load(open(args.controlplane))
rows.append((f"endpoint create p99 over {args.creates} (ms)", "< 50", f"{control['create_ms']['p99']:.1f} (p50 {control['create_ms']['p50']:.1f}, max {control['create_ms']['max']:.1f})",
             verdict(control["create_ms"]["p99"], 50, False)))
rows.append((f"`list` of {control['listed']} endpoints (ms)", "< 100", f"{control['list_ms']['p50']:.1f} (max {control['list_ms']['max']:.1f} over 10)",
             verdict(control["list_ms"]["p50"], 100, False)))

print(f"# Enclave benchmark, {os.popen('date -u +%Y-%m-%dT%H:%MZ').read().strip()}\n")
print(f"Machine: {args.cores} cores. {args.settings}. Load figures: median over runs (min–max in brackets); "
      f"ratios pair the runs of the two targets. Worker processes per server: {args.instances}.\n")
print("| figure | goal | measured | |")
print("| --- | --- | --- | --- |")
for name, goal, measured, status in rows:
    print(f"| {name} | {goal} | {measured} | {status} |")

print("\n## Absolute numbers\n")
print("| target | rps | mean µs | p50 µs | p99 µs | µs/request at saturation | added over bare worker (µs) | errors |")
print("| --- | --- | --- | --- | --- | --- | --- | --- |")
described = {
    "gunicorn": "gunicorn + Flask, same score.py, no auth (HTTP)",
    "bare": "bare worker: enclave_worker.py's handler on TCP, no proxy (HTTP)",
    "nginx-plain": "nginx → worker Unix socket, no auth (HTTP)",
    "nginx-key": "nginx with key check (map) → worker Unix socket (HTTP)",
    "nginx-tls-key": "nginx with key check (map) → worker Unix socket (HTTPS, TLS 1.3, P-256)",
    "enclave-key": "Enclave gateway, key auth (HTTPS)",
    "enclave-aml": "Enclave gateway, aml_token (HTTPS)",
    "enclave-aad": "Enclave gateway, aad_token + RBAC (HTTPS)",
}
for target in load:
    print(f"| {described.get(target, target)} | {summary(series(target, 'rps'), '{:.0f}')} | {summary(series(target, 'mean_us'), '{:.0f}')} "
          f"| {summary(series(target, 'p50_us'), '{:.0f}')} | {summary(series(target, 'p99_us'), '{:.0f}')} "
          f"| {summary(paired(lambda r: per_request_us(target, r)), '{:.0f}')} | {summary(paired(lambda r: tax(target, r)), '{:.0f}')} "
          f"| {sum(series(target, 'errors'))} |")
print(f"\nDeploy: CLI wall times {', '.join(f'{d:.2f}' for d in deploys)} s (one per endpoint, including the CLI's JVM start, "
      f"upload and probes; the first started its interpreter cold, the others from the standby interpreter); bare "
      f"`python3 -c \"import score; score.init()\"` just before each: {', '.join(f'{i:.2f}' for i in inits)} s.")
print("Proxy tax = time per request at saturation (1/rps) of the target minus that of the bare worker in the same run. "
      "The bare worker is Enclave's worker script serving TCP (wrk cannot open a Unix socket); Enclave and nginx reach it over "
      "its Unix socket. Server RSS is the Enclave JVM only (VmRSS), not its Python workers.")

if os.path.exists(args.jmh):
    print("\n## Micro-benchmarks (JMH, average time per operation)\n")
    print("| benchmark | ns/op | error |")
    print("| --- | --- | --- |")
    for result in json.load(open(args.jmh)):
        metric = result["primaryMetric"]
        name = result["benchmark"].rsplit(".", 2)
        print(f"| {name[-2]}.{name[-1]} | {metric['score']:.1f} | ± {metric['scoreError']:.1f} |")
    print(f"\n(JMH, 1 fork, 3 x 1 s measured after 2 x 1 s warm-up, run by bench/run before the load; `bench/jmh/run` alone refreshes it)")

print("\n## Versions\n")
for line in args.versions.splitlines():
    print(f"- {line}")
