"""Small recomputations of the numeric answers in the bank.

A question whose answer is a number (a metric from a confusion matrix, a
parameter count, a receptive field, an operation count) carries its inputs and
names one of these checkers; the content tests recompute the answer so a typo in
an answer key cannot ship. Each checker takes keyword inputs and returns a float.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

Checker = Callable[..., float]


def confusion_metric(*, tp: int, fp: int, fn: int, tn: int, metric: str) -> float:
    """A classification metric from the four cells of a binary confusion matrix."""
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    values = {
        "accuracy": (tp + tn) / (tp + fp + fn + tn),
        "precision": precision,
        "recall": recall,
        "specificity": tn / (tn + fp) if tn + fp else 0.0,
        "fpr": fp / (fp + tn) if fp + tn else 0.0,
        "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
    }
    return values[metric]


def fbeta(*, precision: float, recall: float, beta: float) -> float:
    """F-beta score from precision and recall."""
    b2 = beta * beta
    return (1 + b2) * precision * recall / (b2 * precision + recall)


def regression_metric(*, y_true: Sequence[float], y_pred: Sequence[float], metric: str) -> float:
    """MAE, MSE, RMSE or R-squared of a small set of predictions."""
    errors = [t - p for t, p in zip(y_true, y_pred, strict=True)]
    mse = sum(e * e for e in errors) / len(errors)
    mean = sum(y_true) / len(y_true)
    total = sum((t - mean) ** 2 for t in y_true)
    values = {
        "mae": sum(abs(e) for e in errors) / len(errors),
        "mse": mse,
        "rmse": math.sqrt(mse),
        "r2": 1 - sum(e * e for e in errors) / total,
    }
    return values[metric]


def dense_params(*, inputs: int, outputs: int, bias: int = 1) -> float:
    """Parameters of a fully connected layer."""
    return inputs * outputs + (outputs if bias else 0)


def conv2d_params(
    *, in_channels: int, out_channels: int, kernel: int, bias: int = 1, groups: int = 1
) -> float:
    """Parameters of a square-kernel 2-D convolution."""
    weights = (in_channels // groups) * out_channels * kernel * kernel
    return weights + (out_channels if bias else 0)


def conv_output_size(
    *, size: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1
) -> float:
    """Spatial output size of a convolution or pooling layer along one axis."""
    return math.floor((size + 2 * padding - dilation * (kernel - 1) - 1) / stride) + 1


def receptive_field(*, kernels: Sequence[int], strides: Sequence[int]) -> float:
    """Receptive field of a stack of layers, first layer first."""
    field, jump = 1, 1
    for kernel, stride in zip(kernels, strides, strict=True):
        field += (kernel - 1) * jump
        jump *= stride
    return field


def attention_params(*, d_model: int, bias: int = 1) -> float:
    """Parameters of multi-head self-attention: Q, K, V and output projections."""
    return 4 * dense_params(inputs=d_model, outputs=d_model, bias=bias)


def embedding_params(*, vocab: int, dim: int) -> float:
    return vocab * dim


def lora_params(*, d_in: int, d_out: int, rank: int, matrices: int = 1) -> float:
    """Trainable parameters LoRA adds: A (rank x d_in) and B (d_out x rank) per matrix."""
    return matrices * rank * (d_in + d_out)


def memory_bytes(*, count: int, bytes_per_item: float) -> float:
    return count * bytes_per_item


def arithmetic(*, expression: str) -> float:
    """Evaluate plain arithmetic over numbers and a few math functions.

    Used for counts derived from sizes (``"1000 * 1000 / 2"``, ``"log2(1024)"``).
    The expression is restricted to a whitelist of names, so bank files cannot
    run code through it.
    """
    allowed = {
        "log2": math.log2,
        "log": math.log,
        "log10": math.log10,
        "sqrt": math.sqrt,
        "exp": math.exp,
        "ceil": math.ceil,
        "floor": math.floor,
        "comb": math.comb,
        "factorial": math.factorial,
        "min": min,
        "max": max,
        "abs": abs,
    }
    code = compile(expression, "<numeric check>", "eval")
    unknown = set(code.co_names) - set(allowed)
    if unknown:
        raise ValueError(f"names not allowed in a numeric check: {sorted(unknown)}")
    return float(eval(code, {"__builtins__": {}}, allowed))  # noqa: S307 - names whitelisted


def entropy(*, probabilities: Sequence[float], base: float = 2) -> float:
    return -sum(p * math.log(p, base) for p in probabilities if p > 0)


def gini(*, counts: Sequence[int]) -> float:
    """Gini impurity of a node from its class counts."""
    total = sum(counts)
    return 1 - sum((c / total) ** 2 for c in counts)


def discounted_return(*, rewards: Sequence[float], gamma: float) -> float:
    return sum(r * gamma**t for t, r in enumerate(rewards))


def dcg(*, relevances: Sequence[float], k: int) -> float:
    """Discounted cumulative gain at k with the (2^rel - 1) gain."""
    return sum((2**rel - 1) / math.log2(i + 2) for i, rel in enumerate(relevances[:k]))


def ndcg(*, relevances: Sequence[float], k: int) -> float:
    ideal = dcg(relevances=sorted(relevances, reverse=True), k=k)
    return dcg(relevances=relevances, k=k) / ideal if ideal else 0.0


def precision_at_k(*, relevant: Sequence[int], k: int) -> float:
    """Precision at k from a 0/1 relevance list in ranked order."""
    return sum(relevant[:k]) / k


def average_precision(*, relevant: Sequence[int]) -> float:
    """Average precision from a 0/1 relevance list in ranked order."""
    hits, total = 0, 0.0
    for index, rel in enumerate(relevant, start=1):
        if rel:
            hits += 1
            total += hits / index
    return total / hits if hits else 0.0


def iou(*, box_a: Sequence[float], box_b: Sequence[float]) -> float:
    """Intersection over union of two boxes given as (x1, y1, x2, y2)."""
    ix = max(0.0, min(box_a[2], box_b[2]) - max(box_a[0], box_b[0]))
    iy = max(0.0, min(box_a[3], box_b[3]) - max(box_a[1], box_b[1]))
    inter = ix * iy
    area_a = (box_a[2] - box_a[0]) * (box_a[3] - box_a[1])
    area_b = (box_b[2] - box_b[0]) * (box_b[3] - box_b[1])
    return inter / (area_a + area_b - inter)


def sample_size_two_proportions(
    *, p1: float, p2: float, z_alpha: float = 1.96, z_beta: float = 0.8416
) -> float:
    """Per-arm sample size for a two-sided test of two proportions (normal approx.)."""
    pbar = (p1 + p2) / 2
    numerator = (
        z_alpha * math.sqrt(2 * pbar * (1 - pbar))
        + z_beta * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))
    ) ** 2
    return math.ceil(numerator / (p1 - p2) ** 2)


CHECKERS: dict[str, Checker] = {
    fn.__name__: fn
    for fn in (
        confusion_metric,
        fbeta,
        regression_metric,
        dense_params,
        conv2d_params,
        conv_output_size,
        receptive_field,
        attention_params,
        embedding_params,
        lora_params,
        memory_bytes,
        arithmetic,
        entropy,
        gini,
        discounted_return,
        dcg,
        ndcg,
        precision_at_k,
        average_precision,
        iou,
        sample_size_two_proportions,
    )
}


def recompute(checker: str, inputs: dict[str, object]) -> float:
    """Run the named checker; raises KeyError for an unknown name."""
    return CHECKERS[checker](**inputs)
