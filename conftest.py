"""Root pytest configuration: how nbval compares the notebooks' stored outputs."""


def pytest_collectstart(collector):
    """Compare notebooks by their text outputs; HTML reprs and warnings on stderr vary."""
    if collector.fspath and collector.fspath.ext == ".ipynb":
        collector.skip_compare += ("text/html", "application/javascript", "stderr")
