#!/usr/bin/python3
"""The assess-like figures a data officer would compute by hand with pandas.

    /usr/bin/python3 bench/assess_pandas.py WORKSPACE AS_OF > figures.csv

For every person and scale framework with assessment entries dated on or before AS_OF:
the number of complete and incomplete occasions (an occasion is all of one framework's
item entries of a person on one date), the baseline (first complete occasion) and the
latest complete occasion with their dates and scores, and the change between them; and
the same first / latest / change per item, over the occasions that count for the item.
One CSV row per (person, framework, item); the framework's own figures have an empty item.
Numbers are rounded half away from zero to 2 places, as `outcomes assess` rounds them.

The peer for `outcomes assess --format jsonl` in bench/compare.sh; bench/check_pandas.sh
checks that these figures equal the same fields of assess's output.

Why it reads the store and not the entries CSV: both tools then start from the same bytes
(the store the service keeps, with its corrections applied), and SQLite hands pandas only
the assessment rows, which is the cheapest fair start pandas can have: reading the whole
entries CSV with read_csv would make pandas parse every contact and note as well. Only the
integer columns of the entries are read; names are joined from the small lookup tables.
The scoring rules (items in file order, allowed values, sum or weighted sum, prorating,
conversion tables) come from the workspace's framework YAML, as the analyst would copy them.
"""
import glob
import os
import sqlite3
import sys

import numpy as np
import pandas as pd
import yaml

ASSESSMENT = 3  # EntryKind::Assessment in lib/entry.h


def round2(values):
    """Half away from zero to 2 places, nudged as lib/assess.cpp's round_to nudges."""
    scaled = np.asarray(values, dtype=float) * 100.0
    nudged = scaled + np.copysign(1e-7, scaled)
    rounded = np.trunc(scaled)
    rounded = rounded + np.where(np.abs(nudged - rounded) >= 0.5, np.copysign(1.0, scaled), 0.0)
    return rounded / 100.0


def load_frameworks(folder):
    """Scale frameworks by id: their items, allowed values, weights and scoring rules."""
    frameworks = {}
    for path in sorted(glob.glob(os.path.join(folder, "*.yaml"))):
        if path.endswith(".local.yaml"):
            continue
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
        scoring = doc.get("scoring") or {}
        items = []
        for domain in doc.get("domains") or []:
            for m in domain.get("measures") or []:
                if m.get("type") != "scale":
                    continue
                allowed = m.get("values")
                if allowed is None:
                    allowed = list(range(int(m["min"]), int(m["max"]) + 1))
                items.append({"id": m["id"], "allowed": set(int(v) for v in allowed),
                              "weight": float(m.get("weight", 1))})
        if not items:
            continue
        total = scoring.get("total", "none")
        frameworks[doc["id"]] = {
            "items": items,
            "total": total,
            "weighted": total == "weighted_sum",
            "prorate": scoring.get("missing", "incomplete") == "prorate",
            "prorate_max": int(scoring.get("prorate_max_missing", 0)),
            "conversion": {int(k): float(v) for k, v in (scoring.get("conversion") or {}).items()},
        }
    return frameworks


