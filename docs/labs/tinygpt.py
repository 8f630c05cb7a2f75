# %% [markdown]
# # Lab: training a tiny GPT for longer
#
# The chapter [Training a tiny GPT](../../chapters/tiny-gpt/) loads a
# checkpoint. Here the same model trains from scratch, in plain NumPy,
# with a third of the checkpoint's learning rate and for more steps,
# scored on held-back census names as it goes; it takes a minute or two.
# Early stopping keeps the weights with the best validation loss. Try a
# larger `d_model` or a third layer, another seed, or `patience=None`
# to watch the validation loss turn up.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np

from ref.bigram import count_matrix, nll_per_char, probabilities
from ref.names import census_split, decode
from ref.tinygpt import NAMES_RUN, GPTConfig, generate, train

train_names, val_names = census_split()
cfg = GPTConfig(vocab_size=27, context=16, d_model=64, n_heads=4, n_layers=2)
rng = np.random.default_rng(0)
start = time.perf_counter()
best, history = train(
    cfg,
    train_names,
    val_names,
    steps=3000,
    rng=rng,
    lr=NAMES_RUN["lr"] / 3,
    eval_every=100,
    patience=6,
)
seconds = time.perf_counter() - start
bigram = nll_per_char(
    probabilities(count_matrix(train_names), smoothing=1), val_names
)
print(f"{len(history['train'])} steps in {seconds:.0f} s")
print(
    f"best validation loss {history['val'].min():.3f} nats per character "
    f"at step {history['best_step']} (bigram: {bigram:.3f})"
)

# %%
fig, ax = plt.subplots(figsize=(6.4, 3.6), layout="constrained")
ax.plot(history["eval_steps"], history["train_eval"], label="training names")
ax.plot(history["eval_steps"], history["val"], label="validation names")
ax.axhline(bigram, linestyle="--", color="grey", label="bigram, validation")
ax.set_xlabel("step")
ax.set_ylabel("nats per character")
ax.legend()
plt.show()

# %%
for T in (0.5, 1.0, 1.5):
    made = [decode(generate(best, cfg, rng, T=T)) for _ in range(10)]
    print(f"T = {T}: {' '.join(made)}")
