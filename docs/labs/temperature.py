# %% [markdown]
# # Lab: a temperature sweep
#
# Divide the logits by a temperature before the softmax. Low temperatures
# sharpen the distribution towards the largest logit (greedy decoding),
# high ones flatten it towards uniform. Add your own logits.

# %%
import matplotlib.pyplot as plt
import numpy as np

from ref.sampling import softmax_with_temperature

logits = np.array([4.0, 2.5, 2.0, 0.5, 0.1])
temperatures = [0.25, 0.5, 1.0, 2.0, 5.0]
for T in temperatures:
    p = softmax_with_temperature(logits, T)
    print(f"T = {T:<4}", " ".join(f"{x:.3f}" for x in p))

# %%
fig, ax = plt.subplots(figsize=(6.4, 3.6), layout="constrained")
width = 0.8 / len(temperatures)
for i, T in enumerate(temperatures):
    p = softmax_with_temperature(logits, T)
    ax.bar(np.arange(len(logits)) + i * width, p, width, label=f"T = {T}")
ax.set_xticks(np.arange(len(logits)) + 0.4 - width / 2)
ax.set_xticklabels([f"logit {x}" for x in logits])
ax.set_ylabel("probability")
ax.legend()
plt.show()
