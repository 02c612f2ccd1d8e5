import io

from jobs.progress import NoProgress, progress_for


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_no_bar_when_not_on_a_terminal() -> None:
    assert isinstance(progress_for(io.StringIO()), NoProgress)
    assert isinstance(progress_for(Terminal(), enabled=False), NoProgress)


def test_bar_counts_each_stage_against_its_own_total() -> None:
    stream = Terminal()
    bar = progress_for(stream)
    bar.stage("translate", 40, "text")
    bar.advance(25)
    shown_during = stream.getvalue()
    bar.stage("write", 3, "article")
    bar.advance(2)
    shown = stream.getvalue()
    bar.close()
    assert "translate" in shown_during and "25/40" in shown_during
    assert "write" in shown and "2/3" in shown
