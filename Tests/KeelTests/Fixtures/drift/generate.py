"""Reference values for Keel's drift statistics, computed by scipy and Evidently's own functions.

Run `python3 generate.py > references.jsonl` in an environment with `evidently` (0.7) and `scipy` (1.17):
one JSON object a line, `keel drift compare`'s input (`case`, `kind`, `reference`, `current`) with what
scipy and Evidently give for it. The samples are drawn from a seeded generator, not chosen to suit Keel.
"""
import json
import warnings

import numpy as np
import pandas as pd
from scipy import stats
from evidently.legacy.calculations.stattests.chisquare_stattest import _chi_stat_test  # noqa: F401
from evidently.legacy.calculations.stattests.jensenshannon import _jensenshannon
from evidently.legacy.calculations.stattests.psi import _psi
from evidently.legacy.calculations.stattests.registry import get_stattest
from evidently.legacy.calculations.stattests.utils import get_unique_not_nan_values_list_from_series
from evidently.legacy.calculations.stattests.wasserstein_distance_norm import _wasserstein_distance_norm
from evidently.legacy.core import ColumnType

warnings.filterwarnings("ignore")
rng = np.random.default_rng(20261201)


def chi2(reference, current):
    """Evidently's chi-square test, with its statistic as well as its p-value."""
    keys = get_unique_not_nan_values_list_from_series(current_data=current, reference_data=reference)
    ref = {**dict.fromkeys(keys, 0), **dict(reference.value_counts())}
    cur = {**dict.fromkeys(keys, 0), **dict(current.value_counts())}
    k = current.shape[0] / reference.shape[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        result = stats.chisquare([cur[key] for key in keys], [ref[key] * k for key in keys])
    return number(result[0]), number(result[1])


def number(value):
    """A float as JSON has it: NaN as null, infinities as "inf" and "-inf"."""
    value = float(value)
    if np.isnan(value):
        return None
    if np.isinf(value):
        return "inf" if value > 0 else "-inf"
    return value


def case(name, kind, reference, current):
    feature = ColumnType.Numerical if kind == "numerical" else ColumnType.Categorical
    ref, cur = pd.Series(reference), pd.Series(current)
    test = get_stattest(ref, cur, feature, None)
    _, drift = test.func(ref, cur, feature, test.default_threshold)
    line = {"case": name, "kind": kind, "reference": reference, "current": current, "test": test.name, "drift": bool(drift)}
    line["psi"] = number(_psi(ref, cur, feature, 0.1)[0])
    line["js"] = number(_jensenshannon(ref, cur, feature, 0.1)[0])
    if kind == "numerical":
        ks = stats.ks_2samp(ref, cur)
        line["ks_stat"], line["ks_p"] = float(ks.statistic), float(ks.pvalue)
        line["wasserstein_normed"] = number(_wasserstein_distance_norm(ref, cur, feature, 0.1)[0])
    if kind == "categorical" or pd.concat([ref, cur]).nunique() <= 5:
        line["chi2_stat"], line["chi2_p"] = chi2(ref, cur)
    if test.name == "z":
        line["z_p"] = number(test.func(ref, cur, feature, 0.05)[0])
    print(json.dumps(line))


def floats(values, digits=3):
    return [round(float(v), digits) for v in values]


# Numerical: small and medium samples (the exact K-S path), equal and unequal sizes, ties, shifts.
for n1, n2, shift, scale in [(8, 8, 0.0, 1.0), (12, 9, 0.8, 1.0), (30, 30, 0.3, 1.0), (50, 37, 0.0, 1.5), (200, 200, 0.1, 1.0),
                             (250, 180, 0.5, 1.0), (700, 1000, 0.0, 1.0), (1000, 600, 0.15, 1.1), (3000, 2500, 0.05, 1.0),
                             (6000, 6000, 0.02, 1.0), (9000, 4000, 0.04, 1.0)]:
    case(f"normal-{n1}-{n2}-shift{shift}", "numerical", floats(rng.normal(0, 1, n1)), floats(rng.normal(shift, scale, n2)))
# Token counts: integers, heavy-tailed, many ties; request-path features.
for n1, n2, growth in [(400, 400, 1.0), (1500, 1200, 1.15), (5000, 800, 1.3), (80, 2000, 1.0)]:
    reference = [int(v) for v in rng.lognormal(5, 0.6, n1)]
    case(f"tokens-{n1}-{n2}-x{growth}", "numerical", reference, [int(v * growth) for v in rng.lognormal(5, 0.6, n2)])
case("latency-exponential", "numerical", floats(rng.exponential(120, 900), 1), floats(rng.exponential(150, 950), 1))
case("few-values", "numerical", [int(v) for v in rng.integers(0, 4, 300)], [int(v) for v in rng.integers(0, 5, 280)])
case("binary-numbers", "numerical", [int(v) for v in rng.integers(0, 2, 500)], [int(v) for v in (rng.random(450) < 0.6)])
case("constant", "numerical", [3] * 40, [3] * 30 + [4] * 5)
# Large samples: the asymptotic K-S path (a sample above 10,000 values).
case("large-asymptotic", "numerical", floats(rng.normal(0, 1, 12000), 2), floats(rng.normal(0.03, 1, 11000), 2))
case("large-unbalanced", "numerical", floats(rng.normal(0, 1, 15000), 2), floats(rng.normal(0.2, 1, 300), 2))
case("large-small-gap", "numerical", floats(rng.normal(0, 1, 20000), 2), floats(rng.normal(0.0, 1, 90), 2))
# Categorical: languages, finish reasons, models; a category only one side has.
languages = ["en", "fr", "de", "es", "ja", "pt"]
for n1, n2, weights in [(300, 280, None), (2000, 1500, [0.5, 0.2, 0.1, 0.1, 0.05, 0.05]), (60, 45, [0.3, 0.3, 0.1, 0.1, 0.1, 0.1])]:
    p = weights or [1 / 6] * 6
    case(f"languages-{n1}-{n2}", "categorical", list(rng.choice(languages, n1)), list(rng.choice(languages, n2, p=p)))
case("finish-new-category", "categorical", list(rng.choice(["stop", "length"], 500, p=[0.9, 0.1])),
     list(rng.choice(["stop", "length", "content_filter"], 400, p=[0.85, 0.1, 0.05])))
case("refusal-binary", "categorical", list(rng.choice(["false", "true"], 800, p=[0.97, 0.03])), list(rng.choice(["false", "true"], 700, p=[0.93, 0.07])))
case("models-large", "categorical", list(rng.choice(["a", "b", "c"], 5000, p=[0.6, 0.3, 0.1])), list(rng.choice(["a", "b", "c"], 3000, p=[0.5, 0.35, 0.15])))
