#!/usr/bin/env python3
"""Fits a trial config's model parameters to published trial results.

Each candidate parameter vector is written into a copy of the config, the
trial is simulated with `ipsim power --reps R --seed S --json` (one fixed
seed: common random numbers make the objective smooth in the parameters),
and a Nelder-Mead search minimises sum(((simulated - target) / tolerance)^2).
Two presets:

realised  configs/trial_belgium_realised.json, the Belgian trial as run
          (Fontenay & Tojerow 2024, J Health Econ 100:102958; IZA DP 15386;
          EQUASS case note; see the project's domain brief). Targets:
          IPS minus control in the share working while on disability
          benefit (authorised part-time work) at 18 months +9.5 pp and at
          30 months +7.5 pp; IPS arm about 39% employed (read as: ever
          worked within 30 months); benefit paid 9.5% lower under IPS.
          Parameters: the IPS job-finding effect, the share of jobs that are
          authorised part-time work on benefit, the baseline job-finding
          rate, the months of IPS follow-along support after hire (which
          shapes how the effect fades from 18 to 30 months), and four
          hazards of the trial participants as multipliers of the calibrated
          default scenario's: recovery and the start of authorised part-time
          work without a programme (how many work within 30 months without
          help), job loss (how long a job found lasts) and the move from
          part-time to full-time work (off benefit). The multipliers carry a
          prior at 1 (prior_factor 6: a hazard 6 times or a sixth of the
          default's costs as much as missing a target by its tolerance):
          without it the targets leave them free along ridges, and the fit
          drives recovery to zero and job loss to a sixth. Afterwards the
          full monthly benefit is scaled so that the control arm is paid
          1,160 EUR a month (benefit paid is linear in it).
literature configs/trial_ips_literature.json, high-fidelity IPS for severe
          mental illness (Bond, Drake & Becker 2008, Psychiatr Rehabil J
          31:280): 61% vs 23% worked in a competitive job within 18 months.
          Parameters: the IPS job-finding effect and the baseline
          job-finding rate (the config offers the control service to
          everyone randomised: no readiness screening).

A parameter is a dotted config path, or a hazard under "transitions" with
the suffix "*": then the value multiplies the hazard of the default scenario
(configs/belgium_default.json; hazard ratios kept), written as that
hazard's rate(s) or, for a Weibull hazard, its scale.

Usage: python3 scripts/fit_trial.py realised|literature [--ipsim build/ipsim]
       [--reps 300] [--iters 40] [--start a,b,...] [--prior-factor F]
       [--threads T]
It prints the best parameters, the config values they stand for and the
simulated targets; they are written into the config by hand, with this
script named as the source.
"""
import argparse
import json
import math
import os
import subprocess
import sys
import tempfile


def diff(am, outcome):
    return am[outcome]["ips"] - am[outcome]["control"]


PRESETS = {
    "realised": {
        "config": "configs/trial_belgium_realised.json",
        "params": [("policies.ips.programme.effects.job_finding", 0.05, 20, 0.2),
                   ("work.part_time_share", 0.0, 1.0, 0.05),
                   ("transitions.job_finding.rate_per_year", 0.01, 10, 0.05),
                   ("policies.ips.programme.follow_along_months", 0.5, 120, 4),
                   ("transitions.recovery*", 0.01, 100, 0.2),
                   ("transitions.part_time_start*", 0.01, 100, 0.2),
                   ("transitions.job_loss*", 0.01, 100, 0.2),
                   ("transitions.part_time_to_full_time*", 0.01, 100, 0.2)],
        # the previous fit's values, as multipliers of the current default
        # scenario (recovery keeps the previous multiplier of its first pieces)
        "start": [4.4081, 0.6801, 0.068, 11.98, 0.5047, 0.7979, 0.3162, 1.5371],
        "prior_factor": 6,
        "targets": {
            "ever_worked_30m ips": (lambda am: am["ever_worked_30m"]["ips"], 0.39, 0.02),
            "working_on_benefit_18m ips-control": (lambda am: diff(am, "working_on_benefit_18m"), 0.095, 0.01),
            "working_on_benefit_30m ips-control": (lambda am: diff(am, "working_on_benefit_30m"), 0.075, 0.01),
            "benefit ips/control - 1": (lambda am: am["benefit_eur_per_month"]["ips"]
                                        / am["benefit_eur_per_month"]["control"] - 1, -0.095, 0.01),
        },
        "control_benefit": 1160.0,
    },
    "literature": {
        "config": "configs/trial_ips_literature.json",
        "params": [("policies.ips.programme.effects.job_finding", 0.05, 20, 0.3),
                   ("transitions.job_finding.rate_per_year", 0.01, 10, 0.1)],
        "start": [1.6, 0.6],
        "targets": {
            "ever_worked_18m ips": (lambda am: am["ever_worked_18m"]["ips"], 0.61, 0.01),
            "ever_worked_18m control": (lambda am: am["ever_worked_18m"]["control"], 0.23, 0.01),
        },
    },
}


