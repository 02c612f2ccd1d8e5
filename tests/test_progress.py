import io

from jobs.progress import NoProgress, progress_for


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_no_bar_when_not_on_a_terminal() -> None:
    assert isinstance(progress_for(io.StringIO()), NoProgress)
    assert isinstance(progress_for(Terminal(), enabled=False), NoProgress)


def test_bar_counts_articles_and_spans_on_a_terminal() -> None:
    stream = Terminal()
    bar = progress_for(stream)
    bar.start(3)
    bar.advance(spans=40)
    bar.advance(articles=2)
    shown = stream.getvalue()
    bar.close()
    assert "2/3" in shown and "40 spans translated" in shown
