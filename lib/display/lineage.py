"""Lineage as a picture: a graph walked from the ZenML store, drawn with matplotlib.

Two walks:

- :func:`model_version_lineage` starts from a model version and takes every pipeline run linked
  to it (the training run, comparisons, inference runs), with each step's input and output
  artifacts, plus the git commit the version was trained from: data → features → model →
  predictions, as the store recorded them.
- :func:`upstream_lineage` starts from any artifact (a prediction, say) and walks producers
  backwards, across runs, to the data the chain started from.

Nodes are keyed by ZenML ids, so an artifact consumed by a later run (a model scored by a
comparison) is one node with edges into both runs.
"""

from __future__ import annotations

import io
from collections import deque
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import networkx as nx
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

KIND_COLOURS: dict[str, str] = {
    "data": "#5dade2",
    "model": "#e67e22",
    "prediction": "#27ae60",
    "report": "#b2babb",
    "step": "#34495e",
    "code": "#8e44ad",
}
PREDICTION_NAMES = ("predictions", "scores")


def artifact_kind(name: str, artifact_type: str) -> str:
    """Classify an artifact for colouring: model, prediction, data or report."""
    if "Model" in artifact_type:
        return "model"
    if any(word in name for word in PREDICTION_NAMES):
        return "prediction"
    if "Data" in artifact_type:
        return "data"
    return "report"


@dataclass
class LineageGraph:
    """A lineage graph (networkx) with a table view and a matplotlib drawing."""

    graph: nx.DiGraph
    title: str

    def nodes_frame(self) -> pd.DataFrame:
        """One row per node: kind, label, run and ZenML id."""
        rows = [
            {"node": n, "kind": d["kind"], "label": d["label"], "run": d.get("run", "")}
            for n, d in self.graph.nodes(data=True)
        ]
        return pd.DataFrame(rows, columns=["node", "kind", "label", "run"])

    def labels(self, kind: str | None = None) -> list[str]:
        """Return node labels, optionally of one kind."""
        return [d["label"] for _, d in self.graph.nodes(data=True) if kind in (None, d["kind"])]

    def runs(self) -> list[str]:
        """Return the names of the runs the graph covers."""
        return sorted({d["run"] for _, d in self.graph.nodes(data=True) if d.get("run")})

    def has_path(self, source_label: str, target_label: str) -> bool:
        """Whether some node labelled ``source_label`` leads to one labelled ``target_label``."""
        by_label: dict[str, list[str]] = {}
        for node, data in self.graph.nodes(data=True):
            by_label.setdefault(data["label"], []).append(node)
        return any(
            nx.has_path(self.graph, s, t)
            for s in by_label.get(source_label, [])
            for t in by_label.get(target_label, [])
        )

    def artifact_view(self) -> nx.DiGraph:
        """Return the graph with steps contracted: an edge per input → output of a step."""
        view = self.graph.subgraph(
            n for n, d in self.graph.nodes(data=True) if d["kind"] != "step"
        ).copy()
        for node, data in self.graph.nodes(data=True):
            if data["kind"] == "step":
                for source in self.graph.predecessors(node):
                    for target in self.graph.successors(node):
                        view.add_edge(source, target, step=data["label"])
        return view

    def figure(self, show_steps: bool = False) -> Figure:
        """Draw the graph left to right, one column per generation, coloured by kind.

        Args:
            show_steps: Draw step nodes too; by default steps are contracted into edges, so
                the picture reads data → features → model → predictions.
        """
        g = self.graph.copy() if show_steps else self.artifact_view()
        layer_of = {n: i for i, gen in enumerate(nx.topological_generations(g)) for n in gen}
        nx.set_node_attributes(g, layer_of, "layer")
        tallest = max(pd.Series(layer_of).value_counts(), default=1)
        width = max(8.0, 1.1 * (1 + max(layer_of.values(), default=0)))
        fig = Figure(figsize=(min(width, 18.0), max(4.0, 0.75 * tallest)))
        FigureCanvasAgg(fig)
        ax = fig.subplots()
        pos = nx.multipartite_layout(g, subset_key="layer")
        kinds = [d["kind"] for _, d in g.nodes(data=True)]
        nx.draw_networkx_edges(g, pos, ax=ax, edge_color="#aab7b8", arrowsize=9, node_size=320)
        nx.draw_networkx_nodes(
            g,
            pos,
            ax=ax,
            node_color=[KIND_COLOURS[k] for k in kinds],
            node_size=[90 if k == "step" else 320 for k in kinds],
        )
        for node, (x, y) in pos.items():
            ax.annotate(
                g.nodes[node]["label"], (x, y), xytext=(0, 10), textcoords="offset points",
                ha="center", fontsize=7, color="#1b2631",
            )  # fmt: skip
        shown = dict.fromkeys(kinds)
        handles = [Line2D([], [], marker="o", ls="", color=KIND_COLOURS[k], label=k) for k in shown]
        ax.legend(handles=handles, loc="lower right", fontsize=7, frameon=False, ncol=3)
        ax.set_title(self.title, fontsize=10)
        ax.margins(x=0.06, y=0.12)
        ax.axis("off")
        fig.tight_layout()
        return fig

    def to_svg(self) -> str:
        """Return the drawing as an SVG document (text, for self-contained HTML)."""
        buffer = io.StringIO()
        self.figure().savefig(buffer, format="svg", bbox_inches="tight")
        svg = buffer.getvalue()
        return svg[svg.index("<svg") :]

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.figure().savefig(buffer, format="png", dpi=110, bbox_inches="tight")
        return buffer.getvalue()