def read_assessments(db, as_of_day, frameworks):
    """The current assessment entries dated by AS_OF: person, framework, item, day, value."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        e = pd.read_sql(
            "SELECT person, framework, measure, day, value, seq, id FROM entries "
            "WHERE kind = ? AND day <= ? AND value IS NOT NULL "
            "AND id NOT IN (SELECT supersedes FROM entries WHERE supersedes IS NOT NULL)",
            con, params=(ASSESSMENT, as_of_day))
        people = pd.read_sql("SELECT id, ref FROM people", con).set_index("id")["ref"]
        seen = pd.read_sql("SELECT id, framework FROM frameworks_seen", con)
        terms = pd.read_sql("SELECT id, text FROM terms", con).set_index("id")["text"]
    finally:
        con.close()
    e["person"] = e["person"].map(people)
    e["framework"] = e["framework"].map(seen.set_index("id")["framework"])
    e["item"] = e["measure"].map(terms)
    e = e[e["framework"].isin(list(frameworks))]
    # Keep only the values each item allows now.
    allowed = pd.DataFrame(
        [(fid, item["id"], v, item["weight"]) for fid, f in frameworks.items()
         for item in f["items"] for v in item["allowed"]],
        columns=["framework", "item", "value", "weight"])
    e = e.merge(allowed, on=["framework", "item", "value"], how="inner")
    # A later entry for the same item on the same date replaces the earlier one.
    e = e.sort_values(["person", "framework", "day", "seq", "id"])
    return e.drop_duplicates(["person", "framework", "day", "item"], keep="last")


def score_occasions(e, frameworks):
    """One row per occasion: whether it is complete and, with a total, its score."""
    e = e.assign(weighted=e["value"] * e["weight"])
    occ = e.groupby(["person", "framework", "day"], sort=False).agg(
        present=("item", "size"), raw=("value", "sum"), wraw=("weighted", "sum"),
        wpresent=("weight", "sum")).reset_index()
    rules = pd.DataFrame([
        {"framework": fid, "n_items": len(f["items"]), "has_total": f["total"] != "none",
         "weighted": f["weighted"], "prorate": f["prorate"], "prorate_max": f["prorate_max"],
         "total_weight": sum(i["weight"] for i in f["items"]) if f["weighted"] else len(f["items"])}
        for fid, f in frameworks.items()])
    occ = occ.merge(rules, on="framework")
    raw = np.where(occ["weighted"], occ["wraw"], occ["raw"]).astype(float)
    present_weight = np.where(occ["weighted"], occ["wpresent"], occ["present"]).astype(float)
    missing = occ["n_items"] - occ["present"]
    prorated = occ["prorate"] & (missing <= occ["prorate_max"]) & (present_weight > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        raw = np.where(missing > 0, raw * occ["total_weight"] / present_weight, raw)
    scored = occ["has_total"] & ((missing == 0) | prorated)
    score = pd.Series(raw, index=occ.index)
    for fid, f in frameworks.items():
        if not f["conversion"]:
            continue
        rows = occ["framework"] == fid
        # Half away from zero, as std::lround.
        whole = np.sign(score[rows]) * np.floor(np.abs(score[rows]) + 0.5)
        converted = whole.map(f["conversion"])
        known = pd.Series(True, index=occ.index)
        known[rows] = converted.notna()
        scored &= known
        score[rows] = converted
    occ["score"] = score.where(scored)
    occ["counts"] = np.where(occ["has_total"], scored, missing == 0)
    return occ


def first_last(frame, keys, value):
    """Baseline (first), latest (last), their dates, change and count of a series by keys."""
    g = frame.groupby(keys, sort=False)
    out = g.agg(baseline_day=("day", "first"), baseline=(value, "first"),
                latest_day=("day", "last"), latest=(value, "last"),
                occasions=(value, "size")).reset_index()
    out["change"] = (out["latest"] - out["baseline"]).where(out["occasions"] >= 2)
    return out


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: assess_pandas.py WORKSPACE AS_OF")
    workspace, as_of = sys.argv[1], sys.argv[2]
    as_of_day = (pd.Timestamp(as_of) - pd.Timestamp("1970-01-01")).days
    frameworks = load_frameworks(os.path.join(workspace, "frameworks"))
    e = read_assessments(os.path.join(workspace, "outcomes.db"), as_of_day, frameworks)
    occ = score_occasions(e, frameworks)  # in person, framework, date order

    # The framework's own figures.
    counts = occ.groupby(["person", "framework"], sort=False).agg(
        complete=("counts", "sum"), all=("counts", "size"), has_total=("has_total", "first"))
    counts["incomplete"] = counts["all"] - counts["complete"]
    totals = first_last(occ[occ["score"].notna()], ["person", "framework"], "score")
    fw = counts.reset_index().merge(totals.drop(columns="occasions"),
                                    on=["person", "framework"], how="left")
    fw["occasions"] = fw["complete"]
    fw["item"] = ""

    # Each item: with a total, over the scored occasions; without, every occasion holding it.
    e = e.merge(occ[["person", "framework", "day", "has_total", "score"]],
                on=["person", "framework", "day"])
    e = e[~e["has_total"] | e["score"].notna()]
    items = first_last(e, ["person", "framework", "item"], "value")
    items["incomplete"] = np.nan

    out = pd.concat([fw, items], ignore_index=True)
    for col in ("baseline_day", "latest_day"):
        out[col.replace("_day", "_date")] = pd.to_datetime(out[col], unit="D").dt.strftime("%Y-%m-%d")
    for col in ("baseline", "latest", "change"):
        out[col] = round2(out[col])
    out = out.sort_values(["person", "framework", "item"])
    out[["person", "framework", "item", "occasions", "incomplete", "baseline_date", "baseline",
         "latest_date", "latest", "change"]].to_csv(sys.stdout, index=False, float_format="%.15g")


if __name__ == "__main__":
    main()
