"""cvcore.bench (the `cvcore bench` self-benchmark): every case runs, rates follow from the times."""

import pytest

import cvcore
from cvcore import bench, cli


def test_run_times_every_case_and_restores_threads():
    default = cvcore.get_num_threads()
    cvcore.set_num_threads(2)
    try:
        results = bench.run(threads=[1], quick=True)
        assert cvcore.get_num_threads() == 2
    finally:
        cvcore.set_num_threads(default)
    names = [r.name for r in results]
    assert len(names) == 6 and len(set(names)) == 6
    for r in results:
        assert r.threads == 1 and r.ms > 0 and r.rate > 0 and r.unit.endswith("/s")
    conv = results[0]
    # rate = work / time: a 3x3 256->256 convolution at 28x28 is 2 * 256 * 256 * 9 * 784 FLOP.
    assert conv.rate == pytest.approx(2 * 256 * 256 * 9 * 28 * 28 / 1e9 / (conv.ms / 1e3))


@pytest.mark.parametrize("threads, message", [
    ([], r"bench.run: threads must be a non-empty list of thread counts, got \[\]"),
    ([0], r"set_num_threads: n must be in \[1, 1024\], got 0"),
    ([2, -1], r"set_num_threads: n must be in \[1, 1024\], got -1"),
    ([1, 2**31], r"set_num_threads: n must be in \[1, 1024\], got 2147483648"),
])
def test_bad_threads(threads, message):
    default = cvcore.get_num_threads()
    with pytest.raises(ValueError, match="^" + message + "$"):
        bench.run(threads=threads, quick=True)
    assert cvcore.get_num_threads() == default


def test_cli_bench(capsys):
    assert cli.main(["bench", "--quick", "--threads", "1", "2"]) == 0
    out = capsys.readouterr().out
    assert f"isa: {cvcore.build_info()['isa']}" in out
    rows = [line for line in out.splitlines() if "GFLOP/s" in line or line.rstrip().endswith("/s")]
    assert len(rows) == 12