def _artifacts_of_run(run_id: UUID, known: dict[UUID, Any]) -> None:
    """Add to ``known`` every artifact version a run's steps read or wrote, by id.

    A step's inputs and outputs come without their producer (step and run), and reading it
    from them costs one request per artifact; one listing per run brings them all with it.
    """
    from zenml.client import Client
    from zenml.utils.pagination_utils import depaginate

    for artifact in depaginate(Client().list_artifact_versions, pipeline_run=run_id):
        known.setdefault(artifact.id, artifact)


def _artifact_node(
    graph: nx.DiGraph,
    artifact: Any,
    runs: dict[UUID, str],
    known: dict[UUID, Any],
    mark_external: bool = True,
) -> str:
    """Add an artifact node once; one made outside ``runs`` is labelled with its version.

    ``known`` holds artifact versions listed with their producers (:func:`_artifacts_of_run`).
    """
    node = f"artifact:{artifact.id}"
    if node not in graph:
        artifact = known.get(artifact.id, artifact)
        name = artifact.artifact.name
        label = "input value" if name.startswith("external_") else name
        run = runs.get(artifact.producer_pipeline_run_id)
        if mark_external and run is None and artifact.producer_pipeline_run_id is not None:
            label = f"{name} (v{_producer_version(artifact)})"
        graph.add_node(
            node,
            kind=artifact_kind(name, str(getattr(artifact.type, "value", artifact.type))),
            label=label,
            run=run or "",
            producer_run=artifact.producer_pipeline_run_id,
            zenml_id=str(artifact.id),
        )
    return node


def _producer_version(artifact: Any) -> str:
    from zenml.client import Client

    try:
        run = Client().get_pipeline_run(artifact.producer_pipeline_run_id)
    except KeyError:
        return "?"
    return run.model_version.name if run.model_version else "?"


def _add_step(
    graph: nx.DiGraph, step: Any, run_name: str, runs: dict[UUID, str], known: dict[UUID, Any]
) -> str:
    node = f"step:{step.id}"
    graph.add_node(node, kind="step", label=step.name, run=run_name, zenml_id=str(step.id))
    for artifacts in step.inputs.values():
        for artifact in artifacts:
            graph.add_edge(_artifact_node(graph, artifact, runs, known), node)
    for artifacts in step.outputs.values():
        for artifact in artifacts:
            graph.add_edge(node, _artifact_node(graph, artifact, runs, known))
    return node


