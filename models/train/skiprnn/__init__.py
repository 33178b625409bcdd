"""Skip RNN training code for SkipRnn Edge (see /work/shared/reference/skip-rnn.md)."""
from .model import SkipGRU, TFGRUCell, VARIANTS, budget_loss, plain_gru, round_ste, count_parameters
from .io import (load_safetensors, save_npz, save_safetensors, sidecar_for, state_dict_to_numpy,
                 write_sidecar)

__all__ = ["SkipGRU", "TFGRUCell", "VARIANTS", "budget_loss", "plain_gru", "round_ste",
           "count_parameters", "load_safetensors", "save_npz", "save_safetensors", "sidecar_for",
           "state_dict_to_numpy", "write_sidecar"]
