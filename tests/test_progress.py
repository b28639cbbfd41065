"""The progress line of a long step (orchestration/warehouse/progress.py): at most one per interval, none at the end."""

from orchestration.warehouse.progress import Progress, read_count, write_count


def test_progress_says_files_done_of_the_total_once_per_interval_and_not_when_done():
    said: list[str] = []
    progress = Progress("iJw files read", 12_000, said.append, interval=0)
    progress.add(5_000)
    progress.set(11_999)
    progress.add(1)
    assert said == ["iJw files read: 5,000 of 12,000 files", "iJw files read: 11,999 of 12,000 files"]

    quiet: list[str] = []
    progress = Progress("iJw files read", 12_000, quiet.append, interval=3600)
    progress.add(5_000)
    assert quiet == []


def test_a_count_written_by_one_process_is_read_whole_or_as_zero(tmp_path):
    path = tmp_path / "lane.files"
    assert read_count(path) == 0
    write_count(path, 1_234)
    write_count(path, 5_678)
    assert read_count(path) == 5_678
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lane.files"]