def set_path(cfg, path, value):
    """Sets a dotted path; 'policies.<name>' selects the policy of that name."""
    keys = path.split(".")
    node = cfg
    i = 0
    while i < len(keys) - 1:
        k = keys[i]
        if k == "policies":
            node = next(p for p in cfg["policies"] if p["name"] == keys[i + 1])
            i += 2
            continue
        node = node.setdefault(k, {})
        i += 1
    node[keys[-1]] = value


DEFAULT_CONFIG = "configs/belgium_default.json"


def scaled_hazard(default, key, m):
    """The default scenario's hazard `key` with its hazard multiplied by m.

    Only the shape's parameters are returned: a config's hazard object merges
    key by key with the default, so the hazard ratios stay. A Weibull hazard
    (d/scale)^shape times m is a Weibull with scale * m^(-1/shape)."""
    h = default["transitions"][key]
    if h["shape"] == "exponential":
        return {"rate_per_year": round(h["rate_per_year"] * m, 6)}
    if h["shape"] == "piecewise":
        return {"breaks_days": h["breaks_days"],
                "rates_per_year": [round(r * m, 6) for r in h["rates_per_year"]]}
    if h["shape"] == "weibull" and m > 0:
        return {"weibull_scale_days": round(h["weibull_scale_days"] * m ** (-1 / h["weibull_shape"]), 2)}
    sys.exit(f"{DEFAULT_CONFIG}: transitions.{key}: a {h['shape']} hazard cannot be scaled by {m}")


def set_param(cfg, default, path, value):
    """Writes one parameter; 'transitions.<hazard>*' is a multiplier (module doc)."""
    if path.endswith("*"):
        key = path[:-1].split(".")[1]
        cfg.setdefault("transitions", {}).setdefault(key, {}).update(
            scaled_hazard(default, key, value))
    else:
        set_path(cfg, path, value)


def participants(cfg):
    """The configured trial size (the power grid of the config is not used)."""
    p = cfg["trial"]["participants"]
    return int(sum(v for k, v in p.items() if k in ("flanders", "wallonia", "brussels")))


def prior_penalty(preset, x):
    """sum((ln m / ln F)^2) over the hazard multipliers m, F = preset["prior_factor"]:
    a hazard F times (or 1/F of) the default's costs as much as missing a
    target by its tolerance, so the fit moves away from the calibrated
    scenario only as far as the targets need."""
    f = preset.get("prior_factor")
    if not f:
        return 0.0
    return sum((math.log(v) / math.log(f)) ** 2
               for (path, _, _, _), v in zip(preset["params"], x) if path.endswith("*"))


