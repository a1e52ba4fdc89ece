"""Model summaries: per-layer output shape, parameters and multiply-accumulates, computed from shapes alone.

Counting convention (one forward pass over the whole ``input_shape``, batch included):

- Conv2d: ``N * out_channels * Ho * Wo * (in_channels / groups) * kH * kW`` MACs; a FusedConv2d adds
  those of its 1x1 convolution (``pointwise``), so a fused model counts what the original does.
- Linear: ``rows * in_features * out_features`` MACs, ``rows`` the product of the leading dimensions.
- Biases, BatchNorm2d, activations (PReLU included), pooling, softmax, Flatten, Dropout, Identity:
  0 MACs. (They do a few operations per element, negligible next to the convolutions, and
  conventions for them differ between tools, so none are counted.)
- FLOPs = 2 x MACs (one multiply and one add per MAC).
- Parameters: learned values only (conv / linear weights and biases, BatchNorm2d's weight and bias,
  PReLU slopes); BatchNorm2d's running statistics are buffers, not parameters (as in the published
  torchvision figures).
"""

import dataclasses
import sys

from .module import Module, Parallel, Sequential, _shape


@dataclasses.dataclass(frozen=True)
class LayerSummary:
    """One row of a summary: the layer's dotted name (its state-dict prefix), class name, output shape,
    number of parameters and multiply-accumulates."""

    name: str
    type: str
    output_shape: tuple
    params: int
    macs: int

    @property
    def flops(self):
        """2 x MACs."""
        return 2 * self.macs


@dataclasses.dataclass(frozen=True)
class ModelSummary:
    """What :func:`summary` returns: ``rows`` (LayerSummary, in execution order) and the totals.
    ``str(s)`` is the printed table."""

    input_shape: tuple
    output_shape: tuple
    rows: tuple

    @property
    def total_params(self):
        return sum(r.params for r in self.rows)

    @property
    def total_macs(self):
        return sum(r.macs for r in self.rows)

    @property
    def total_flops(self):
        return 2 * self.total_macs

    def __str__(self):
        header = ("Layer", "Type", "Output shape", "Params", "MACs", "FLOPs")
        body = [(r.name, r.type, str(r.output_shape), f"{r.params:,}", f"{r.macs:,}", f"{r.flops:,}")
                for r in self.rows]
        widths = [max(len(row[i]) for row in [header] + body) for i in range(len(header))]
        left = 3  # name, type and shape are left-aligned; the numbers right-aligned

        def line(row):
            return "  ".join(cell.ljust(w) if i < left else cell.rjust(w)
                             for i, (cell, w) in enumerate(zip(row, widths))).rstrip()

        rule = "-" * len(line(header))
        return "\n".join([line(header), rule] + [line(row) for row in body] + [
            rule,
            f"Input shape: {self.input_shape}   Output shape: {self.output_shape}",
            f"Total params: {self.total_params:,}",
            f"Total MACs: {self.total_macs:,}{_scaled(self.total_macs)}",
            f"Total FLOPs: {self.total_flops:,}{_scaled(self.total_flops)}",
        ])


def _scaled(n):
    """" (15.47 G)" for 15,470,264,320: three significant decimals with K / M / G / T, empty below 1000."""
    for scale, unit in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "K")):
        if n >= scale:
            return f" ({n / scale:.2f} {unit})"
    return ""


def _rows(module, name, shape):
    """LayerSummary rows of module on an input of shape, and the output shape. A Sequential gives the
    rows of its children in turn, a Parallel those of its children on the same input (their names
    prefixed, its output the tuple of theirs); any other module is one row."""
    if isinstance(module, (Sequential, Parallel)):
        rows, outputs = [], []
        for child_name, child in module.named_children():
            child_rows, out = _rows(child, f"{name}.{child_name}" if name else child_name, shape)
            rows += child_rows
            outputs.append(out)
            if isinstance(module, Sequential):  # each child reads the output of the one before
                shape = out
        return rows, (shape if isinstance(module, Sequential) else tuple(outputs))
    out = module.output_shape(shape)
    return [LayerSummary(name or type(module).__name__, type(module).__name__, out, module.count_parameters(),
                         module.macs(shape))], out


def summary(model, input_shape, *, verbose=True):
    """Per-layer output shapes, parameter counts, MACs and FLOPs of a model, from the input shape alone
    (no forward pass, so no weights are read and nothing is computed on data).

    Parameters
    ----------
    model : cvcore.nn.Module
        Sequential and Parallel containers are expanded into their children, recursively; any other
        module is one row (it must define ``output_shape`` and, if it has children, ``macs``).
    input_shape : sequence of int
        The full input shape, batch included, e.g. ``(1, 3, 224, 224)``; MACs count the whole batch.
    verbose : bool, keyword only
        Print the table (``str`` of the result) to stdout.

    Returns
    -------
    ModelSummary
        ``rows`` (name, type, output_shape, params, macs, flops) and ``total_params``,
        ``total_macs``, ``total_flops``, ``output_shape``.

    Raises
    ------
    TypeError when model is not a Module or input_shape is not a sequence of ints; ValueError when
    a layer does not accept the shape it receives (the message names the layer's class, the
    expected and the received values), e.g. a channel mismatch or an input smaller than a kernel.

    Notes
    -----
    Counting convention: Conv2d ``N * Cout * Ho * Wo * (Cin / groups) * kH * kW`` MACs; Linear
    ``rows * in_features * out_features``; biases, batch norm, activations, pooling, softmax, flatten
    and dropout 0; FLOPs = 2 x MACs. Parameters exclude BatchNorm2d's running statistics.
    """
    if not isinstance(model, Module):
        raise TypeError(f"summary: model must be a cvcore.nn.Module, got {type(model).__name__}")
    shape = _shape("summary", input_shape, None)
    rows, out = _rows(model, "", shape)
    result = ModelSummary(shape, tuple(out), tuple(rows))
    if verbose:
        sys.stdout.write(str(result) + "\n")
    return result
