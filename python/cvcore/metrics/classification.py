"""Precision, recall, F-beta and the confusion matrix, with scikit-learn's semantics
(``precision_recall_fscore_support``, ``confusion_matrix``)."""

import numpy as np

from .._validation import as_float, as_float64

_AVERAGES = (None, "micro", "macro", "weighted")


def _labels(op, y_true, y_pred, labels):
    t, p = np.asarray(y_true).ravel(), np.asarray(y_pred).ravel()
    if t.shape != p.shape:
        raise ValueError(f"{op}: y_true and y_pred must have the same length, got {t.size} and {p.size}")
    given = [(name, a) for name, a in (("y_true", t), ("y_pred", p), ("labels", np.asarray(labels)))
             if labels is not None or name != "labels"]
    kinds = {name: "numbers" if a.dtype.kind in "biuf" else "strings" if a.dtype.kind in "SU" else "objects"
             for name, a in given if a.size}
    if len(set(kinds.values())) > 1:  # "1" and 1 would never match: scikit-learn refuses the mix too
        raise TypeError(f"{op}: y_true, y_pred and labels must hold labels of one kind, got "
                        f"{', '.join(f'{kind} in {name}' for name, kind in kinds.items())}")
    try:
        lab = np.unique(np.concatenate([t, p])) if labels is None else np.asarray(labels).ravel()
        distinct = labels is None or len(np.unique(lab)) == len(lab)
    except TypeError as e:  # labels that cannot be ordered (mixed types, None, ...)
        raise TypeError(f"{op}: the labels of y_true, y_pred and labels must be comparable values of one kind "
                        f"({e})") from None
    if not distinct:
        raise ValueError(f"{op}: labels must be distinct, got {lab.tolist()}")
    return t, p, lab


def _positions(values, lab):
    """Index of each value in ``lab`` (-1 when absent)."""
    if not len(lab):
        return np.full(len(values), -1, np.int64)
    order = np.argsort(lab, kind="stable")
    pos = np.minimum(np.searchsorted(lab[order], values), len(lab) - 1)
    return np.where(lab[order][pos] == values, order[pos], -1)


def confusion_matrix(y_true, y_pred, labels=None):
    """``C[i, j]`` = the number of samples of true class ``labels[i]`` predicted as ``labels[j]``
    (int64); ``labels`` defaults to the sorted union of both arrays. Samples whose true or predicted
    class is not in ``labels`` are not counted."""
    t, p, lab = _labels("confusion_matrix", y_true, y_pred, labels)
    ti, pi = _positions(t, lab), _positions(p, lab)
    ok = (ti >= 0) & (pi >= 0)
    cm = np.zeros((len(lab), len(lab)), np.int64)
    np.add.at(cm, (ti[ok], pi[ok]), 1)
    return cm


def _divide(num, den, zero_division):
    """num / den for float64 arrays, zero_division where den is 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = num / den
    return np.where(den == 0, zero_division, out)


def _beta(op, beta):
    beta = as_float(op, "beta", beta)
    if not (np.isfinite(beta) and beta >= 0):
        raise ValueError(f"{op}: beta must be a finite number >= 0, got {beta}")
    return beta


def _zero_division(op, zero_division):
    if not (zero_division in (0, 1) or (isinstance(zero_division, float) and np.isnan(zero_division))):
        raise ValueError(f"{op}: zero_division must be 0, 1 or nan, got {zero_division!r}")
    return zero_division


def precision_recall_fscore_from_counts(tp, fp, fn, beta=1.0, zero_division=0.0):
    """Per-class precision ``tp / (tp + fp)``, recall ``tp / (tp + fn)`` and F-beta
    ``(1 + b^2) tp / ((1 + b^2) tp + b^2 fn + fp)`` from counts (arrays or scalars); a zero denominator
    gives ``zero_division`` (0, 1 or NaN)."""
    op = "precision_recall_fscore_from_counts"
    return _from_counts(op, tp, fp, fn, _beta(op, beta), _zero_division(op, zero_division))


def _from_counts(op, tp, fp, fn, beta, zero_division):
    tp, fp, fn = (as_float64(op, name, v) for name, v in (("tp", tp), ("fp", fp), ("fn", fn)))
    for name, v in (("tp", tp), ("fp", fp), ("fn", fn)):
        if not (np.isfinite(v).all() and (v >= 0).all()):
            raise ValueError(f"{op}: {name} must hold finite counts >= 0, got {v.tolist()}")
    try:
        np.broadcast_shapes(tp.shape, fp.shape, fn.shape)
    except ValueError:
        raise ValueError(f"{op}: tp, fp and fn must have the same shape, got {tp.shape}, {fp.shape} and "
                         f"{fn.shape}") from None
    b2 = beta * beta
    return (_divide(tp, tp + fp, zero_division), _divide(tp, tp + fn, zero_division),
            _divide((1 + b2) * tp, (1 + b2) * tp + b2 * fn + fp, zero_division))


def precision_recall_fscore(y_true, y_pred, *, labels=None, average=None, beta=1.0, zero_division=0.0):
    """Precision, recall, F-beta and support, as scikit-learn's ``precision_recall_fscore_support``.

    Parameters
    ----------
    y_true, y_pred : array_like (n,) of class labels (any comparable values)
    labels : array_like, optional
        The classes reported, in this order (default: the sorted union of both arrays).
    average : None, "micro", "macro" or "weighted"
        None: per class. micro: from the summed counts. macro: the unweighted mean of the per-class
        values. weighted: their mean weighted by support (true count).
    beta : float >= 0
    zero_division : 0, 1 or NaN
        The value of a ratio whose denominator is 0 (scikit-learn's default "warn" acts as 0).

    Returns
    -------
    precision, recall, fbeta, support : arrays (per class) or floats (averaged; support None)
    """
    op = "precision_recall_fscore"
    if not (average is None or (isinstance(average, str) and average in _AVERAGES)):
        raise ValueError(f"{op}: average must be None, 'micro', 'macro' or 'weighted', got {average!r}")
    beta, zero_division = _beta(op, beta), _zero_division(op, zero_division)
    t, p, lab = _labels(op, y_true, y_pred, labels)
    ti, pi = _positions(t, lab), _positions(p, lab)
    # Samples of a class outside `labels` still count as false positives / negatives of the others.
    tp = np.bincount(ti[(ti >= 0) & (ti == pi)], minlength=len(lab)).astype(np.float64)
    pred = np.bincount(pi[pi >= 0], minlength=len(lab)).astype(np.float64)
    true = np.bincount(ti[ti >= 0], minlength=len(lab)).astype(np.float64)
    fp, fn = pred - tp, true - tp
    if average == "micro":
        prec, rec, f = _from_counts(op, tp.sum(), fp.sum(), fn.sum(), beta, zero_division)
        return float(prec), float(rec), float(f), None
    prec, rec, f = _from_counts(op, tp, fp, fn, beta, zero_division)
    if average is None:
        return prec, rec, f, true.astype(np.int64)
    weights = true if average == "weighted" else None
    return _nanaverage(prec, weights), _nanaverage(rec, weights), _nanaverage(f, weights), None


def _nanaverage(values, weights):
    """scikit-learn's average of per-class values: NaN entries left out; all weights 0 -> unweighted."""
    keep = ~np.isnan(values)
    if not keep.any():
        return float("nan")
    if weights is None or weights[keep].sum() == 0:
        return float(np.mean(values[keep]))
    return float(np.average(values[keep], weights=weights[keep]))
