"""Skip RNN training code for SkipRnn Edge (see /work/shared/reference/skip-rnn.md)."""
from .model import (QatConfig, SkipGRU, TFGRUCell, VARIANTS, budget_loss, count_parameters, fake_quant,
                    fake_quant_rows, plain_gru, round_ste)
from .io import (load_safetensors, save_npz, save_safetensors, sidecar_for, state_dict_to_numpy,
                 write_sidecar)

__all__ = ["QatConfig", "fake_quant", "fake_quant_rows", "SkipGRU", "TFGRUCell", "VARIANTS", "budget_loss", "plain_gru", "round_ste",
           "count_parameters", "load_safetensors", "save_npz", "save_safetensors", "sidecar_for",
           "state_dict_to_numpy", "write_sidecar"]
