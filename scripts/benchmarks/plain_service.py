"""The benchmark's baseline: plain FastAPI + scikit-learn serving the same model.

No ZenML in the request path: the model is loaded once at start-up (from the store, by stage,
with the same code as the deployment) and ``POST /predict`` validates the same request model
and scores it. No auth, no audit.

    python scripts/benchmarks/plain_service.py --port 8200 --model NAME --stage production
"""

import argparse  # no "from __future__ import annotations": FastAPI reads the types below

import lib  # noqa: F401  (kit defaults for ZenML)


def build_app(model_name: str, stage: str):
    from fastapi import FastAPI

    from lib.serving.model import load_serving_model
    from lib.serving.schema import BreastCancerFeatures, Prediction

    serving = load_serving_model(model_name, stage)
    app = FastAPI(title="plain baseline")

    @app.get("/health")
    def health() -> dict:
        return {"status": "ok"}

    @app.post("/predict")
    def predict(features: BreastCancerFeatures) -> Prediction:
        return serving.predict(features)

    return app


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--stage", default="production")
    args = parser.parse_args()
    app = build_app(args.model, args.stage)
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
