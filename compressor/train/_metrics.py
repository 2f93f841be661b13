"""Evaluation figures: token accuracy over labelled tokens and keep-word precision, recall
and F1, words scored like inference scores them (mean keep-probability of their tokens > 0.5)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field


@dataclass
class Scores:
    threshold: float = 0.5
    tokens: int = 0
    tokens_right: int = 0
    loss_sum: float = 0.0
    batches: int = 0
    _word_probs: dict = field(default_factory=lambda: defaultdict(list))
    _word_labels: dict = field(default_factory=dict)

    def add_tokens(self, preds, labels) -> None:
        mask = labels != -100
        self.tokens += int(mask.sum())
        self.tokens_right += int(((preds == labels) & mask).sum())

    def add_words(self, pair: int, word_ids, probs, labels) -> None:
        for w, p, lab in zip(word_ids, probs, labels):
            if w >= 0 and lab != -100:
                self._word_probs[(pair, w)].append(float(p))
                self._word_labels[(pair, w)] = int(lab)

    def summary(self) -> dict:
        tp = fp = fn = 0
        for key, probs in self._word_probs.items():
            pred = sum(probs) / len(probs) > self.threshold
            gold = self._word_labels[key] == 1
            tp += pred and gold
            fp += pred and not gold
            fn += gold and not pred
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        return {"loss": self.loss_sum / self.batches if self.batches else float("nan"),
                "token_accuracy": self.tokens_right / self.tokens if self.tokens else 0.0,
                "precision": prec, "recall": rec, "f1": f1, "words": len(self._word_probs)}
