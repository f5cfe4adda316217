"""Regression: a query past its time limit was "KGA205 ... ran past its time limit of 2 s and was
stopped" also when it was not: Oxigraph computes an aggregate in one native call, which no
exception interrupts, and it went on holding a CPU core (on the default graph a COUNT over a
cross product would run for days in a QA service). The error now says that it goes on, and that
the rdflib engine stops a query on time."""

from __future__ import annotations

import threading
import time

import pytest

from kgagent.errors import GraphError
from kgagent.kg.sparql import run_with_timeout


def test_a_worker_in_native_code_is_said_to_go_on() -> None:
    release = threading.Event()

    def native() -> None:  # Event.wait is a native wait that no asynchronous exception interrupts
        release.wait(30)

    with pytest.raises(GraphError) as err:
        run_with_timeout(native, 0.2)
    release.set()
    assert err.value.code == "KGA205"
    assert "cannot be stopped" in err.value.message and "goes on in the background" in err.value.message
    assert "engine='rdflib' stops a query on time" in err.value.message and "was stopped" not in err.value.message


def test_a_python_worker_is_stopped_and_said_to_be() -> None:
    def python() -> None:
        while True:
            time.sleep(0.01)

    with pytest.raises(GraphError, match="ran past its time limit of 0.2 s and was stopped$"):
        run_with_timeout(python, 0.2)
