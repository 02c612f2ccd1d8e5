"""Run the ``mixdigest`` command in this process and record what the benchmark needs.

    python bench/_child.py RESULT.json run --input … (any mixdigest arguments)

The command runs exactly as ``mixdigest`` would (``jobs.cli.main``); the wrapper only
keeps the RunReport ``pipeline.run`` returns and, at the end, writes a JSON file with
the exit code, the report, this process's peak RSS and whether torch or
``argostranslate.translate`` was ever imported. A separate process, so that the peak
RSS and the imported modules are the command's own, not the benchmark's.
"""

from __future__ import annotations

import json
import resource
import sys
from pathlib import Path
from typing import Any


def peak_rss_mb() -> float:
    """This program's own peak RSS. Not ru_maxrss: Linux carries the parent's peak over
    fork and exec into it, so a child of the benchmark (which holds the base model and
    argostranslate) reported the benchmark's ~850 MB instead of its own."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main() -> int:
    result_path = Path(sys.argv[1])
    argv = sys.argv[2:]
    from jobs import pipeline
    from jobs.cli import main as cli_main

    reports: list[Any] = []
    real_run = pipeline.run

    def recording_run(*args: Any, **kwargs: Any) -> Any:
        report = real_run(*args, **kwargs)
        reports.append(report)
        return report

    pipeline.run = recording_run  # type: ignore[assignment]
    code = cli_main(argv)
    report = reports[0] if reports else None
    result = {
        "exit_code": code,
        "peak_rss_mb": peak_rss_mb(),
        "torch_imported": "torch" in sys.modules,
        "argos_translate_imported": "argostranslate.translate" in sys.modules,
        "report": None
        if report is None
        else {
            "done": report.done,
            "skipped": report.skipped,
            "failed": report.failed,
            "spans_translated": report.spans_translated,
            "seconds": report.seconds,
            "stage_seconds": dict(report.stage_seconds),
        },
    }
    result_path.write_text(json.dumps(result), encoding="utf-8")
    return code


if __name__ == "__main__":
    sys.exit(main())
