# %% [markdown]
# # Lab: choosing a learning rate
#
# Gradient descent on $f(w) = (w - 3)^2$ from $w = 0$, with several
# learning rates. Each step multiplies the distance to the minimum by
# $1 - 2\eta$, so small rates crawl, moderate ones converge, and rates
# above one overshoot further every step. Change the list of rates and
# run the notebook again.

# %%
import matplotlib.pyplot as plt
import numpy as np

from ref.descent import descend, f_prime

etas = [0.01, 0.1, 0.5, 0.9, 1.05]
steps = 20
paths = {eta: descend(f_prime, 0.0, eta, steps) for eta in etas}
for eta, w in paths.items():
    print(f"eta = {eta:<5} w after {steps} steps = {w[-1]:10.4f}")

# %%
fig, ax = plt.subplots(figsize=(6.4, 3.6), layout="constrained")
for eta, w in paths.items():
    ax.plot(np.arange(steps + 1), w, marker=".", label=f"eta = {eta}")
ax.axhline(3.0, color="grey", linewidth=0.8)
ax.set_xlabel("step")
ax.set_ylabel("w")
ax.set_ylim(-4, 10)
ax.legend()
plt.show()
