"""The audit pack on a real store: values from the store are shown as text, never as markup."""

from __future__ import annotations

import uuid
from html.parser import HTMLParser

import pytest
from zenml import log_metadata
from zenml.client import Client

from governance.audit import SECTIONS, build_audit_html
from governance.promotion import PromotionRefused, promote

pytestmark = pytest.mark.pipeline

MARKUP = "<script>alert('pwned')</script>"
GOOD = {"accuracy": 0.97, "precision": 0.96, "recall": 0.96, "f1": 0.96, "roc_auc": 0.99}


class _Text(HTMLParser):
    """The page's text by section (and the title), and every tag that was opened."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.sections: dict[str, str] = {}
        self.title = ""
        self._where: str | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "section":
            self._where = dict(attrs)["id"]
            self.sections[self._where] = ""
        elif tag == "title":
            self._where = "title"

    def handle_endtag(self, tag):
        if tag in ("section", "title"):
            self._where = None

    def handle_data(self, data):
        if self._where == "title":
            self.title += data
        elif self._where:
            self.sections[self._where] += data


def test_markup_in_a_name_tag_reason_or_metadata_is_escaped(zenml_store):
    model = f"audit_{uuid.uuid4().hex[:8]}{MARKUP}"
    client = Client()
    client.create_model(name=model, description=f"Purpose {MARKUP}")
    mv = client.create_model_version(
        model_name_or_id=model, tags=[f"use_case:{MARKUP}", "owner_team:ml-platform"]
    )
    log_metadata(
        metadata={
            **GOOD,
            "variant": MARKUP,
            "data_quality": {"passed": True},
            "recommendation": {"decision": "review", "reasons": [MARKUP]},
        },
        model_version_id=mv.id,
    )
    with pytest.raises(PromotionRefused):  # the name breaks the naming rule: a refusal entry
        promote(model, mv.name, "staging", reason=f"reason {MARKUP}", actor=f"actor {MARKUP}")

    page = build_audit_html(model, mv.name, lineage_svg="<svg><text>drawing</text></svg>")
    text = _Text()
    text.feed(page)

    assert "script" not in text.tags and "<script" not in page
    assert text.title == f"Audit pack: {model} v{mv.name}"
    assert list(text.sections) == list(SECTIONS)
    assert f"Purpose {MARKUP}" in text.sections["model-card"]
    assert f"Variant {MARKUP}" in text.sections["model-card"]
    assert f"use_case:{MARKUP}" in text.sections["gates"]  # the tag, as the gate observed it
    ledger = text.sections["ledger"]
    assert f"reason {MARKUP}" in ledger and f"actor {MARKUP}" in ledger
    assert MARKUP in text.sections["comparison"]
    assert "svg" in text.tags  # the caller's drawing goes in as a drawing
