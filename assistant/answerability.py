"""The answerability decision: answered, not stated, or off topic.

A small multinomial logistic regression over the evidence features
(:data:`assistant.evidence.FEATURES`), trained by ``python -m eval.train_answerability`` on
the dev split and generated pairs, stored as plain numbers in
``resources/answerability.json`` (no pickled code). The threshold on the probability of
"answered" was chosen on cross-validated dev predictions (see ``docs/answerability.md``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np

from assistant.types import OUTCOMES, Outcome


@dataclass(frozen=True)
class Decision:
    """The outcome and the calibrated probability of each outcome."""

    outcome: Outcome
    probabilities: dict[str, float]


@dataclass(frozen=True)
class AnswerabilityModel:
    """Standardise, apply the linear model, softmax; answer when P(answered) is high enough."""

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    classes: tuple[str, ...]
    answer_threshold: float
    trained_with: dict[str, object] = field(default_factory=dict)
    """How the inputs it was trained on were made (for the model beside the reader: the
    number of candidates read and the reader's arithmetic), so a setup that reads otherwise
    can do without it."""

    def probabilities(self, values: dict[str, float]) -> dict[str, float]:
        """P(outcome) for one question's features."""
        x = (np.array([values[f] for f in self.features], dtype=np.float64) - self.mean)
        z = self.coef @ (x / self.scale) + self.intercept
        p = np.exp(z - z.max())
        p /= p.sum()
        return {c: float(v) for c, v in zip(self.classes, p, strict=True)}

    def decide(self, values: dict[str, float]) -> Decision:
        """Answered when P(answered) reaches the threshold; otherwise the likelier of the
        other two outcomes."""
        p = self.probabilities(values)
        if p["answered"] >= self.answer_threshold:
            return Decision("answered", p)
        return Decision("not_stated" if p["not_stated"] >= p["off_topic"] else "off_topic", p)

    def to_json(self) -> dict[str, object]:
        """The model as plain numbers (what ``load_model`` reads)."""
        return {
            "features": list(self.features), "mean": self.mean.tolist(),
            "scale": self.scale.tolist(), "coef": self.coef.tolist(),
            "intercept": self.intercept.tolist(), "classes": list(self.classes),
            "answer_threshold": self.answer_threshold,
            **({"trained_with": self.trained_with} if self.trained_with else {}),
        }


SHIPPED = "answerability.json"
SHIPPED_WITH_READER = "answerability_reader.json"
"""The decision trained with the reader's features too (``assistant.reading.READER_FEATURES``),
used when the reader reads and only ranks."""


def load_model(path: Path | None = None, name: str = SHIPPED) -> AnswerabilityModel:
    """Read the model (default: the one shipped in the package's resources as ``name``)."""
    if path is None:
        text = (resources.files("assistant") / "resources" / name).read_text(
            encoding="utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    d = json.loads(text)
    if sorted(d["classes"]) != sorted(OUTCOMES):
        raise ValueError(f"answerability model: classes {d['classes']} are not {OUTCOMES}")
    return AnswerabilityModel(
        features=tuple(d["features"]), mean=np.asarray(d["mean"]),
        scale=np.asarray(d["scale"]), coef=np.asarray(d["coef"]),
        intercept=np.asarray(d["intercept"]), classes=tuple(d["classes"]),
        answer_threshold=float(d["answer_threshold"]),
        trained_with=dict(d.get("trained_with", {})),
    )
