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
    nll_per_char,
    probabilities,
    sample_names,
)
from ref.names import census_split

names = load_names()
P = probabilities(count_matrix(names))
print("greedy: ", greedy_names(P, 3))
rng = np.random.default_rng(0)
print("sampled:", sample_names(P, 10, rng))

# %% [markdown]
# ## Scoring on names the model has not seen
#
# The census first names that `ref.names` ships are split, with a fixed
# seed, into names to count and names held back. The score is the mean
# negative log-likelihood per character (lower is better); one is added
# to every count so that pairs never seen in the counted names do not
# make it infinite. The tiny GPT chapter is scored on the same names.

# %%
train_names, val_names = census_split()
for s in (0.1, 1, 10):
    P_census = probabilities(count_matrix(train_names), smoothing=s)
    print(
        f"smoothing {s:>4}: held back {nll_per_char(P_census, val_names):.3f}"
        f", counted {nll_per_char(P_census, train_names):.3f}"
    )
print("sampled:", sample_names(P_census, 10, rng))
