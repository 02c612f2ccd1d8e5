"""The crontab line for the nightly run, and installing it without duplicates.

    python -m jobs.cron                      print the line (what `make cron-install` does)
    python -m jobs.cron --install            merge it into the user's crontab
    python -m jobs.cron --schedule "5 1 * * *" --log-file /var/log/mixdigest.log

Overlap is handled by the job's own lock: a run that finds another one holding it logs
the holder's PID and start time and exits 75 at once, so no ``flock`` wrapper is needed
(one would hide that message). Everything the run says goes to the rotating log file;
stdout (the summary line, also logged) is dropped, and stderr only ever gets what escapes
logging (a broken installation), appended to ``<log>.stderr`` so cron mails nothing.
"""

from __future__ import annotations

import argparse
import shlex
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from jobs.errors import ExitCode

# Nightly, at an odd minute: many jobs start on the hour and compete for the disk.
DEFAULT_SCHEDULE = "17 2 * * *"
MARK = "# mixdigest nightly run for "


class CronError(Exception):
    """The crontab line cannot be made or installed; ``exit_code`` says which."""

    def __init__(self, message: str, exit_code: ExitCode = ExitCode.PREREQUISITE) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def _quote(path: Path) -> str:
    # cron turns an unescaped % into a newline, even inside shell quotes.
    return shlex.quote(str(path)).replace("%", "\\%")


def crontab_line(
    project: Path, schedule: str = DEFAULT_SCHEDULE, log_file: Path | None = None
) -> str:
    """One crontab line that runs the job from ``project`` with its virtualenv."""
    fields = schedule.split()
    if len(fields) != 5 and not (len(fields) == 1 and fields[0].startswith("@")):
        raise CronError(
            f"schedule {schedule!r} is not five cron fields (e.g. {DEFAULT_SCHEDULE!r}) "
            "or a shortcut such as @daily",
            ExitCode.USAGE,
        )
    project = project.resolve()
    log = (log_file or project / "logs" / "mixdigest.log").absolute()
    stderr_log = log.with_name(log.name + ".stderr")
    command = (
        # The shell opens the stderr redirection before the job can create the folder.
        f"cd {_quote(project)} && mkdir -p {_quote(log.parent)} && "
        f"{_quote(project / '.venv' / 'bin' / 'mixdigest')} run "
        f"--no-progress --log-file {_quote(log)} >/dev/null 2>>{_quote(stderr_log)}"
    )
    return f"{' '.join(fields)} {command} {MARK}{project}"


def merge(existing: str, line: str) -> str:
    """``existing`` crontab text with ``line`` added, replacing an earlier mixdigest line
    for the same project; every other line is kept as it was."""
    mark = line[line.index(MARK) :]
    kept = [old for old in existing.splitlines() if not old.rstrip().endswith(mark)]
    while kept and not kept[-1].strip():
        kept.pop()
    return "\n".join([*kept, line]) + "\n"


def install(line: str, crontab: str = "crontab") -> str:
    """Merge ``line`` into the current user's crontab; return the new crontab text."""
    if shutil.which(crontab) is None:
        raise CronError(
            f"{crontab} is not installed; install cron (e.g. apt-get install cron) "
            "or add the line above to your scheduler by hand"
        )
    current = subprocess.run([crontab, "-l"], capture_output=True, text=True, check=False)
    # `crontab -l` exits 1 with "no crontab for USER" when there is none yet.
    existing = current.stdout if current.returncode == 0 else ""
    if current.returncode != 0 and "no crontab" not in current.stderr:
        raise CronError(f"crontab -l failed: {current.stderr.strip()}")
    merged = merge(existing, line)
    done = subprocess.run([crontab, "-"], input=merged, capture_output=True, text=True)
    if done.returncode != 0:
        raise CronError(f"crontab - failed: {done.stderr.strip()}")
    return merged


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jobs.cron", description=__doc__.split("\n")[0])
    parser.add_argument("--install", action="store_true", help="merge the line into crontab")
    parser.add_argument("--schedule", default=DEFAULT_SCHEDULE, help="five cron fields")
    parser.add_argument("--log-file", type=Path, help="default: logs/mixdigest.log")
    parser.add_argument("--project", type=Path, default=Path.cwd(), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        line = crontab_line(args.project, args.schedule, args.log_file)
        print(line)
        if args.install:
            install(line)
            print("installed into the crontab of this user (crontab -l shows it)")
        else:
            print("# to install it: make cron-install INSTALL=1", file=sys.stderr)
    except CronError as exc:
        print(f"mixdigest: {exc}", file=sys.stderr)
        return exc.exit_code
    return ExitCode.OK


if __name__ == "__main__":
    raise SystemExit(main())
