namespace SkipRnn.Edge.Model
{
    /// <summary>
    /// Where the GRU applies its reset gate. Both variants use gate order r, z, n and
    /// h' = z ⊙ h + (1 − z) ⊙ n.
    /// </summary>
    public enum GruVariant : byte
    {
        /// <summary>
        /// PyTorch nn.GRU / Keras reset_after=True / cuDNN:
        /// n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)).
        /// </summary>
        ResetAfter = 0,

        /// <summary>
        /// Cho et al. and the paper's TensorFlow SkipGRUCell:
        /// n = tanh(W_in x + b_in + W_hn (r ⊙ h) + b_hn).
        /// </summary>
        ResetBefore = 1,
    }
}
