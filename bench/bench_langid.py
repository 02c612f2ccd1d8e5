"""Speed of the job's language detector against seeded langdetect, on the job's spans.

    python bench/bench_langid.py [--shared DIR]

Reads every file of ``DIR/monolingual/**`` and ``DIR/mixed/*`` (default
``../shared/data``) with ``jobs.ingest`` and cuts it with ``jobs.segment`` exactly as the
job does; every span with a letter is one item (spans without letters are ``und`` by rule
and never reach any detector). Three methods label the same spans, in this process:

* ``ours``: ``jobs.langid.LanguageDetector`` (candidates en, uk, ru) with each span's
  sentence as context, as ``jobs.langid.label`` calls it;
* ``langdetect``: seeded langdetect over all of its profiles, one detector per span;
* ``langdetect_restricted``: the same with only the uk, ru and en profiles.

Throughput is measured after start-up, so it compares the work per span (best of three
passes, each with every per-text and per-word cache emptied); start-up is
measured separately in a fresh interpreter for each method (import, load and the first
answers to five texts that between them touch every data file), with the peak RSS of
that interpreter (Python itself included). Prints one table with ratios; the LAST line
is one JSON object:
{"langid_speedup_vs_langdetect": x, "langid_speedup_vs_restricted": y,
 "startup_s": {...}, "spans_per_s": {...}, "peak_rss_mb": {...}, "spans": N}.
Without the shared data it prints why it skipped and a JSON line saying so.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CANDIDATES = ("en", "uk", "ru")
METHODS = ("ours", "langdetect", "langdetect_restricted")
# Start-up probes, between them loading every data file the detector uses: a Ukrainian
# sentence (spelling, dictionaries), a word spelt alike in uk and ru (frequency lists,
# context), a form no frequency list has (endings), a close multi-word span (langdetect's
# uk and ru profiles) and an English line.
PROBES = (
    "Вчора в місті йшов дощ",
    "мама",
    "поперекопував",
    "мама мила раму",
    "The weather was fine yesterday",
)
REPEATS = 3  # best of three: the machine is shared, the minimum is the least disturbed

_STARTUP = r"""
import json, sys, time
t0 = time.perf_counter()
sys.path.insert(0, {root!r})
method, probes = {method!r}, {probes!r}
if method == "ours":
    from jobs.langid import LanguageDetector
    d = LanguageDetector({candidates!r}, seed=0)
    answers = [d.detect(probes[1], probes[0] + " " + probes[1])[0]]
    answers += [d.detect(p)[0] for p in probes]
else:
    sys.path.insert(0, {bench!r})
    from bench_langid import make_langdetect
    detect = make_langdetect(None if method == "langdetect" else {candidates!r})
    answers = [detect(p) for p in probes]
seconds = time.perf_counter() - t0
# VmHWM belongs to this program's memory; ru_maxrss would carry the parent's over exec.
with open("/proc/self/status") as f:
    rss = next(int(line.split()[1]) for line in f if line.startswith("VmHWM")) / 1024
print(json.dumps({{"seconds": seconds, "rss_mb": rss, "answers": answers}}))
"""


def make_langdetect(restrict: tuple[str, ...] | None) -> Callable[[str], str]:
    """The same seeded langdetect baselines as the accuracy evaluation."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from eval_langid import seeded_langdetect

    return seeded_langdetect(restrict)


def job_spans(shared: Path) -> list[tuple[str, str]]:
    """(span, its sentence) for every span with a letter, as the job cuts the files."""
    import regex

    from jobs import config as config_module
    from jobs import ingest, segment
    from jobs.records import Source

    config = config_module.load(ROOT / "config" / "job.yaml")
    files = sorted((shared / "monolingual").rglob("*.txt")) + sorted(
        p for p in (shared / "mixed").glob("*") if p.is_file()
    )
    letter = regex.compile(r"\p{L}")
    items: list[tuple[str, str]] = []
    for path in files:
        data = path.read_bytes()
        source = Source(path, path.name, hashlib.sha256(data).hexdigest(), len(data))
        documents, _ = ingest.read(source, config.input)
        for document in documents:
            article = segment.segment(document, config.segment)
            for _, sentence in article.sentences():
                context = sentence.text
                items.extend((s.text, context) for s in sentence.spans if letter.search(s.text))
    return items


