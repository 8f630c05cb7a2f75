"""Reference implementation behind every number on the course site.

Plain NumPy, one module per concept. Import the module you need::

    from ref.activations import sigmoid
"""

__all__ = ["activations", "layers", "neuron"]
