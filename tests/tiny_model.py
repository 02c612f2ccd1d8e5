"""Build a tiny but real Argos Translate package (CTranslate2 model + SentencePiece).

The weights are not trained, they are *constructed*: the last decoder layer's
cross-attention looks at the source position equal to the target position and the
output projection reads back the token found there. So the model is a deterministic
copy machine: every input gives a non-empty output that follows the input token by
token (and stops at the source's ``</s>``), which is what tests need from it. All
other sublayers have random weights but a zero output projection, so they cost real
compute (useful for benchmarks at transformer-base size) without changing the result.

    python -m tests.tiny_model OUT.argosmodel [--from uk --to en] [--base]
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

# A few lines of both languages; the SentencePiece model learns its pieces from them.
CORPUS = (
    "Київ, 12 квітня. Уряд України ухвалив нові правила для енергетичних компаній.",
    "Президент зустрівся з міністрами та обговорив бюджет на наступний рік.",
    "У Львові відкрили новий міст через річку, рух транспорту відновлено.",
    "Ціни на хліб і молоко зросли на п'ять відсотків за місяць.",
    "Головна / Бізнес / Новини економіки та фінансів",
    "Читайте також: як змінилися тарифи на електроенергію",
    "Місце для вашої реклами. Підпишіться на наш канал у Telegram.",
    "Ґрунт, їжак, єнот, щастя, юнак, ясний, ірій, чай, шлях, цукор, фото.",
    "The government of Ukraine approved new rules for energy companies.",
    "Huawei's new phone was presented in Kyiv on Monday, the company said.",
    "Prices for bread and milk rose by five percent in a month.",
    "Home / Business / Economy and finance news",
    "Share this article on Facebook, Twitter or Telegram.",
    "By John Smith. Photo: Reuters. All rights reserved (c) 2024.",
    "0123456789 % $ € ₴ - – — « » “ ” ( ) [ ] : ; ! ? , . / ' \"",
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefghijklmnopqrstuvwxyz",
    "АБВГҐДЕЄЖЗИІЇЙКЛМНОПРСТУФХЦЧШЩЬЮЯ абвгґдеєжзиіїйклмнопрстуфхцчшщьюя",
)

# Ukrainian national romanisation, letter by letter; the target vocabulary is the source
# vocabulary passed through it, so the copying model "translates" Привіт into Pryvit.
_ROMAN = dict(
    zip(
        "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя",
        [
            "a",
            "b",
            "v",
            "h",
            "g",
            "d",
            "e",
            "ie",
            "zh",
            "z",
            "y",
            "i",
            "i",
            "i",
            "k",
            "l",
            "m",
            "n",
            "o",
            "p",
            "r",
            "s",
            "t",
            "u",
            "f",
            "kh",
            "ts",
            "ch",
            "sh",
            "shch",
            "'",
            "iu",
            "ia",
        ],
        strict=True,
    )
)

LANGUAGE_NAMES = {"uk": "Ukrainian", "en": "English", "ru": "Russian", "de": "German"}
MAX_POSITIONS = 1024  # CTranslate2 truncates longer sources to 1024 tokens anyway


def train_sentencepiece(vocab_size: int = 320, corpus: Sequence[str] | None = None) -> bytes:
    """A SentencePiece model trained on ``corpus`` (default CORPUS); identical bytes for
    identical input. A real-sized corpus gives real-sized pieces, which benchmarks need:
    CORPUS's few hundred pieces cut a news sentence into ~90 tokens instead of ~30."""
    import sentencepiece as spm

    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(CORPUS if corpus is None else corpus),
        model_writer=model,
        vocab_size=vocab_size,
        hard_vocab_limit=False,  # a few lines cannot always fill the requested size
        model_type="unigram",
        character_coverage=1.0,
        num_threads=1,  # more threads may order ties differently
        shuffle_input_sentence=False,
        input_sentence_size=0,
        minloglevel=2,
    )
    return model.getvalue()


def _pieces(sp_model: bytes) -> list[str]:
    import sentencepiece as spm

    processor = spm.SentencePieceProcessor(model_proto=sp_model)
    return [processor.id_to_piece(i) for i in range(processor.get_piece_size())]


def romanize(text: str) -> str:
    """The tiny model's "translation" of a piece or a text (English passes unchanged)."""
    out = []
    for ch in text:
        latin = _ROMAN.get(ch.lower())
        if latin is None:
            out.append(ch)
        else:
            out.append(latin.capitalize() if ch.isupper() else latin)
    return "".join(out)


