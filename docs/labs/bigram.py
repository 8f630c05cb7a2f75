# %% [markdown]
# # Lab: sampling names from a bigram model
#
# Count which letter follows which in the names list that ships with
# `ref`, turn the counts into probabilities, and sample new names. Greedy
# decoding always picks the likeliest next letter, so it gives the same
# name every time; sampling gives variety. Change the seed, or sample
# more names.

# %%
import numpy as np

from ref.bigram import (
    count_matrix,
    greedy_names,
    load_names,
    probabilities,
    sample_names,
)

names = load_names()
P = probabilities(count_matrix(names))
print("greedy: ", greedy_names(P, 3))
rng = np.random.default_rng(0)
print("sampled:", sample_names(P, 10, rng))
