"""Unit tests: importing ``lib`` sets the garbage collector once (``lib.process``)."""

import atexit
import gc

import pytest

import lib  # noqa: F401 - the import under test
from lib.process import FIRST_GENERATION_THRESHOLD, tune_garbage_collection

pytestmark = pytest.mark.unit


def test_importing_lib_raises_the_first_threshold_and_keeps_the_others():
    first, second, third = gc.get_threshold()
    assert first == FIRST_GENERATION_THRESHOLD
    assert (second, third) == (10, 10)  # CPython's defaults for the older generations


def test_tuning_again_registers_no_second_exit_handler():
    before = atexit._ncallbacks()
    tune_garbage_collection()
    tune_garbage_collection()
    assert atexit._ncallbacks() == before and gc.get_threshold()[0] == FIRST_GENERATION_THRESHOLD


def test_a_process_with_lower_thresholds_gets_the_exit_freeze(monkeypatch):
    registered = []
    monkeypatch.setattr(atexit, "register", registered.append)
    saved = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    try:
        tune_garbage_collection()
    finally:
        gc.set_threshold(*saved)
    assert registered == [gc.freeze]
