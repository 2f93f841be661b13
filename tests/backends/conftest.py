import pytest

httpx = pytest.importorskip("httpx", reason="the backends need the send extra (httpx)")

import backends  # noqa: E402

from _backends_helpers import FAST


@pytest.fixture
def client_for():
    made = []

    def make(recorder, model="m", **kw):
        kw.setdefault("base_url", "http://127.0.0.1:9/v1")
        kw.setdefault("retry", FAST)
        c = backends.Client(model, transport=httpx.MockTransport(recorder), **kw)
        made.append(c)
        return c

    yield make
    for c in made:
        c.close()
