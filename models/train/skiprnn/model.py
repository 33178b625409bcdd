"""Skip-GRU (Campos et al., ICLR 2018) in PyTorch.

The equations (one shared binary gate for all stacked layers):

    u_t      = round(ũ_t)                  straight-through: backward is identity
    s_t^l    = u_t · GRU_l(in_t^l, s_{t-1}^l) + (1 − u_t) · s_{t-1}^l
    in_t^0   = x_t,  in_t^l = s_t^{l-1}
    Δũ_t     = σ(W_p s_t^top + b_p)
    ũ_{t+1}  = u_t · Δũ_t + (1 − u_t) · (ũ_t + min(Δũ_t, 1 − ũ_t)),   ũ_1 = 1

The C# float reference implements exactly this; tests compare to ~1e-6, so any
change here must be mirrored there (and in tests/fixtures/make_fixtures.py's
numpy checker).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

VARIANTS = ("reset_after", "reset_before")


# Debian's torch links the reference (netlib) BLAS: F.linear is 4-10x slower than
# oneDNN's matmul at our sizes (B=256, H=32..110). _OneDnnLinear routes float32 CPU
# products through torch's built-in oneDNN. Set FAST_MATMUL = False to compare.
FAST_MATMUL = torch.backends.mkldnn.is_available() and hasattr(torch._C._nn, "mkldnn_linear")


def _mkldnn_mm(x: torch.Tensor, w: torch.Tensor, b: torch.Tensor | None = None) -> torch.Tensor:
    """x [M, K] @ w[N, K].T + b, computed by oneDNN (float32, CPU)."""
    return torch._C._nn.mkldnn_linear(x.contiguous().to_mkldnn(), w.contiguous().to_mkldnn(),
                                      None if b is None else b.contiguous().to_mkldnn()).to_dense()


class _OneDnnLinear(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, w, b):
        ctx.save_for_backward(x, w)
        ctx.has_bias = b is not None
        return _mkldnn_mm(x, w, b)

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        gx = _mkldnn_mm(g, w.t()) if ctx.needs_input_grad[0] else None          # g @ w
        gw = _mkldnn_mm(g.t(), x.t()) if ctx.needs_input_grad[1] else None      # g.T @ x
        gb = g.sum(0) if ctx.has_bias and ctx.needs_input_grad[2] else None
        return gx, gw, gb


def _linear(x: torch.Tensor, w: torch.Tensor, b: torch.Tensor | None) -> torch.Tensor:
    """x @ w.T + b. float32 on CPU goes through oneDNN; other dtypes (e.g. the float64
    fixture runs) use F.linear. Same value up to float32 rounding."""
    if FAST_MATMUL and x.dtype == torch.float32 and x.device.type == "cpu" and w.shape[0] >= 8:
        return _OneDnnLinear.apply(x, w, b)
    return F.linear(x, w, b)


class _RoundSTE(torch.autograd.Function):
    """round() forward, identity backward (straight-through estimator).

    A custom Function rather than `x + (round(x) - x).detach()` because the
    latter is not exactly 0/1 in floating point (e.g. 0.7 + 0.3000000000000000444).
    torch.round is half-to-even, so the result is 1 exactly when x > 0.5 (for x in [0, 1]).
    """

    @staticmethod
    def forward(ctx, x):  # noqa: D401
        return torch.round(x)

    @staticmethod
    def backward(ctx, grad):
        return grad


def round_ste(x: torch.Tensor) -> torch.Tensor:
    return _RoundSTE.apply(x)


# ---- quantization-aware training: the integer runtime's rounding, simulated in float ----
# docs: docs/fixed-point.md. Every rounding is straight-through (identity
# gradient), so the float weights keep learning while the forward pass sees what the device
# computes: per-row symmetric weights, Q.12 pre-activations clamped to the tables' [-8, 8),
# Q0.15 gate outputs and states, and the skip probability accumulated in Q0.15 integers.
PREACT_STEP, STATE_STEP, TABLE_LIMIT = 2.0 ** -12, 2.0 ** -15, 8.0


class _QuantizeSTE(torch.autograd.Function):
    """round(x / step) · step forward (exact for the power-of-two steps used here), identity backward."""

    @staticmethod
    def forward(ctx, x, step):  # noqa: D401
        return torch.round(x / step) * step

    @staticmethod
    def backward(ctx, grad):
        return grad, None


def fake_quant(x: torch.Tensor, step: float) -> torch.Tensor:
    return _QuantizeSTE.apply(x, step)


def fake_quant_rows(w: torch.Tensor, bits: int) -> torch.Tensor:
    """Symmetric per-row quantization of w [rows, cols] to `bits`, as the converter's
    Quantizer: scale_r = max|w_r| / (2^(bits-1) - 1). Straight-through."""
    qmax = float(2 ** (bits - 1) - 1)
    scale = (w.detach().abs().amax(dim=1, keepdim=True) / qmax).clamp_min(1e-12)
    return _QuantizeSTE.apply(w / scale, 1.0) * scale


class QatConfig:
    """Which integer formats to simulate. Tensor names as the converter's --int16 option:
    layer[l].w_ih, layer[l].w_hh, skip_gate, head."""

    def __init__(self, weight_bits: int = 8, skip_gate_bits: int = 16, int16: tuple = ()):
        if weight_bits not in (8, 16) or skip_gate_bits not in (8, 16):
            raise ValueError("weight bits must be 8 or 16")
        self.weight_bits, self.skip_gate_bits, self.int16 = weight_bits, skip_gate_bits, set(int16)

    def bits(self, name: str) -> int:
        if name in self.int16:
            return 16
        return self.skip_gate_bits if name == "skip_gate" else self.weight_bits

    def describe(self) -> dict:
        return {"weight_bits": self.weight_bits, "skip_gate_bits": self.skip_gate_bits,
                "int16": sorted(self.int16)}


def _table(fn, x: torch.Tensor) -> torch.Tensor:
    """A device activation table: Q.12 input clamped to the table's range, Q0.15 output."""
    return fake_quant(fn(x.clamp(-TABLE_LIMIT, TABLE_LIMIT)), STATE_STEP)


