"""Reference implementation behind every number on the course site.

Plain NumPy, one module per concept. Import the module you need::

    from ref.activations import sigmoid
"""

__all__ = [
    # neurons and networks (L1-L5)
    "activations",
    "neuron",
    "layers",
    # learning (L6-L12)
    "losses",
    "descent",
    "backprop",
    "gradcheck",
    "training",
    "init",
    "optim",
    "regularization",
    # language models (L13-L18)
    "tokenizer",
    "bigram",
    "vectors",
    "attention",
    "sampling",
    "gpt",
    "scaling",
    # a tiny GPT, trained (after L18)
    "names",
    "layernorm",
    "transformer",
    "tinygpt",
    # the lessons' example inputs, each defined once
    "examples",
]
