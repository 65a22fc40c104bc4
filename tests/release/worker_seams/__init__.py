"""Operations the worker tests run in a real worker (through ``PYTHONPATH``), nothing else."""
