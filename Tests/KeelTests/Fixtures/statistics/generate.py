"""Reference values for Keel's evaluation statistics, computed by scipy, statsmodels and scikit-learn.

Run `python3 generate.py > references.json` (scipy 1.17, statsmodels 0.15, scikit-learn 1.9 made the
checked-in file). The inputs are drawn from a seeded generator, not chosen to suit Keel.
"""
import json
import random

from scipy.stats import binomtest
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.contingency_tables import mcnemar

rng = random.Random(20261201)
wilson = []
for n in [1, 2, 5, 10, 37, 100, 250, 1000, 4999]:
    for k in sorted({0, n, rng.randint(0, n), rng.randint(0, n)}):
        ci = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
        wilson.append({"successes": k, "trials": n, "lower": ci.low, "upper": ci.high})

mcnemar_cases = []
for b, c in [(0, 0), (0, 1), (1, 0), (3, 3), (2, 9), (10, 2), (25, 40), (120, 95), (0, 30), (400, 460)]:
    p = mcnemar([[0, b], [c, 0]], exact=True).pvalue
    mcnemar_cases.append({"fixed": c, "regressed": b, "p_value": p, "binomtest": binomtest(b, b + c).pvalue if b + c else 1.0})

kappa = []
labels = ["billing", "tech", "fraud", "other"]
for size in [8, 30, 200]:
    for noise in [0.0, 0.2, 0.6]:
        reference = [rng.choice(labels) for _ in range(size)]
        predicted = [r if rng.random() >= noise else rng.choice(labels) for r in reference]
        kappa.append({"reference": reference, "predicted": predicted, "kappa": cohen_kappa_score(reference, predicted)})
binary = [rng.choice(["pass", "fail"]) for _ in range(50)]
kappa.append({"reference": binary, "predicted": [x if rng.random() > 0.3 else ("fail" if x == "pass" else "pass") for x in binary]})
kappa[-1]["kappa"] = cohen_kappa_score(kappa[-1]["reference"], kappa[-1]["predicted"])

print(json.dumps({"wilson": wilson, "mcnemar": mcnemar_cases, "kappa": kappa}, indent=1))
