# %% [markdown]
# # Lab: training AND and XOR
#
# One sigmoid neuron learns AND, and a network with a hidden layer of two
# neurons learns XOR, both by full-batch gradient descent on the mean
# squared error. The plot shows how the loss falls. Try another seed for
# the XOR network: some seeds get stuck.

# %%
import matplotlib.pyplot as plt
import numpy as np

from ref.training import XOR_SEED, train_and, train_xor

w, b, and_losses = train_and()
print(
    f"AND: w = {np.round(w, 2)}, b = {b:.2f}, "
    f"final loss = {and_losses[-1]:.5f}"
)

params, xor_losses = train_xor(XOR_SEED)
print(f"XOR (seed {XOR_SEED}): final loss = {xor_losses[-1]:.5f}")

# %%
fig, ax = plt.subplots(figsize=(6.4, 3.6), layout="constrained")
ax.semilogy(and_losses, label="AND, one neuron")
ax.semilogy(xor_losses, label="XOR, two hidden neurons")
ax.set_xlabel("epoch")
ax.set_ylabel("mean squared error")
ax.legend()
plt.show()