def _unit_rows(rng: np.random.Generator, rows: int, dims: int) -> np.ndarray:
    m = rng.standard_normal((rows, dims))
    return m / np.linalg.norm(m, axis=1, keepdims=True)


def build_spec(
    vocabulary: list[str],
    target_vocabulary: list[str] | None = None,
    *,
    layers: int | tuple[int, int] = 1,
    d_model: int = 128,
    heads: int = 2,
    ffn: int = 256,
    seed: int = 0,
) -> Any:
    """A ctranslate2 TransformerSpec whose decoder copies its source (see module doc)."""
    import ctranslate2

    enc_layers, dec_layers = layers if isinstance(layers, tuple) else (layers, layers)
    d_head = d_model // heads
    if d_model % heads or d_head < 8:
        raise ValueError("d_model must be a multiple of heads, with at least 8 dims a head")
    # Three disjoint subspaces: source token (T), position (P), copied token (C).
    # T and C must fit in one head (the value carries T into C); P goes through the
    # query/key of the same head.
    width = min(d_head, d_model // 3)
    t_dims = slice(0, width)
    p_dims = slice(width, 2 * width)
    c_dims = slice(2 * width, 3 * width)
    vocab = len(vocabulary)
    rng = np.random.default_rng(seed)

    def noise(*shape: int) -> np.ndarray:
        return (rng.standard_normal(shape) * 0.02).astype(np.float32)

    def zeros(*shape: int) -> np.ndarray:
        return np.zeros(shape, dtype=np.float32)

    token_vecs = _unit_rows(rng, vocab, width)
    pos_vecs = _unit_rows(rng, MAX_POSITIONS, width)

    spec = ctranslate2.specs.TransformerSpec.from_config((enc_layers, dec_layers), heads)
    spec.config.add_source_eos = True  # so copying the source ends with </s>

    def norm(ln: Any, gamma: np.ndarray | None = None) -> None:
        ln.gamma = np.ones(d_model, np.float32) if gamma is None else gamma
        ln.beta = zeros(d_model)

    def linear(lin: Any, weight: np.ndarray) -> None:
        lin.weight = weight.astype(np.float32)
        lin.bias = zeros(weight.shape[0])

    def inert_self_attention(att: Any) -> None:
        norm(att.layer_norm)
        linear(att.linear[0], noise(3 * d_model, d_model))
        linear(att.linear[1], zeros(d_model, d_model))  # adds nothing to the residual

    def inert_ffn(ffn_spec: Any) -> None:
        norm(ffn_spec.layer_norm)
        linear(ffn_spec.linear_0, noise(ffn, d_model))
        linear(ffn_spec.linear_1, zeros(d_model, ffn))

    for emb in (spec.encoder.embeddings[0], spec.decoder.embeddings):
        emb.weight = zeros(vocab, d_model)
    # Source tokens carry their vector; decoder inputs carry nothing but their position,
    # so the output depends on the source alone.
    spec.encoder.embeddings[0].weight[:, t_dims] = token_vecs
    spec.encoder.scale_embeddings = False
    spec.decoder.scale_embeddings = False
    positions = zeros(MAX_POSITIONS, d_model)
    positions[:, p_dims] = pos_vecs
    spec.encoder.position_encodings.encodings = positions
    spec.decoder.position_encodings.encodings = positions.copy()

    for layer in spec.encoder.layer:
        inert_self_attention(layer.self_attention)
        inert_ffn(layer.ffn)
    norm(spec.encoder.layer_norm)

    for i, layer in enumerate(spec.decoder.layer):
        inert_self_attention(layer.self_attention)
        inert_ffn(layer.ffn)
        att = layer.attention
        norm(att.layer_norm)
        if i < dec_layers - 1:
            linear(att.linear[0], noise(d_model, d_model))
            linear(att.linear[1], noise(2 * d_model, d_model))
            linear(att.linear[2], zeros(d_model, d_model))
            continue
        # The copying head (head 0; the alignment head, so replace_unknowns works):
        # query = target position, key = source position, value = source token.
        query = noise(d_model, d_model) * 0.0
        query[0:width, p_dims] = np.eye(width) * 4.0
        kv = zeros(2 * d_model, d_model)
        kv[0:width, p_dims] = np.eye(width) * 4.0
        kv[d_model : d_model + width, t_dims] = np.eye(width)
        out = zeros(d_model, d_model)
        out[c_dims, 0:width] = np.eye(width)
        linear(att.linear[0], query)
        linear(att.linear[1], kv)
        linear(att.linear[2], out)

    gamma = zeros(d_model)
    gamma[c_dims] = 1.0  # the final norm keeps only the copied token
    norm(spec.decoder.layer_norm, gamma)
    projection = zeros(vocab, d_model)
    projection[:, c_dims] = token_vecs * 6.0
    linear(spec.decoder.projection, projection)

    spec.register_source_vocabulary(vocabulary)
    spec.register_target_vocabulary(target_vocabulary or vocabulary)
    return spec


def build_tiny_package(
    out: Path,
    from_code: str = "uk",
    to_code: str = "en",
    *,
    layers: int | tuple[int, int] = 1,
    d_model: int = 128,
    heads: int = 2,
    ffn: int = 256,
    vocab_size: int = 0,
    quantization: str = "int8",
    package_version: str = "1.0",
    seed: int = 0,
    romanized: bool = True,
    corpus: Sequence[str] | None = None,
    pieces: int = 320,
) -> Path:
    """Write a real ``.argosmodel`` to ``out`` and return ``out``.

    ``vocab_size`` 0 keeps the SentencePiece vocabulary; a larger value pads the model
    vocabulary with pieces the tokenizer never produces, to get realistic embedding and
    output-projection sizes (``base_size_kwargs`` for a transformer-base benchmark).
    ``romanized`` makes the output the romanised input (``romanize``); otherwise the
    output equals the input. ``corpus`` and ``pieces`` train the SentencePiece model on
    other text and to another size (benchmarks: real news text, thousands of pieces).
    """
    from ctranslate2.converters import Converter

    sp_model = train_sentencepiece(pieces, corpus)
    vocabulary = _pieces(sp_model)
    if vocab_size > len(vocabulary):
        vocabulary += [f"<extra_{i}>" for i in range(vocab_size - len(vocabulary))]
    target = [romanize(piece) for piece in vocabulary] if romanized else None
    spec = build_spec(
        vocabulary, target, layers=layers, d_model=d_model, heads=heads, ffn=ffn, seed=seed
    )

    class _SpecConverter(Converter):
        def _load(self) -> Any:
            return spec

    top = f"translate-{from_code}_{to_code}-{package_version.replace('.', '_')}"
    metadata = {
        "package_version": package_version,
        "argos_version": "1.9",
        "from_code": from_code,
        "from_name": LANGUAGE_NAMES.get(from_code, from_code),
        "to_code": to_code,
        "to_name": LANGUAGE_NAMES.get(to_code, to_code),
        "type": "translate",
        "links": [],
    }
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        model_dir = Path(tmp) / "model"
        _SpecConverter().convert(str(model_dir), quantization=quantization)
        files: dict[str, bytes] = {
            "metadata.json": json.dumps(metadata, indent=2).encode(),
            "sentencepiece.model": sp_model,
            "README.md": b"Tiny test package built by tests/tiny_model.py; it copies its input.\n",
        }
        for path in sorted(model_dir.iterdir()):
            files[f"model/{path.name}"] = path.read_bytes()
        partial = out.with_name(out.name + ".partial")
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in files.items():
                # A fixed timestamp makes the archive itself reproducible.
                info = zipfile.ZipInfo(f"{top}/{name}", date_time=(2024, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, data)
        partial.replace(out)
    return out


def base_size_kwargs() -> dict[str, Any]:
    """Transformer-base dimensions, as Argos's real models roughly have."""
    return {"layers": 6, "d_model": 512, "heads": 8, "ffn": 2048, "vocab_size": 32000}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.tiny_model",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("out", type=Path, help="the .argosmodel file to write")
    parser.add_argument("--from", dest="from_code", default="uk")
    parser.add_argument("--to", dest="to_code", default="en")
    parser.add_argument("--version", default="1.0", help="package_version in metadata.json")
    parser.add_argument(
        "--base",
        action="store_true",
        help="transformer-base size (6+6 layers, 512, 32k vocab) for benchmarks",
    )
    args = parser.parse_args(argv)
    kwargs = base_size_kwargs() if args.base else {}
    path = build_tiny_package(
        args.out, args.from_code, args.to_code, package_version=args.version, **kwargs
    )
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
