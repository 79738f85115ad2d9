"""Save & export in a real browser: the files are made on click by the running server and downloaded."""
from pathlib import Path

import pytest

from mlp.run.checkpoint import load_trainer
from tests.browser import open_page


@pytest.fixture(scope="module")
def page(server, browser):
    page = open_page(browser, server, 1400, 1000, accept_downloads=True)
    page.get_by_role("button", name="Step", exact=True).click()
    page.wait_for_function("[...document.querySelectorAll('[data-testid=stMetricValue]')]"
                           ".some(e => e.innerText.trim() === '1')", timeout=30_000)
    page.get_by_role("button", name="⚙ All settings").click()          # the stage's sidebar starts closed
    page.get_by_text("Save & export").click()
    yield page
    page.close()


def download(page, label) -> tuple[str, bytes]:
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name=label, exact=True).click()
    d = info.value
    return d.suggested_filename, Path(d.path()).read_bytes()


def test_the_weights_download_is_the_run_at_its_step(page):
    name, raw = download(page, "Weights (.npz)")
    assert name == "playground-circle-step1.npz"
    assert load_trainer(raw).step == 1


def test_the_data_and_report_downloads(page):
    name, raw = download(page, "Data (CSV)")
    assert name.endswith("-data.csv") and raw.startswith(b"split,x1,x2,label\ntrain,")
    name, raw = download(page, "Report (HTML)")
    assert name.endswith("-report.html") and raw.startswith(b"<!DOCTYPE html>") and b"Plotly.newPlot" in raw
