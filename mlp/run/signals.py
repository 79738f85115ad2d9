"""Per-layer signals of one training step: what the gradient views draw.

Read straight from the net's workspace after a step, so the training loop itself pays nothing for
them. Histograms have bins fixed for a run (counts only), so frames can be compared and stacked over
time: gradients over log10|dW| from 1e-16 to 1e8, wide enough for the tiniest gradient a vanishing
net gets and the largest one before an explosion overflows (vanishing shows as mass sliding left,
exploding as mass moving right); activations over the activation's range where it has one (tanh,
sigmoid), and where it has none (ReLU, ELU, linear) over each layer's own range at the net's first
report, rounded out to a round number, so a net whose signal grows or dies away layer by layer gets
bins where its values are. Values beyond a range are counted in its end bin (the figures label it).

`collect_signals` handles all layers at once: the workspace keeps each kind of array (A, delta,
phi'(Z)) of all layers side by side in one block, and the weights and their gradient are one flat
vector each, so every statistic is a few whole-array operations however deep the net is.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

N_BINS = 30
GRAD_LOG_RANGE = (-16.0, 8.0)         # log10 |dW|: 0.8 of a decade per bin
STUCK_THRESHOLD = 0.01                # a unit whose mean phi'(z) is under 1% of phi's peak slope


@dataclass(frozen=True)
class LayerSignals:
    """One row per weight layer l = 1..L (index 0 is the first hidden layer)."""
    activation_hist: np.ndarray     # (L, N_BINS) int counts of A[l] over the batch
    activation_edges: np.ndarray    # (L, N_BINS + 1) bin edges per layer
    gradient_hist: np.ndarray       # (L, N_BINS) int counts of log10 |dW[l]| entries
    grad_norm: np.ndarray           # (L,) ‖dW[l]‖ (Frobenius)
    weight_norm: np.ndarray         # (L,) ‖W[l]‖
    update_ratio: np.ndarray        # (L,) ‖ΔW[l]‖ / ‖W[l]‖ of the step (≈1e-3 is healthy)
    delta_mean_abs: np.ndarray      # (L,) mean |delta[l]| over the batch
    stuck_fraction: np.ndarray      # (L,) share of dead (ReLU) / saturated (sigmoid, tanh) units; nan for output
    # per layer (low, high): whether A[l] can leave its histogram's range at that end (open_ends)
    activation_open_ends: tuple[tuple[bool, bool], ...] | None = None

    @property
    def gradient_edges(self) -> np.ndarray:
        return np.linspace(*GRAD_LOG_RANGE, N_BINS + 1)


def fixed_histogram(values: np.ndarray, lo: float, hi: float, n_bins: int = N_BINS) -> np.ndarray:
    """Counts of `values` in n_bins equal bins over [lo, hi]; values outside land in the end bins.

    Non-finite values are not counted. Faster than np.histogram, which sorts or searches per value.
    """
    return np.bincount(_bin_index(values, lo, n_bins / (hi - lo), n_bins), minlength=n_bins)[:n_bins]


def _bin_index(values, lo, scale, n_bins=N_BINS) -> np.ndarray:
    """floor((values - lo) * scale) clipped to [0, n_bins - 1], flat, as intp; NaNs left out."""
    index = np.subtract(values, lo)
    index *= scale
    np.clip(index, 0, n_bins - 1, out=index)
    finite = np.isfinite(index)
    index = index[finite] if not finite.all() else index
    return index.astype(np.intp).ravel(order="K")     # order "K": a view, whichever the layout


def output_range(net) -> tuple[float, float]:
    return (-2.0, 2.0) if net.output.name == "linear" else (0.0, 1.0)


def _round_out(x: float) -> float:
    """The smallest of 1, 2, 5 × 10^k at or above x > 0."""
    k = math.floor(math.log10(x))
    return next(m * 10.0 ** k for m in (1, 2, 5, 10) if m * 10.0 ** k >= x * (1 - 1e-12))


def open_ends(net) -> list[tuple[bool, bool]]:
    """Per layer (low, high): whether its values can fall below / rise above their histogram range
    (and so be counted in its end bin). Hidden layers: neither for tanh and sigmoid; above for every
    unbounded activation, below too unless phi never goes under 0 (ReLU, whose first bin holds its
    exact zeros). The output layer: both for a linear output, neither for probabilities."""
    act = net.activation
    if _stays_in(act.fn, act.value_range, net.dtype, 1):
        hidden = (False, False)
    else:
        with np.errstate(all="ignore"):
            lowest = float(act.fn(np.full(1, -1e30, net.dtype), np.empty(1, net.dtype))[0])
        hidden = (lowest < 0, True)
    linear = net.output.name == "linear"
    return [hidden] * (net.n_layers - 1) + [(linear, linear)]


def activation_ranges(net, hidden_outputs) -> list[tuple[float, float]]:
    """The histogram range of each layer: the activation's own range where its values cannot leave
    it (tanh, sigmoid); else the layer's values rounded out to 1, 2, 5 × 10^k, with 0 inside (ReLU:
    [0, hi]); the activation's usual range for a layer with no finite non-zero values. The output
    layer's range is output_range.

    hidden_outputs: A[1..L-1], each (m, n_l): the values the ranges are fitted to.
    """
    act = net.activation
    if _stays_in(act.fn, act.value_range, net.dtype, 1):
        return [act.value_range] * (net.n_layers - 1) + [output_range(net)]
    ranges = []
    with np.errstate(all="ignore"):
        for a in hidden_outputs:
            a = np.asarray(a, np.float64)
            a = a[np.isfinite(a)]
            lo, hi = (float(a.min()), float(a.max())) if a.size else (0.0, 0.0)
            if hi <= 0 and lo >= 0:
                ranges.append(act.value_range)
                continue
            top = _round_out(hi) if hi > 0 else 0.0
            bottom = -_round_out(-lo) if lo < 0 else 0.0
            ranges.append((bottom, top if top > bottom else bottom + 1.0))
    return ranges + [output_range(net)]


def _log_index_reference(g: np.ndarray) -> np.ndarray:
    """The gradient histogram's bin of each entry of g, by the definition: log10 |g|, binned."""
    tiny = np.finfo(g.dtype).tiny
    lo, hi = GRAD_LOG_RANGE
    return _bin_index(np.log10(np.abs(g) + tiny), lo, N_BINS / (hi - lo))


