"""Real-time inference on ZenML pipeline deployments: schema, preloaded model, fast path, audit.

See ``lib/serving/README.md``. The pipeline itself is ``lib.pipelines.realtime_inference``.
"""
