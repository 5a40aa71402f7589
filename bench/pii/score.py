"""Scores Keel's PII detection on a labelled corpus, side by side with Microsoft Presidio.

    python3 bench/pii/score.py --keel .build/release/keel --corpus Tests/KeelTests/Fixtures/pii/corpus.jsonl

The corpus is one {"id", "text", "spans": [{"start", "end", "type"}]} a line (offsets in code
points). A finding counts when it overlaps a labelled span of its type, each labelled span once;
exact counts those with the same boundaries. Presidio (pip install presidio-analyzer) runs on the
same texts and types with its pattern recognisers over a blank spaCy pipeline (no model to
download): EMAIL_ADDRESS, PHONE_NUMBER, CREDIT_CARD, IBAN_CODE, US_SSN, UK_NINO, IP_ADDRESS. It has
no recogniser for API keys, so `secret` is Keel's alone. Speed is per message: Keel's in process
(`keel pii scan --repeats`), Presidio's around `analyze`. Exits 1 when Keel's recall falls below
0.99 or its precision below 0.97 on any structured type.
"""

import argparse
import json
import logging
import subprocess
import sys
import time

TYPES = ["email", "phone", "card", "iban", "ssn", "nino", "ipv4", "ipv6", "secret"]
PRESIDIO = {"EMAIL_ADDRESS": "email", "PHONE_NUMBER": "phone", "CREDIT_CARD": "card", "IBAN_CODE": "iban", "US_SSN": "ssn", "UK_NINO": "nino"}


def score(corpus, found):
    """Per type: true positives, false positives, false negatives, exact boundaries."""
    figures = {kind: {"tp": 0, "fp": 0, "fn": 0, "exact": 0} for kind in TYPES}
    for message in corpus:
        truth = [dict(span) for span in message["spans"]]
        for span in truth:
            span["matched"] = False
        for span in found.get(message["id"], []):
            kind = span["type"]
            if kind not in figures:
                continue
            match = next((t for t in truth if not t["matched"] and t["type"] == kind and t["start"] < span["end"] and span["start"] < t["end"]), None)
            if match is None:
                figures[kind]["fp"] += 1
            else:
                match["matched"] = True
                figures[kind]["tp"] += 1
                figures[kind]["exact"] += match["start"] == span["start"] and match["end"] == span["end"]
        for span in truth:
            if not span["matched"]:
                figures[span["type"]]["fn"] += 1
    return figures


def rates(figure):
    tp, fp, fn = figure["tp"], figure["fp"], figure["fn"]
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    return precision, recall


def run_keel(keel, path, repeats):
    result = subprocess.run([keel, "pii", "scan", "--input", path, "--repeats", str(repeats)], capture_output=True, text=True, check=True)
    found = {}
    for line in result.stdout.splitlines():
        item = json.loads(line)
        found[item["id"]] = item["spans"]
    microseconds = float(result.stderr.split()[0])
    return found, microseconds


def run_presidio(corpus):
    try:
        import spacy
        from presidio_analyzer import AnalyzerEngine
        from presidio_analyzer.nlp_engine import SpacyNlpEngine
    except ImportError:
        return None, None
    logging.disable(logging.WARNING)

    class BlankEngine(SpacyNlpEngine):
        def load(self):
            self.nlp = {"en": spacy.blank("en")}

    engine = BlankEngine(models=[{"lang_code": "en", "model_name": "blank"}])
    engine.load()
    analyzer = AnalyzerEngine(nlp_engine=engine, supported_languages=["en"])
    entities = list(PRESIDIO) + ["IP_ADDRESS"]
    analyzer.analyze("warm up: a@b.co", language="en", entities=entities)
    found = {}
    started = time.perf_counter()
    for message in corpus:
        spans = []
        for result in analyzer.analyze(message["text"], language="en", entities=entities):
            if result.entity_type == "IP_ADDRESS":
                kind = "ipv6" if ":" in message["text"][result.start:result.end] else "ipv4"
            else:
                kind = PRESIDIO[result.entity_type]
            spans.append({"start": result.start, "end": result.end, "type": kind, "score": result.score})
        found[message["id"]] = spans
    microseconds = (time.perf_counter() - started) / len(corpus) * 1e6
    return found, microseconds


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--keel", default=".build/release/keel")
    parser.add_argument("--corpus", default="Tests/KeelTests/Fixtures/pii/corpus.jsonl")
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--no-presidio", action="store_true")
    arguments = parser.parse_args()
    corpus = [json.loads(line) for line in open(arguments.corpus, encoding="utf-8") if line.strip()]
    keel, keel_speed = run_keel(arguments.keel, arguments.corpus, arguments.repeats)
    presidio, presidio_speed = (None, None) if arguments.no_presidio else run_presidio(corpus)
    keel_figures = score(corpus, keel)
    presidio_figures = score(corpus, presidio) if presidio is not None else None

    def cell(value):
        return "   -  " if value is None else f"{value:6.3f}"

    print(f"{len(corpus)} messages, {sum(len(m['spans']) for m in corpus)} labelled spans")
    print(f"{'type':8} {'n':>5} | {'Keel P':>6} {'Keel R':>6} {'exact':>6} | {'Presidio P':>10} {'Presidio R':>10}")
    failing = []
    totals = {"keel": {"tp": 0, "fp": 0, "fn": 0, "exact": 0}, "presidio": {"tp": 0, "fp": 0, "fn": 0, "exact": 0}}
    for kind in TYPES:
        figure = keel_figures[kind]
        precision, recall = rates(figure)
        exact = figure["exact"] / figure["tp"] if figure["tp"] else None
        row = f"{kind:8} {figure['tp'] + figure['fn']:5d} | {cell(precision)} {cell(recall)} {cell(exact)} |"
        for key in totals["keel"]:
            totals["keel"][key] += figure[key]
        if presidio_figures is not None and kind != "secret":
            other = presidio_figures[kind]
            for key in totals["presidio"]:
                totals["presidio"][key] += other[key]
            p, r = rates(other)
            row += f" {cell(p):>10} {cell(r):>10}"
        else:
            row += f" {'n/a':>10} {'n/a':>10}"
        print(row)
        if (recall is not None and recall < 0.99) or (precision is not None and precision < 0.97):
            failing.append(kind)
    precision, recall = rates(totals["keel"])
    row = f"{'all':8} {totals['keel']['tp'] + totals['keel']['fn']:5d} | {cell(precision)} {cell(recall)} {'':6} |"
    if presidio_figures is not None:
        p, r = rates(totals["presidio"])
        row += f" {cell(p):>10} {cell(r):>10}   (Presidio: all but secret)"
    print(row)
    print(f"\nspeed: Keel {keel_speed:.1f} µs a message", end="")
    if presidio_speed is not None:
        print(f", Presidio {presidio_speed:.0f} µs a message: Keel {presidio_speed / keel_speed:.0f}× faster")
    else:
        print(" (Presidio not installed: pip install presidio-analyzer)")
    if failing:
        print(f"below recall 0.99 or precision 0.97: {', '.join(failing)}")
        sys.exit(1)


if __name__ == "__main__":
    main()
