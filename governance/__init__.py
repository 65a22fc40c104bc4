"""What the platform team owns: policy, gates, hooks, materializers, Docker settings, stacks.

``governance`` never imports ``lib``, ``notebooks`` or ``scripts``.
"""
