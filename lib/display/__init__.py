"""Display helpers for the chapter notebooks: tables, plots and graphs over ZenML's own calls.

Each chapter first makes the ZenML call itself; these helpers then draw or tabulate what the
call returned. One module per topic:

- :mod:`lib.display.common`: a step's output artifact, the gate table every chapter shows;
- :mod:`lib.display.training`: chapter 01, what a training run did;
- :mod:`lib.display.registry`: chapter 02, the Model Control Plane as tables and an audit pack;
- :mod:`lib.display.lineage`: lineage graphs walked from the store;
- :mod:`lib.display.release`: chapter 05, the two bars, a bundle's files, production's view;
- :mod:`lib.display.batch`: chapter 06, a batch run's summary, drift and the prediction trace;
- :mod:`lib.display.refusal`: a refusal shown on purpose.
"""