def evaluate(a, preset, base, default, x, tmp):
    for (path, lo, hi, _), v in zip(preset["params"], x):
        if not (lo <= v <= hi):
            return 1e9, None, None
    cfg = json.loads(json.dumps(base))
    for (path, _, _, _), v in zip(preset["params"], x):
        set_param(cfg, default, path, v)
    path = os.path.join(tmp, "cand.json")
    with open(path, "w") as f:
        json.dump(cfg, f)
    out = subprocess.run([a.ipsim, "power", path, "--reps", str(a.reps), "--seed", str(a.seed),
                          "--effect", "1", "--n", str(participants(base)), "--json", "--quiet",
                          "--force", "-o", os.path.join(tmp, "p.h5")]
                         + (["--threads", str(a.threads)] if a.threads else []),
                         capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(out.stderr)
    am = json.loads(out.stdout)["points"][0]["arm_means"]
    got = {name: fn(am) for name, (fn, _, _) in preset["targets"].items()}
    loss = sum(((got[n] - t) / tol) ** 2 for n, (_, t, tol) in preset["targets"].items())
    return loss + prior_penalty(preset, x), got, am


def nelder_mead(f, x0, steps, iters):
    n = len(x0)
    pts = [list(x0)] + [[x0[j] + (steps[j] if j == i else 0) for j in range(n)] for i in range(n)]
    vals = [f(p)[0] for p in pts]
    for _ in range(iters):
        order = sorted(range(len(pts)), key=lambda i: vals[i])
        pts, vals = [pts[i] for i in order], [vals[i] for i in order]
        c = [sum(p[j] for p in pts[:-1]) / n for j in range(n)]
        refl = [c[j] + (c[j] - pts[-1][j]) for j in range(n)]
        fr = f(refl)[0]
        if fr < vals[0]:
            ex = [c[j] + 2 * (c[j] - pts[-1][j]) for j in range(n)]
            fe = f(ex)[0]
            pts[-1], vals[-1] = (ex, fe) if fe < fr else (refl, fr)
        elif fr < vals[-2]:
            pts[-1], vals[-1] = refl, fr
        else:
            con = [c[j] + 0.5 * (pts[-1][j] - c[j]) for j in range(n)]
            fc = f(con)[0]
            if fc < vals[-1]:
                pts[-1], vals[-1] = con, fc
            else:
                for i in range(1, len(pts)):
                    pts[i] = [pts[0][j] + 0.5 * (pts[i][j] - pts[0][j]) for j in range(n)]
                    vals[i] = f(pts[i])[0]
        print(f"  loss {vals[0]:.3f} at " + " ".join(f"{v:.4g}" for v in pts[0]), file=sys.stderr)
    best = min(range(len(pts)), key=lambda i: vals[i])
    return pts[best], vals[best]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("preset", choices=sorted(PRESETS))
    ap.add_argument("--ipsim", default="build/ipsim")
    ap.add_argument("--config")
    ap.add_argument("--reps", type=int, default=300)
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--iters", type=int, default=40)
    ap.add_argument("--start", help="comma-separated starting values")
    ap.add_argument("--prior-factor", type=float,
                    help="factor F of the hazard multipliers' prior: a multiplier of F or 1/F "
                         "costs as much as missing a target by its tolerance (larger F, weaker "
                         "prior; default: the preset's)")
    ap.add_argument("--threads", type=int, help="worker threads of ipsim power (default: its own)")
    a = ap.parse_args()
    preset = dict(PRESETS[a.preset])
    if a.prior_factor:
        preset["prior_factor"] = a.prior_factor
    with open(a.config or preset["config"]) as f:
        base = json.load(f)
    with open(DEFAULT_CONFIG) as f:
        default = json.load(f)
    x0 = [float(v) for v in a.start.split(",")] if a.start else preset["start"]
    if len(x0) != len(preset["params"]):
        sys.exit(f"--start: {len(x0)} values given, {a.preset} has {len(preset['params'])} parameters")
    with tempfile.TemporaryDirectory() as tmp:
        f = lambda x: evaluate(a, preset, base, default, x, tmp)
        x, _ = nelder_mead(f, x0, [p[3] for p in preset["params"]], a.iters)
        x = [round(v, 4) for v in x]
        loss, got, am = f(x)
    result = {"parameters": {p[0]: v for p, v in zip(preset["params"], x)},
              "config_values": {p[0][:-1]: scaled_hazard(default, p[0][:-1].split(".")[1], v)
                                for p, v in zip(preset["params"], x) if p[0].endswith("*")},
              "loss": round(loss, 4), "prior_penalty": round(prior_penalty(preset, x), 4),
              "targets": got, "arm_means": am}
    if "control_benefit" in preset:
        monthly = base.get("trial", {}).get("benefit", {}).get("monthly_eur", 1300)
        result["parameters"]["trial.benefit.monthly_eur"] = round(
            monthly * preset["control_benefit"] / am["benefit_eur_per_month"]["control"], 1)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