def model_version_lineage(model: str, version: str) -> LineageGraph:
    """Walk every run linked to a model version, with its steps and artifacts, plus its commit."""
    from zenml.client import Client

    client = Client()
    mv = client.get_model_version(model, str(version))
    runs = [client.get_pipeline_run(r.id) for r in _all_runs(mv.id)]
    run_names = {run.id: run.name for run in runs}
    known: dict[UUID, Any] = {}
    for run in runs:
        _artifacts_of_run(run.id, known)
    graph = nx.DiGraph()
    for run in runs:
        for step in run.steps.values():
            node = _add_step(graph, step, run.name, run_names, known)
            if _is_root(step, known):
                _add_code_node(graph, run, node)
    return LineageGraph(graph, f"Lineage of {model} v{mv.name} ({len(runs)} run(s))")


def _all_runs(model_version_id: UUID) -> list[Any]:
    from zenml.client import Client
    from zenml.utils.pagination_utils import depaginate

    return depaginate(
        Client().list_pipeline_runs, model_version_id=model_version_id, sort_by="asc:created"
    )


def upstream_lineage(artifact_version_id: UUID | str, max_steps: int = 100) -> LineageGraph:
    """Walk backwards from one artifact through the steps that produced it, across runs.

    The walk ends at steps with no inputs (data loading), where the code node of their run's
    model version (its git commit) is attached.
    """
    from zenml.client import Client

    client = Client()
    start = client.get_artifact_version(artifact_version_id)
    graph = nx.DiGraph()
    runs: dict[UUID, Any] = {}
    known: dict[UUID, Any] = {start.id: start}
    queue, seen = deque([start]), set()
    while queue:
        artifact = queue.popleft()
        artifact = known.get(artifact.id, artifact)
        node = _artifact_node(graph, artifact, {}, known, mark_external=False)
        step_id = artifact.producer_step_run_id
        if step_id is None or (step_id not in seen and len(seen) >= max_steps):
            continue
        step_node = f"step:{step_id}"
        if step_id not in seen:
            seen.add(step_id)
            step = client.get_run_step(step_id)
            if step.pipeline_run_id not in runs:
                runs[step.pipeline_run_id] = client.get_pipeline_run(step.pipeline_run_id)
                _artifacts_of_run(step.pipeline_run_id, known)
            run = runs[step.pipeline_run_id]
            graph.add_node(step_node, kind="step", label=step.name, run=run.name)
            for inputs in step.inputs.values():
                for parent in inputs:
                    queue.append(parent)
                    graph.add_edge(_artifact_node(graph, parent, {}, known, False), step_node)
            if _is_root(step, known):
                _add_code_node(graph, run, step_node)
        graph.add_edge(step_node, node)
    for _, data in graph.nodes(data=True):
        producer = runs.get(data.get("producer_run"))
        data["run"] = data.get("run") or (producer.name if producer else "")
        if data["kind"] == "model" and producer is not None and producer.model_version:
            data["label"] += f" (v{producer.model_version.name})"
    return LineageGraph(graph, f"Upstream lineage of {start.artifact.name} v{start.version}")


def _is_root(step: Any, known: dict[UUID, Any]) -> bool:
    """Whether no input of ``step`` was produced by a step (it reads data, or only values)."""
    return all(
        known.get(a.id, a).producer_step_run_id is None
        for inputs in step.inputs.values()
        for a in inputs
    )


def _add_code_node(graph: nx.DiGraph, run: Any, step_node: str) -> None:
    """Attach a node for the git commit of the run's model version to a root step."""
    metadata = run.model_version.run_metadata if run.model_version else {}
    commit = str((metadata or {}).get("git_commit", "unknown"))
    node = f"code:{commit}"
    graph.add_node(node, kind="code", label=f"code @ {commit[:10]}", run=run.name)
    graph.add_edge(node, step_node)