class _Affine(nn.Module):
    """y = x @ kernel + bias, TF layout (kernel is [in, out])."""

    def __init__(self, in_features: int, out_features: int, bias_init: float):
        super().__init__()
        self.kernel = nn.Parameter(torch.empty(in_features, out_features))
        self.bias = nn.Parameter(torch.full((out_features,), float(bias_init)))
        # TF1 get_variable's default initializer is glorot_uniform.
        nn.init.xavier_uniform_(self.kernel)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.addmm(self.bias, x, self.kernel)


class TFGRUCell(nn.Module):
    """"Reset before" GRU cell in the layout of the paper's TF SkipGRUCell.

    gates.kernel [I+H, 2H] (input rows first; columns r then u), gates.bias [2H] = 1.0;
    candidate.kernel [I+H, H], candidate.bias [H] = 0.
        r, u = split(σ([x, h] @ Wg + bg));  c = tanh([x, r⊙h] @ Wc + bc);  h' = u⊙h + (1−u)⊙c
    """

    def __init__(self, input_size: int, hidden_size: int):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.gates = _Affine(input_size + hidden_size, 2 * hidden_size, bias_init=1.0)
        self.candidate = _Affine(input_size + hidden_size, hidden_size, bias_init=0.0)

    def forward(self, x: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
        g = torch.sigmoid(self.gates(torch.cat([x, h], dim=1)))
        r, u = g.split(self.hidden_size, dim=1)
        c = torch.tanh(self.candidate(torch.cat([x, r * h], dim=1)))
        return u * h + (1 - u) * c


class SkipGRU(nn.Module):
    """Stacked Skip-GRU with one shared update gate and an optional linear head.

    Args:
        input_size, hidden_size: sizes I and H.
        num_layers: 1..4 (the device runtime supports up to 4).
        variant: "reset_after" (nn.GRUCell, state_dict `cells.{l}.weight_ih`, ...) or
            "reset_before" (TFGRUCell, `cells.{l}.gates.kernel`, ...).
        output_size: O > 0 adds `head` = nn.Linear(H, O) on the top layer's final state;
            0 returns the final state itself.
        skip: False gives the plain-GRU baseline (u_t = 1 on every step, gate unused).
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 variant: str = "reset_after", output_size: int = 0, skip: bool = True):
        super().__init__()
        if variant not in VARIANTS:
            raise ValueError(f"variant must be one of {VARIANTS}, got {variant!r}")
        if not 1 <= num_layers <= 4:
            raise ValueError(f"num_layers must be 1..4, got {num_layers}")
        if input_size < 1 or hidden_size < 1 or output_size < 0:
            raise ValueError("input_size and hidden_size must be >= 1, output_size >= 0")
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.variant = variant
        self.output_size = output_size
        self.skip = skip

        cell_cls = nn.GRUCell if variant == "reset_after" else TFGRUCell
        self.cells = nn.ModuleList(
            cell_cls(input_size if l == 0 else hidden_size, hidden_size) for l in range(num_layers))
        self.skip_gate = nn.Linear(hidden_size, 1)
        nn.init.constant_(self.skip_gate.bias, 1.0)  # paper: b_p initialised to 1
        self.head = nn.Linear(hidden_size, output_size) if output_size > 0 else None
        self.qat: QatConfig | None = None  # set to simulate the integer runtime (QAT)

    def config(self) -> dict:
        return dict(input_size=self.input_size, hidden_size=self.hidden_size,
                    num_layers=self.num_layers, variant=self.variant,
                    output_size=self.output_size, skip=self.skip)

    def forward(self, x: torch.Tensor, return_states: bool = False):
        """Run a batch of sequences.

        Args:
            x: [B, T, I] (already normalised inputs).
            return_states: also return every layer's state after every step.
        Returns:
            (outputs, info): outputs = head(s_T^top) [B, O], or s_T^top [B, H] without head.
            info: "updates" [B, T] float 0/1 (carries the STE gradient),
                  "utilde" [B, T] (ũ_t used at step t), "delta" [B, T] (Δũ_t),
                  "final_states" [L, B, H], and "states" [B, T, L, H] if requested.
        """
        return self._run(x, return_states, use_cell_modules=False)

    def forward_reference(self, x: torch.Tensor, return_states: bool = False):
        """Same as forward() but stepping the cell modules themselves (nn.GRUCell /
        TFGRUCell.forward). Slower; used to check the fused path."""
        return self._run(x, return_states, use_cell_modules=True)

    def _layer_weights(self, l: int):
        """(W_in [3H, I_l], b_in [3H], recurrent step function) for layer l.

        Both variants are arranged as one input projection of 3H columns, so layer 0's
        projection can be computed for all time steps in a single product.
        """
        if self.qat is not None:
            return self._layer_weights_qat(l)
        cell = self.cells[l]
        H = self.hidden_size
        if self.variant == "reset_after":
            w_hh, b_hh = cell.weight_hh, cell.bias_hh

            def step(gi, h):
                # same operation order as ATen's CPU gru_cell
                # (chunk/unbind, not slicing: a slice's backward allocates a full-size zero
                # gradient per use, which dominated training time.)
                i_r, i_z, i_n = gi.chunk(3, 1)
                h_r, h_z, h_n = _linear(h, w_hh, b_hh).chunk(3, 1)
                r = torch.sigmoid(i_r + h_r)
                z = torch.sigmoid(i_z + h_z)
                n = torch.tanh(i_n + r * h_n)
                return (h - n) * z + n

            return cell.weight_ih, cell.bias_ih, step

        I_l = cell.input_size
        gk, ck = cell.gates.kernel, cell.candidate.kernel
        w_in = torch.cat([gk[:I_l], ck[:I_l]], dim=1).t()          # [3H, I]: r, u, c
        b_in = torch.cat([cell.gates.bias, cell.candidate.bias])
        w_gh = gk[I_l:].t().contiguous()                             # [2H, H]
        w_ch = ck[I_l:].t().contiguous()                             # [H, H]

        def step(gi, h):
            i_g, i_c = gi.split([2 * H, H], 1)
            r, u = torch.sigmoid(i_g + _linear(h, w_gh, None)).chunk(2, 1)
            c = torch.tanh(i_c + _linear(r * h, w_ch, None))
            return u * h + (1 - u) * c

        return w_in.contiguous(), b_in, step

    def _float_layout(self, l: int):
        """Layer l as device-layout float tensors: (w_ih [3H, I], w_hh [3H, H], b_ih, b_hh)
        with rows r, z/u, n/c; reset_before has b_hh = 0 (its biases sit in b_ih)."""
        cell = self.cells[l]
        if self.variant == "reset_after":
            return cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh
        I_l = cell.input_size
        gk, ck = cell.gates.kernel, cell.candidate.kernel
        w_ih = torch.cat([gk[:I_l], ck[:I_l]], dim=1).t()
        w_hh = torch.cat([gk[I_l:], ck[I_l:]], dim=1).t()
        b_ih = torch.cat([cell.gates.bias, cell.candidate.bias])
        return w_ih, w_hh, b_ih, torch.zeros_like(b_ih)

    def _layer_weights_qat(self, l: int):
        """_layer_weights with the integer runtime simulated (see QatConfig): quantized
        weights, Q.12 matrix products and biases, table activations, Q0.15 states."""
        q, H = self.qat, self.hidden_size
        w_ih, w_hh, b_ih, b_hh = self._float_layout(l)
        w_ih = fake_quant_rows(w_ih, q.bits(f"layer[{l}].w_ih"))
        w_hh = fake_quant_rows(w_hh, q.bits(f"layer[{l}].w_hh"))
        b_ih, b_hh = fake_quant(b_ih, PREACT_STEP), fake_quant(b_hh, PREACT_STEP)
        reset_after = self.variant == "reset_after"
        # reset_after: all 3H recurrent rows act on h; reset_before: the candidate rows act on r ⊙ h
        w_gates = (w_hh if reset_after else w_hh[:2 * H]).contiguous()
        w_cand = w_hh[2 * H:].contiguous()
        b_r, b_z, b_n = b_hh.chunk(3)

        def step(gi, h):
            # gi: the input product + b_ih, already on the Q.12 grid (rounded by _run)
            i_r, i_z, i_n = gi.chunk(3, 1)
            gh = fake_quant(_linear(h, w_gates, None), PREACT_STEP).chunk(3 if reset_after else 2, 1)
            r = _table(torch.sigmoid, i_r + gh[0] + b_r)
            z = _table(torch.sigmoid, i_z + gh[1] + b_z)
            if reset_after:
                n = _table(torch.tanh, i_n + fake_quant(r * (gh[2] + b_n), PREACT_STEP))
            else:
                rh = fake_quant(r * h, STATE_STEP)
                n = _table(torch.tanh, i_n + fake_quant(_linear(rh, w_cand, None), PREACT_STEP) + b_n)
            return fake_quant(n + z * (h - n), STATE_STEP)

        return w_ih.contiguous(), b_ih, step

    def _run(self, x: torch.Tensor, return_states: bool, use_cell_modules: bool):
        if x.dim() != 3 or x.shape[2] != self.input_size:
            raise ValueError(f"expected input [B, T, {self.input_size}], got {tuple(x.shape)}")
        B, T, _ = x.shape
        L = self.num_layers
        if use_cell_modules:
            if self.qat is not None:
                raise ValueError("forward_reference runs the float cells; QAT needs forward()")
            cells = [(lambda inp, h, c=c: c(inp, h)) for c in self.cells]
        else:
            lw = [self._layer_weights(l) for l in range(L)]
            # Layer 0's input projection does not depend on the state: all steps at once.
            qin = (lambda v: v) if self.qat is None else (lambda v: fake_quant(v, PREACT_STEP))
            x_proj = qin(_linear(x.reshape(B * T, -1), lw[0][0], lw[0][1])).view(B, T, -1).unbind(1)

            def make(l):
                w_in, b_in, step = lw[l]
                if l == 0:
                    return lambda t, h: step(x_proj[t], h)
                return lambda inp, h: step(qin(_linear(inp, w_in, b_in)), h)
            cells = [make(l) for l in range(L)]

        if self.qat is None:
            def gate(top):  # Δũ_t
                return torch.sigmoid(self.skip_gate(top))
        else:
            # device: Δũ from the int16 gate through the sigmoid table, Q0.15; ũ sums stay
            # exact multiples of 2^-15 in float32. Weights quantized once per forward.
            w_p = fake_quant_rows(self.skip_gate.weight, self.qat.bits("skip_gate")).t()
            b_p = fake_quant(self.skip_gate.bias, PREACT_STEP)

            def gate(top):
                return _table(torch.sigmoid, fake_quant(top @ w_p, PREACT_STEP) + b_p)

        h = [x.new_zeros(B, self.hidden_size) for _ in range(L)]
        utilde = x.new_ones(B, 1)  # ũ_1 = 1: the first step always updates
        ones = x.new_ones(B, 1)
        us, uts, deltas, states = [], [], [], []
        xs = x.unbind(1)
        for t in range(T):
            u = round_ste(utilde) if self.skip else ones
            inp = xs[t]
            new_h = []
            for l in range(L):
                cand = cells[l](t if (l == 0 and not use_cell_modules) else inp, h[l])
                # Skipped steps copy the state; during training we compute and mask
                # (all sequences in the batch step together). The device really skips.
                s = u * cand + (1 - u) * h[l] if self.skip else cand
                new_h.append(s)
                inp = s  # the layer above sees this layer's NEW (mixed) state
            h = new_h
            if self.skip:
                delta = gate(h[-1])
                uts.append(utilde)
                deltas.append(delta)
                utilde = u * delta + (1 - u) * (utilde + torch.minimum(delta, 1 - utilde))
            us.append(u)
            if return_states:
                states.append(torch.stack(h, dim=1))

        top = h[-1]
        if self.head is not None and self.qat is not None:
            wo = fake_quant_rows(self.head.weight, self.qat.bits("head"))
            out = fake_quant(top @ wo.t(), PREACT_STEP) + fake_quant(self.head.bias, PREACT_STEP)
        else:
            out = self.head(top) if self.head is not None else top
        info = {"updates": torch.cat(us, dim=1), "final_states": torch.stack(h, dim=0)}
        if self.skip:
            info["utilde"] = torch.cat(uts, dim=1)
            info["delta"] = torch.cat(deltas, dim=1)
        else:
            info["utilde"] = x.new_ones(B, T)
            info["delta"] = x.new_ones(B, T)
        if return_states:
            info["states"] = torch.stack(states, dim=1)
        return out, info

    def export_state_dict(self) -> dict[str, torch.Tensor]:
        """State dict for the device converter.

        A plain-GRU baseline (skip=False) has an unused skip gate; the device always
        runs the gate, so we export W_p = 0, b_p = 20: Δũ = σ(20) > 0.5, hence every
        step updates and the exported model behaves exactly like the baseline.
        """
        sd = {k: v.detach().clone() for k, v in self.state_dict().items()}
        if not self.skip:
            sd["skip_gate.weight"].zero_()
            sd["skip_gate.bias"].fill_(20.0)
        return sd


def plain_gru(input_size: int, hidden_size: int, num_layers: int = 1,
              variant: str = "reset_after", output_size: int = 0) -> SkipGRU:
    """The paper's "GRU" baseline: same module with skipping disabled (u_t = 1)."""
    return SkipGRU(input_size, hidden_size, num_layers, variant, output_size, skip=False)


def budget_loss(updates: torch.Tensor, lam: float) -> torch.Tensor:
    """λ · Σ_t u_t, averaged over the batch (reference code's L_budget). updates: [B, T]."""
    return lam * updates.sum(dim=1).mean()


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())

