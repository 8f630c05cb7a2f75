"""The example inputs of the lessons, each defined once.

A lesson's example and every summary page that repeats it (the
cheatsheet, "Seeing it whole") import the same constant from here, so
they cannot drift apart. The comment above each names the lesson that
introduces it. Arrays are read-only: a page that wants to change one
takes a copy first.
"""

import numpy as np


def _frozen(values):
    """values as a float array that cannot be written to."""
    a = np.array(values, dtype=float)
    a.setflags(write=False)
    return a


# --8<-- [start:sigmoid]
#: L1: the input at which sigma is printed to full precision.
SIGMOID_Z = 1.0
# --8<-- [end:sigmoid]

# --8<-- [start:layer]
#: L3: a layer of two neurons on three inputs, z = W x + b.
LAYER_W = _frozen([[1.0, -2.0, 0.5], [0.5, 1.0, -1.0]])
LAYER_B = _frozen([-1.5, 0.0])
LAYER_X = _frozen([0.5, -1.0, 2.0])
# --8<-- [end:layer]

# --8<-- [start:mse]
#: L6: three predictions y_hat against their targets y.
MSE_Y_HAT = _frozen([0.9, 0.2, 0.4])
MSE_Y = _frozen([1.0, 0.0, 1.0])
# --8<-- [end:mse]

# --8<-- [start:descent]
#: L7: gradient descent on f(w) = (w - 3)^2 from w0 with rate eta.
DESCENT_W0 = 0.0
DESCENT_ETA = 0.1
DESCENT_STEPS = 8
# --8<-- [end:descent]

# --8<-- [start:xor-seeds]
#: L10: the random starts tried when training XOR.
XOR_SEEDS = range(100)
# --8<-- [end:xor-seeds]

# --8<-- [start:tokenizer]
#: L13: the training text of the character tokenizer, and a text to encode.
TOKENIZER_TEXT = "to be or not to be"
TOKENIZER_SAMPLE = "to be"
# --8<-- [end:tokenizer]

# --8<-- [start:bigram]
#: L14: the bigram probability P(b | a) of the end marker after "a".
BIGRAM_PAIR = ("a", ".")
# --8<-- [end:bigram]

# --8<-- [start:analogy]
#: L15: king - man + woman, and the word it should land on.
ANALOGY = ("king", "man", "woman", "queen")
# --8<-- [end:analogy]

# --8<-- [start:attention]
#: L16: "fluffy blue cat". fluffy offers the first feature, blue the
#: second and cat nothing new; cat's query looks for the first feature.
ATTENTION_TOKENS = ("fluffy", "blue", "cat")
ATTENTION_K = _frozen([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
ATTENTION_V = _frozen([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
ATTENTION_Q = _frozen([2.0, 0.0])
# --8<-- [end:attention]

# --8<-- [start:logits]
#: L17 and L18: the scores of five candidate next tokens.
LOGITS = _frozen([4.0, 2.5, 2.0, 0.5, 0.1])
#: L18: a temperature below one, which sharpens the distribution.
COLD_T = 0.5
# --8<-- [end:logits]

# --8<-- [start:digits]
#: Seeing it whole: the digit network of 784 pixels, two hidden layers
#: of 16 and ten outputs (3Blue1Brown's example), and the answer the
#: course notes give for a messy 3: five scores, the other five taken
#: as zero.
DIGIT_SIZES = (784, 16, 16, 10)
DIGIT_TARGET = 3
DIGIT_OUTPUT = _frozen([0.1, 0.05, 0.0, 0.2, 0.5] + [0.0] * 5)
# --8<-- [end:digits]

# --8<-- [start:batch]
#: Seeing it whole: a batch of 32 examples of 16 features, far from mean
#: 0 and spread 1, to normalise (seed 0).
NORM_BATCH = _frozen(np.random.default_rng(0).normal(5.0, 3.0, (32, 16)))
# --8<-- [end:batch]

# --8<-- [start:check-network]
#: The cheatsheet's formula checks (L5, L8): layer sizes of a small random
#: network on which BP1-BP4 and the collapse of linear layers are
#: evaluated. Nothing the sheet prints depends on it.
CHECK_SIZES = (3, 4, 2)
# --8<-- [end:check-network]
