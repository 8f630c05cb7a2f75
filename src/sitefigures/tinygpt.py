"""Figure of the tiny GPT chapter: its training and validation losses.

Drawn from the loss history stored in the shipped checkpoint
(`ref.tinygpt.load_checkpoint`), which `tests/test_tinygpt.py` proves
comes from `ref.tinygpt.train_names_model`; the bigram line is computed
from `ref.bigram` on the same split. Nothing is retrained at build time.
"""

import numpy as np

from ref.bigram import count_matrix, nll_per_char, probabilities
from ref.names import census_split
from ref.tinygpt import NAMES_CONFIG, NAMES_RUN, load_checkpoint
from sitefigures.style import figure, fit_label, shown


def draw_loss(style):
    """Batch loss, and training and validation loss per character."""
    _, history = load_checkpoint()
    train_names, val_names = census_split()
    P = probabilities(count_matrix(train_names), smoothing=1)
    bigram = nll_per_char(P, val_names)
    fig, ax = figure(style, width=6.4, height=3.8)
    steps = np.arange(1, len(history["train"]) + 1)
    ax.plot(steps, history["train"], linewidth=0.5, alpha=0.35,
            label="loss of each batch")  # fmt: skip
    ax.plot(history["eval_steps"], history["train_eval"], linewidth=1.8,
            label="training names")  # fmt: skip
    ax.plot(history["eval_steps"], history["val"], linewidth=1.8,
            label="validation names")  # fmt: skip
    ax.axhline(bigram, linestyle="--", linewidth=1.2, color=style.text,
               label="bigram model, validation")  # fmt: skip
    best = history["best_step"]
    best_val = history["val"][list(history["eval_steps"]).index(best)]
    ax.plot([best], [best_val], marker="o", color=style.text)
    ax.annotate("kept: the best validation loss", (best, best_val),
                xytext=(0, 18), textcoords="offset points", ha="right",
                fontsize="small", color=style.text)  # fmt: skip
    ax.set_ylim(1.5, 3.4)
    ax.set_xlabel(
        fit_label(
            style,
            f"step (one batch of {shown(fig, NAMES_RUN['batch_size'], 'd')} "
            f"windows of {shown(fig, NAMES_CONFIG.context, 'd')} characters)",
        )
    )
    ax.set_ylabel(fit_label(style, "loss (nats per character)"))
    ax.legend(fontsize="small", labelcolor=style.text, frameon=False,
              loc="upper right")  # fmt: skip
    return fig


FIGURES = {"tinygpt-loss": draw_loss}