class _LogBins:
    """The gradient histogram's bins read off the bits of the floats: identical to
    `_log_index_reference`, without np.log10 (numpy computes that one value at a time, 7 ns each).

    A float's exponent field e says which octave [2^k, 2^(k+1)) it is in. A bin is 14/30 of a decade,
    1.55 octaves, wide, so an octave holds at most one bin edge:
        bin(|g|) = first[e] + (|g| >= edge[e])         (|g| compared as its bit pattern)
    where first[e] is the bin of the octave's smallest float and edge[e] the first float of the
    next bin inside the octave (or never). Both tables come from bisecting the reference itself
    over the floats (ordered like their bit patterns; the reference is monotone in |g|), so the two
    agree on every finite value. NaN has no bin: the caller sends non-finite gradients to the
    reference instead.
    """

    def __init__(self, dtype):
        self.dtype = dtype = np.dtype(dtype)
        info = np.finfo(dtype)
        self.int_type = np.dtype(f"i{dtype.itemsize}")
        self.shift = info.nmant                                   # mantissa bits: e = bits >> shift
        n_exponents = 1 << (8 * dtype.itemsize - 1 - info.nmant)

        def bins_of(bits):
            return _log_index_reference(np.asarray(bits, self.int_type).view(dtype))

        # the smallest bit pattern of each bin 1..N_BINS-1, bisecting between 0 and +inf at once
        inf_bits = int(np.array(np.inf, dtype).view(self.int_type))
        k = np.arange(1, N_BINS)
        low, high = np.zeros(N_BINS - 1, np.int64), np.full(N_BINS - 1, inf_bits, np.int64)
        while (low < high).any():
            mid = low + (high - low) // 2
            reached = bins_of(mid) >= k
            high, low = np.where(reached, mid, high), np.where(reached, low, mid + 1)
        starts = high

        octave_starts = np.arange(n_exponents, dtype=np.int64) << self.shift
        first = bins_of(octave_starts).astype(np.intp)
        never = np.iinfo(self.int_type).max
        self.edge = np.full(n_exponents, never, np.int64)
        for start in starts:
            e = start >> self.shift
            if start != octave_starts[e]:          # an edge inside octave e (at its start: in `first`)
                assert self.edge[e] == never, "two bin edges in one octave"
                self.edge[e] = start
        self.first_plus_one = first + 1            # index() subtracts 1 below the edge

    def scratch(self, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Buffers for index() of n values: allocated once, since fresh arrays of this size cost
        page faults on every call."""
        return np.empty(n, self.dtype), np.empty(n, np.int64), np.empty(n, np.int64)

    def index(self, g: np.ndarray, out: np.ndarray, scratch) -> np.ndarray:
        """The bins of a finite vector g into out (intp), using scratch() buffers."""
        absolute, bits, exponent = scratch
        np.copyto(bits, np.abs(g, out=absolute).view(self.int_type))    # the pattern, as int64
        np.right_shift(bits, self.shift, out=exponent)
        # mode="clip" skips take's bounds checks (which cost more than the lookup): e is in range
        np.take(self.first_plus_one, exponent, out=out, mode="clip")
        below = np.take(self.edge, exponent, out=exponent, mode="clip")   # reads e[i], then writes [i]
        np.subtract(bits, below, out=below)
        below >>= 63                       # -1 where |g| < edge[e], else 0
        out += below
        return out


_LOG_BINS: dict[np.dtype, _LogBins] = {}


# Up to this many values (activations and weights together) one bincount counts every histogram.
ONE_BINCOUNT_MAX = 16_384
# Below this many weights the gradient histogram takes log10 directly (a few tiny numpy calls);
# above it, log10's 7 ns per value make _LogBins' table lookups the cheaper way to the same bins.
LOG10_MAX_WEIGHTS = 1024


class _Plan:
    """What collect_signals needs for one net and batch size, computed once: per-column ranges,
    where each layer starts in the flat arrays, and scratch buffers.

    Fewer numpy calls matter more than smaller arrays here: on a small net each signal is a tiny
    operation whose cost is the call itself, so everything is laid out for whole-array calls.
    """

    def __init__(self, net, m: int, hidden_outputs):
        """hidden_outputs: A[1..L-1] of the first report, which the activation ranges are fitted to."""
        L, act, dtype, nw = net.n_layers, net.activation, net.dtype, net.n_weights
        self.activation, self.output = act, net.output        # what the plan was made for
        self.ranges = activation_ranges(net, hidden_outputs)
        self.open_ends = tuple(open_ends(net))
        self.edges = np.stack([np.linspace(lo, hi, N_BINS + 1) for lo, hi in self.ranges])
        self.edges.flags.writeable = False               # shared by every report of this net
        self.tiny = np.finfo(dtype).tiny
        widths = np.array(net.sizes[1:])
        n_units, n_hidden = int(widths.sum()), int(widths[:-1].sum())
        # each column of the workspace's (m, n_units) blocks gets its layer's range, scaled as
        # fixed_histogram scales values: (A - lo) * (N_BINS / (hi - lo)), in the net's dtype
        column_layer = np.repeat(np.arange(L), widths)
        self.lo = np.array([lo for lo, _ in self.ranges], dtype)[column_layer]
        self.scale = np.array([N_BINS / (hi - lo) for lo, hi in self.ranges], dtype)[column_layer]
        # One index vector for both histograms: [A of every layer (m x width each, column after
        # column), dW of every layer]; layer l's entries are index[cuts[l]:cuts[l + 1]].
        weight_counts = [W.size for W in net.weights]
        self.weight_starts = np.cumsum([0, *weight_counts[:-1]])
        self.cuts = np.cumsum([0, *(m * widths), *weight_counts]).tolist()
        self.index = np.empty(m * n_units + nw, np.intp)
        # Small nets count all 2L histograms with one bincount: an offset moves each entry to its
        # own histogram's slots, N_BINS + 1 of them (the extra one for A == hi, see below). For
        # large ones, adding the offsets costs more than one bincount call per histogram.
        sizes = np.diff(self.cuts)
        self.offset = (np.repeat(np.arange(2 * L) * (N_BINS + 1), sizes).astype(np.intp)
                       if len(self.index) <= ONE_BINCOUNT_MAX else None)
        self.log10_weights = nw <= LOG10_MAX_WEIGHTS
        self.scaled = np.empty(m * n_units + (nw if self.log10_weights else 0), dtype)
        # fixed_histogram clips values outside a range into its end bins. Where the function cannot
        # leave its range (tanh, sigmoid, probabilities) only A == hi lands outside, in bin N_BINS,
        # and the bincount folds that into the last bin: the clip, a pass over every A, is skipped.
        hidden_inside = L == 1 or _stays_in(act.fn, act.value_range, dtype, 1)
        output_inside = _stays_in(net.output.fn, output_range(net), dtype, widths[-1])
        parts = [(0, m * n_hidden, not hidden_inside), (m * n_hidden, m * n_units, not output_inside),
                 (m * n_units, len(self.scaled), True)]      # log10 |dW|, when computed here
        self.clip = []                                       # what to clip: runs of adjacent parts
        for start, stop, needed in parts:
            if needed and start < stop:
                if self.clip and self.clip[-1].stop == start:
                    start = self.clip.pop().start
                self.clip.append(slice(start, stop))
        self.scaled_a = self.scaled[:m * n_units].reshape((m, n_units), order="F")
        self.squares = np.empty((4, nw), dtype)                      # dW², W², ΔW², W_before²
        self.abs_delta = np.empty((m, n_units), dtype, order="F")
        # column sums: |delta| of every unit, phi'(Z) of every hidden unit, one spare (see below)
        self.sums = np.zeros(n_units + n_hidden + 1, dtype)
        self.sum_starts = np.concatenate([np.cumsum([0, *widths[:-1]]),
                                          n_units + np.cumsum([0, *widths[:-1]])])
        self.stuck_sum = STUCK_THRESHOLD * act.peak_derivative * m   # the threshold, summed over m rows
        # sums -> means: |delta| over m x width values; stuck units over width, and NaN for the
        # output layer (it has no phi'): the spare entry is its one "unit"
        self.per_sum = np.concatenate([1.0 / (m * widths), 1.0 / widths[:-1], [np.nan]])
        self.n_units = n_units
        if not self.log10_weights and dtype not in _LOG_BINS:
            _LOG_BINS[dtype] = _LogBins(dtype)
        self.log_bins = None if self.log10_weights else _LOG_BINS[dtype]
        self.log_scratch = None if self.log10_weights else self.log_bins.scratch(nw)


def _stays_in(fn, value_range, dtype, width) -> bool:
    """Whether fn's values cannot leave value_range: its values at -1e30 and 1e30 are inside
    (every activation and output function here is monotone in each input)."""
    z = np.full((2, width), 1e30, dtype)
    z[0, ::2] = z[1, 1::2] = -1e30
    with np.errstate(all="ignore"):
        a = fn(z, np.empty_like(z))
    lo, hi = value_range
    return bool(((a >= lo) & (a <= hi)).all())


def _plan(net, ws) -> _Plan:
    plan = ws.signals
    if plan is None or plan.activation is not net.activation or plan.output is not net.output:
        plan = ws.signals = _Plan(net, len(ws.ones), ws.a[:-1])
    return plan


def collect_signals(net, before: np.ndarray | None) -> LayerSignals:
    """Signals of the net's last training step. `before`: the parameters before that step's update."""
    ws, L, nw = net.last_pass, net.n_layers, net.n_weights
    plan = _plan(net, ws)
    g, w = net.grad[:nw], net.params[:nw]

    # norms of each layer's dW, W, ΔW, W_before: squares of the flat vectors, summed layer by
    # layer with one reduceat (pairwise sums, as accurate as np.vdot)
    squares = plan.squares
    np.multiply(g, g, out=squares[0])
    np.multiply(w, w, out=squares[1])
    if before is not None:
        w0 = before[:nw]
        np.subtract(w, w0, out=squares[2])
        np.multiply(squares[2], squares[2], out=squares[2])
        np.multiply(w0, w0, out=squares[3])
    else:
        squares = squares[:2]
    norms = np.sqrt(np.add.reduceat(squares, plan.weight_starts, axis=1), dtype=np.float64)
    grad_norm, weight_norm = norms[0], norms[1]
    if before is not None:
        update_ratio = norms[2] / np.maximum(norms[3], plan.tiny)
    else:
        update_ratio = np.full(L, np.nan)

    # histograms: every layer's A binned over its range as fixed_histogram bins it, and log10 |dW|.
    # A finite gradient means finite activations too (a NaN or inf in A[l] reaches dW[l+1], or
    # dW[L] through delta[L]), so one look at the norms decides; else the slow, exact way.
    if math.isfinite(sum(norms[0].tolist())):
        scaled, index = plan.scaled, plan.index
        np.subtract(ws.a_block, plan.lo, out=plan.scaled_a)
        plan.scaled_a *= plan.scale
        n_a = plan.scaled_a.size
        if plan.log10_weights:                    # as _log_index_reference scales them
            lo, hi = GRAD_LOG_RANGE
            scaled_g = np.abs(g, out=scaled[n_a:])
            scaled_g += plan.tiny
            np.log10(scaled_g, out=scaled_g)
            scaled_g -= lo
            scaled_g *= N_BINS / (hi - lo)
        for part in plan.clip:
            np.clip(scaled[part], 0, N_BINS - 1, out=scaled[part])
        np.copyto(index[:len(scaled)], scaled, casting="unsafe")          # floor: all are >= 0
        if not plan.log10_weights:
            plan.log_bins.index(g, index[n_a:], plan.log_scratch)
        if plan.offset is not None:
            index += plan.offset
            counts = np.bincount(index, minlength=2 * L * (N_BINS + 1)).reshape(2 * L, N_BINS + 1)
            counts[:, N_BINS - 1] += counts[:, N_BINS]    # A == hi, not clipped (see _Plan)
        else:
            counts = np.empty((2 * L, N_BINS + 1), np.intp)
            cuts = plan.cuts
            for h in range(2 * L):
                c = np.bincount(index[cuts[h]:cuts[h + 1]], minlength=N_BINS)
                if len(c) > N_BINS:                        # A == hi, not clipped (see _Plan)
                    c[N_BINS - 1] += c[N_BINS:].sum()
                counts[h, :N_BINS] = c[:N_BINS]
        act_hist, grad_hist = counts[:L, :N_BINS], counts[L:, :N_BINS]
    else:
        act_hist = np.stack([fixed_histogram(a, lo, hi) for a, (lo, hi) in zip(ws.a, plan.ranges)])
        cuts = [*plan.weight_starts, nw]
        grad_hist = np.stack([np.bincount(_log_index_reference(g[i:j]), minlength=N_BINS)
                              for i, j in zip(cuts[:-1], cuts[1:])])

    # mean |delta| per layer and the share of stuck units (mean phi' under the threshold) per
    # hidden layer: column sums by two BLAS products, then one reduceat for both
    sums, n = plan.sums, plan.n_units
    np.matmul(ws.ones, np.abs(ws.delta_block, out=plan.abs_delta), out=sums[:n])
    np.matmul(ws.ones, ws.gate_block, out=sums[n:-1])
    np.less(sums[n:], plan.stuck_sum, out=sums[n:])                      # 1 = stuck, 0 = not
    means = np.add.reduceat(sums, plan.sum_starts) * plan.per_sum
    return LayerSignals(act_hist, plan.edges, grad_hist, grad_norm, weight_norm, update_ratio,
                        means[:L], means[L:], plan.open_ends)
