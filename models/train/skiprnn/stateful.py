"""The recipe's fused reset_after Skip-GRU step over a sequence, started from a carried state (the stream recipes
train with it: models/train/motion/train_stream.py carries h and ũ across crops, models/train/keyword/train.py starts
each clip from Reset()). Same equations as SkipGRU (skiprnn.model): layer 0's input projection for all steps in one
oneDNN product, the recurrent product through oneDNN, chunk not slicing; u = round(ũ) straight-through, skipped steps
copy the state."""
from __future__ import annotations

from typing import List

from torch import Tensor
import torch

from .model import SkipGRU, _linear, round_ste


def run(model: SkipGRU, x: Tensor, h: Tensor | None = None, ut: Tensor | None = None, return_states: bool = False,
        utildes: List[Tensor] | None = None):
    """x [T, B, I] normalised, state h [B, H] and ũ [B, 1] (None: Reset(), h = 0 and ũ = 1) ->
    (logits [T, B, C], updates [T, B], h, ũ), plus the states [T, B, H] with return_states. A list passed as
    `utildes` receives each step's ũ [B, 1] before rounding (Skip-GRU only; with its gradient)."""
    c = model.cells[0]
    T, B, _ = x.shape
    h = x.new_zeros(B, model.hidden_size) if h is None else h
    ut = x.new_ones(B, 1) if ut is None else ut
    xp = _linear(x.reshape(T * B, -1), c.weight_ih, c.bias_ih).view(T, B, -1).unbind(0)
    w_hh, b_hh = c.weight_hh, c.bias_hh
    ones = x.new_ones(B, 1)
    hs: List[Tensor] = []
    us: List[Tensor] = []
    for t in range(T):
        i_r, i_z, i_n = xp[t].chunk(3, 1)
        h_r, h_z, h_n = _linear(h, w_hh, b_hh).chunk(3, 1)
        r = torch.sigmoid(i_r + h_r)
        z = torch.sigmoid(i_z + h_z)
        n = torch.tanh(i_n + r * h_n)
        cand = (h - n) * z + n
        if model.skip:
            if utildes is not None:
                utildes.append(ut)
            u = round_ste(ut)
            h = u * cand + (1 - u) * h
            delta = torch.sigmoid(model.skip_gate(h))
            ut = u * delta + (1 - u) * (ut + torch.minimum(delta, 1 - ut))
        else:
            u = ones
            h = cand
        hs.append(h)
        us.append(u)
    states = torch.stack(hs)
    if return_states:
        return model.head(states), torch.stack(us).squeeze(2), h, ut, states
    return model.head(states), torch.stack(us).squeeze(2), h, ut