def cold_start(method: str) -> dict[str, object]:
    code = _STARTUP.format(
        root=str(ROOT),
        bench=str(ROOT / "bench"),
        method=method,
        probes=PROBES,
        candidates=CANDIDATES,
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=ROOT
    ).stdout
    result: dict[str, object] = json.loads(out.strip().splitlines()[-1])
    return result


def throughput(
    make: Callable[[], Callable[[str, str], str]], items: list[tuple[str, str]]
) -> float:
    """Best of REPEATS passes, each with a labeller from ``make`` (so with cold caches)."""
    best = float("inf")
    for _ in range(REPEATS):
        label = make()
        start = time.perf_counter()
        for text, context in items:
            label(text, context)
        best = min(best, time.perf_counter() - start)
    return best


def fresh_ours() -> Callable[[str, str], str]:
    """A new detector with every per-text and per-word cache empty; data stays loaded."""
    from jobs.langid import LanguageDetector, evidence, lexicon

    for cached in (evidence.word_scores, lexicon.known):
        cached.cache_clear()
    detector = LanguageDetector(CANDIDATES, seed=0)
    return lambda text, context: detector.detect(text, context)[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args(argv)
    if not (args.shared / "monolingual").is_dir():
        reason = f"skipped: no real texts at {args.shared / 'monolingual'}"
        print(f"bench_langid: {reason}")
        print(json.dumps({"langid_bench": reason}))
        return 0

    # Cold starts first, while this process is still small (they run one at a time).
    cold = {m: cold_start(m) for m in METHODS}
    items = job_spans(args.shared)
    distinct = len(set(items))

    warm = fresh_ours()
    for probe in PROBES:  # loads the data files: start-up is measured apart, above
        warm(probe, probe)
    makers: dict[str, Callable[[], Callable[[str, str], str]]] = {"ours": fresh_ours}
    for method, restrict in (("langdetect", None), ("langdetect_restricted", CANDIDATES)):
        detect = make_langdetect(restrict)  # one factory: its profile loading is start-up
        makers[method] = lambda detect=detect: lambda text, context: detect(text)
    seconds = {m: throughput(makers[m], items) for m in METHODS}
    rate = {m: len(items) / seconds[m] for m in METHODS}

    # Work on repeats: the job meets the same breadcrumbs and ad lines in every article.
    again = fresh_ours()
    for text, context in items:
        again(text, context)
    start = time.perf_counter()
    for text, context in items:
        again(text, context)
    repeat = time.perf_counter() - start

    header = (
        f"{'method':<24} {'spans':>6} {'seconds':>8} {'spans/s':>9} {'ours ×':>7}"
        f" {'start-up s':>10} {'peak RSS MB':>11}"
    )
    print(f"spans: {len(items)} ({distinct} distinct) from {args.shared}; best of {REPEATS}")
    print(header)
    print("-" * len(header))
    for m in METHODS:
        print(
            f"{m:<24} {len(items):>6} {seconds[m]:>8.2f} {rate[m]:>9.0f}"
            f" {rate['ours'] / rate[m]:>7.2f} {cold[m]['seconds']:>10.2f}"
            f" {cold[m]['rss_mb']:>11.0f}"
        )
    print(
        f"{'ours, same spans again':<24} {len(items):>6} {repeat:>8.2f}"
        f" {len(items) / repeat:>9.0f} {'':>7} {'(cache)':>10}"
    )
    print("-" * len(header))
    print("ours × = how many times faster the job's detector is (after start-up)")
    result = {
        "langid_speedup_vs_langdetect": round(rate["ours"] / rate["langdetect"], 2),
        "langid_speedup_vs_restricted": round(rate["ours"] / rate["langdetect_restricted"], 2),
        "startup_s": {m: round(float(str(cold[m]["seconds"])), 3) for m in METHODS},
        "spans_per_s": {m: round(rate[m], 1) for m in METHODS},
        "peak_rss_mb": {m: round(float(str(cold[m]["rss_mb"])), 1) for m in METHODS},
        "spans": len(items),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
