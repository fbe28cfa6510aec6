"""Independent reference values for the lab's statistics (scipy), written to test/fixtures/lab/stats.json.

- paired comparison: mean of log(a/b) with a Student-t 95 % interval (scipy.stats.t.ppf);
- Kendall's tau-b with ties (scipy.stats.kendalltau, variant 'b');
- least-squares slope of log(mean over seeds) against log(size) (numpy.polyfit).
Run: python3 scripts/golden/lab_stats.py
"""
import json
import os

import numpy as np
from scipy import stats

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'fixtures', 'lab', 'stats.json')

a = [0.031, 0.027, 0.044, 0.025, 0.038, 0.029, 0.041, 0.033]
b = [0.040, 0.029, 0.043, 0.036, 0.047, 0.030, 0.052, 0.039]
d = np.log(np.array(a) / np.array(b))
h = stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d))
x = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5]
y = [2, 7, 1, 8, 2, 8, 1, 8, 2, 8, 4]
sizes = [32, 64, 128, 256]
curves = {1: [0.20, 0.11, 0.052, 0.030], 2: [0.25, 0.12, 0.070, 0.028], 3: [0.18, 0.10, 0.049, 0.026]}
means = np.array([np.mean([curves[s][i] for s in curves]) for i in range(len(sizes))])
slope = np.polyfit(np.log(sizes), np.log(means), 1)[0]
with open(OUT, 'w') as f:
    json.dump({
        'paired': {'a': a, 'b': b, 'ratio': float(np.exp(d.mean())), 'ci': [float(np.exp(d.mean() - h)), float(np.exp(d.mean() + h))]},
        'tau': {'x': x, 'y': y, 'tau': float(stats.kendalltau(x, y, variant='b').statistic)},
        'slope': {'sizes': sizes, 'curves': curves, 'slope': float(slope)},
    }, f, indent=1)
print(open(OUT).read())
