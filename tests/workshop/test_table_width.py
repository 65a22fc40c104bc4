"""Chapter 02's versions table, rendered by JupyterLab in Chromium, fits a 1366 px wide window.

A real store (two training runs: the widest values the table shows, a version in production)
gives the table; the notebook holds it as Jupyter would save it (the DataFrame's HTML), and
JupyterLab opens it at a laptop's 1366 x 768 with its file browser open. The table must not be
wider than the output area it sits in. Needs Chromium and playwright, like ``test_browser.py``.
"""

from __future__ import annotations

import nbformat
import pytest
from test_browser import _require_browser

from lib.config import BUILD_DIR

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 1366, 768
_MEASURE_JS = """() => {
    const table = document.querySelector('.jp-OutputArea-output table');
    const area = table.closest('.jp-OutputArea-output');
    return {table: table.getBoundingClientRect().width, area: area.clientWidth,
            columns: table.querySelectorAll('thead tr:last-child th').length};
}"""


def _versions_table():
    from zenml.client import Client

    from governance.environments import governed
    from governance.promotion import promote
    from lib.config import model_name
    from lib.display.registry import versions_table
    from lib.pipelines import training_model, training_pipeline
    from lib.setup import ensure_zenml_ready

    ensure_zenml_ready()
    name = model_name("width")
    pipeline = governed(training_pipeline.with_options(model=training_model("width")), "dev")
    first = pipeline(variant="imbalanced", classifier="random_forest")
    pipeline(variant="wide", classifier="logistic_regression")
    released = Client().get_pipeline_run(first.id).model_version
    promote(name, released.name, "production", reason="table width", source="test")
    return versions_table(name)


def test_the_versions_table_fits_a_1366_px_jupyterlab_window(zenml_store, tmp_path):
    _require_browser()
    from browser import CHROMIUM_ARGS, chromium_path, jupyterlab
    from playwright.sync_api import sync_playwright

    table = _versions_table()
    assert "production" in set(table["stage"]) and len(table) == 2
    cell = nbformat.v4.new_code_cell("versions = versions_table(MODEL_NAME)\nversions")
    cell.outputs = [
        nbformat.v4.new_output(
            "execute_result",
            data={"text/html": table._repr_html_(), "text/plain": repr(table)},
            execution_count=1,
        )
    ]
    cell.execution_count = 1
    notebook = nbformat.v4.new_notebook(cells=[cell])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    root = tmp_path / "lab"
    root.mkdir()
    nbformat.write(notebook, root / "versions.ipynb")
    screenshot = BUILD_DIR / "browser" / "versions_table_1366.png"
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    with jupyterlab(root, tmp_path) as lab, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
            page.goto(f"{lab.url}/lab/tree/versions.ipynb?token={lab.token}")
            page.wait_for_selector(".jp-OutputArea-output table", timeout=120_000)
            assert page.locator(".jp-FileBrowser").first.is_visible()  # the pane a learner has
            measured = page.evaluate(_MEASURE_JS)
            page.screenshot(path=str(screenshot))
        finally:
            browser.close()
    print(f"versions table {measured['table']:.0f} px in an output area of {measured['area']} px")
    assert measured["columns"] == len(table.columns) + 1  # the index column, then the table's
    assert measured["table"] <= measured["area"], measured
