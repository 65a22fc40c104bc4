"""Run-level alert hooks: one Slack-compatible webhook message per governed run.

Attach them as pipeline-level ``on_success``/``on_failure`` hooks of a *dynamic* pipeline
(``@pipeline(dynamic=True)``), where ZenML runs them once per run; on a static pipeline ZenML
copies pipeline-level hooks onto every step, so these hooks refuse to run at step level rather
than send one alert per step. :func:`governance.environments.governed` attaches them.

Where the alert goes: the ``KIT_ALERT_WEBHOOK_URL`` environment variable, else the ``url`` key
of the ZenML secret named by ``KIT_ALERT_WEBHOOK_SECRET`` (default ``kit-alert-webhook``), else
the log. Delivery never fails or hangs the run: a short timeout, and a failed delivery is logged
and recorded on the run (``kit_alert`` metadata). The webhook URL is a secret: it is never logged.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from typing import Any

from zenml.logger import get_logger

from governance.hooks.run_summary import RunSummary, in_step, record_on_run, summarize_run
from governance.policy import load_policy

logger = get_logger(__name__)

WEBHOOK_URL_ENV_VAR = "KIT_ALERT_WEBHOOK_URL"
WEBHOOK_SECRET_ENV_VAR = "KIT_ALERT_WEBHOOK_SECRET"
DEFAULT_WEBHOOK_SECRET = "kit-alert-webhook"
KEY_METRICS = ("accuracy", "f1", "recall", "roc_auc")
MAX_ERROR_CHARS = 2500  # Slack limits a text block to 3000 characters


def webhook_url() -> str | None:
    """Return the configured webhook URL, or ``None`` (then alerts go to the log)."""
    url = os.environ.get(WEBHOOK_URL_ENV_VAR, "").strip()
    if url:
        return url
    secret_name = os.environ.get(WEBHOOK_SECRET_ENV_VAR, DEFAULT_WEBHOOK_SECRET)
    try:
        from zenml.client import Client

        secret = Client().get_secret(secret_name)
    except Exception:  # noqa: BLE001 - no secret (or no store access) means "not configured"
        return None
    value = str(secret.secret_values.get("url") or "").strip()
    return value or None


def build_alert(summary: RunSummary) -> dict[str, Any]:
    """Return the Slack incoming-webhook payload (``text`` + ``blocks``) for a run."""
    ok = summary.status == "completed"
    icon = ":white_check_mark:" if ok else ":x:"
    verdict = "succeeded" if ok else "FAILED"
    model = f"{summary.model_name} v{summary.model_version}" if summary.model_name else "no model"
    text = f"{icon} {summary.pipeline} {verdict} in {summary.environment}: {model}"
    metrics = ", ".join(
        f"{name} {summary.metrics[name]:.3f}" for name in KEY_METRICS if name in summary.metrics
    )
    fields = [
        ("Pipeline", summary.pipeline),
        ("Run", summary.run_name),
        ("Environment", summary.environment),
        ("Status", summary.status),
        ("Model version", model),
        ("Key metrics", metrics or "none recorded"),
    ]
    if summary.rows is not None:
        fields.append(("Rows", str(summary.rows)))
    if summary.duration_seconds is not None:
        fields.append(("Duration", f"{summary.duration_seconds:.1f} s"))
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": f"{summary.pipeline} {verdict}"}},
        {"type": "section", "text": {"type": "mrkdwn", "text": text}},
        {
            "type": "section",
            "fields": [{"type": "mrkdwn", "text": f"*{k}*\n{v}"} for k, v in fields],
        },
    ]
    if summary.error:
        error = summary.error[:MAX_ERROR_CHARS]
        blocks.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": f"*Error*\n```{error}```"}}
        )
    blocks.append(
        {"type": "context", "elements": [{"type": "mrkdwn", "text": f"run id {summary.run_id}"}]}
    )
    return {"text": text, "blocks": blocks}


def deliver(payload: dict[str, Any], url: str | None, timeout: float) -> dict[str, Any]:
    """Post ``payload`` to ``url`` (or log it when ``url`` is None); never raise.

    Returns:
        ``{"delivery": "sent"|"logged"|"failed", "detail": ...}`` (the URL is never included).
    """
    if not url:
        logger.info("alert (no webhook configured): %s", payload["text"])
        return {"delivery": "logged", "detail": "no webhook configured"}
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        detail = f"HTTP {error.code}"
    except TimeoutError:
        detail = f"no answer within {timeout:g} s"
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            detail = f"no answer within {timeout:g} s"
        else:  # the reason names the failure (refused, DNS), never the URL
            detail = f"receiver unreachable ({type(error.reason).__name__})"
    except (OSError, ValueError) as error:
        detail = f"receiver unreachable ({type(error).__name__})"
    else:
        logger.info("alert delivered: %s (HTTP %d)", payload["text"], status)
        return {"delivery": "sent", "detail": f"HTTP {status}"}
    logger.error(
        "alert delivery FAILED: %s; the run is unaffected. Alert: %s", detail, payload["text"]
    )
    return {"delivery": "failed", "detail": detail}


def _alert(exception: BaseException | None, status: str) -> None:
    if in_step():
        logger.warning(
            "alert hooks are run-level hooks: attach them to a dynamic pipeline "
            "(@pipeline(dynamic=True)); skipping this step-level call"
        )
        return
    summary = summarize_run(exception, status=status)
    timeout = load_policy().notifications.webhook_timeout_seconds
    outcome = deliver(build_alert(summary), webhook_url(), timeout)
    record_on_run(summary.run_id, "kit_alert", {"status": status, **outcome})


def send_success_alert() -> None:
    """Run-level ``on_success`` hook: post one success alert for the run."""
    _alert(None, "completed")


def send_failure_alert(exception: BaseException | None = None) -> None:
    """Run-level ``on_failure`` hook: post one failure alert, with the error, for the run."""
    _alert(exception, "failed")
