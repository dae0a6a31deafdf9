#!/usr/bin/env python3
"""Generates examples/entries.csv: one year of the fictional "Bridges" service.

Bridges is a small relational support service for adults facing multiple disadvantage
(homelessness, drug and alcohol use, mental ill-health, contact with the criminal
justice system). Everyone in it is made up; references are pseudonyms (P001 ... P040).

The output is deterministic (fixed seed, no clock): running this script again gives a
byte-identical file, which is committed so that nobody needs Python to use the example.

    python3 examples/generate.py > examples/entries.csv

Long CSV columns: person,date,kind,framework,measure,value,status,text,by,ref
"""

import csv
import datetime as dt
import random
import sys

SEED = 20251101
START = dt.date(2025, 11, 3)
END = dt.date(2026, 10, 30)  # nothing after this (the e2e tests pin today at 2026-11-15)
PEOPLE = 40

WORKERS = ["amira", "dan", "kez", "ruth", "tom"]

NDT_ITEMS = [
    "engagement", "intentional_self_harm", "unintentional_self_harm", "risk_to_others",
    "risk_from_others", "stress_anxiety", "social_effectiveness", "alcohol_drug_abuse",
    "impulse_control", "housing",
]
NDT_DOUBLE = {"risk_to_others", "risk_from_others"}
SWEMWBS_ITEMS = ["item_1", "item_2", "item_3", "item_6", "item_7", "item_9", "item_11"]
RELATIONAL_ITEMS = [
    "confidence", "self_esteem", "self_regulation", "self_belief", "wellbeing",
    "understood_by_service", "family_and_friends", "community_relationships",
    "service_engagement",
]
SIGNALS = [
    "met_and_talked", "turned_up", "shared_feelings", "reflected", "tried_something_new",
    "reconnected_with_service", "contacted_worker", "considered_support",
]
PERSONAL_OUTCOMES = ["feeling_safe", "seeing_people", "staying_well", "listened_to",
                     "having_a_say", "confidence_morale"]

GENDERS = ["man"] * 11 + ["woman"] * 7 + ["non_binary", "prefer_not_to_say"]
ETHNICITIES = ["white"] * 9 + ["black"] * 4 + ["mixed"] * 2 + ["asian"] * 2 + ["other",
                                                                              "prefer_not_to_say"]
AGE_BANDS = ["18-24"] * 2 + ["25-34"] * 5 + ["35-44"] * 6 + ["45-54"] * 5 + ["55-64"] * 2 + ["65+"]
DISABILITY = ["yes"] * 5 + ["no"] * 4 + ["prefer_not_to_say"]

REFERRALS = [
    "Referred by the street outreach team",
    "Self-referral at the day centre drop-in",
    "Referred by probation",
    "Referred by the hospital discharge team",
    "Referred by the hostel key worker",
    "Referred by the drug and alcohol service",
    "Referred by a friend who was supported by us",
]

# Needs a worker might identify, per Supporting People outcome (in the worker's words).
NEEDS = {
    "managing_accommodation": [
        "Rough sleeping, needs somewhere safe to stay",
        "Rent arrears putting the tenancy at risk",
        "Needs help to bid for a council flat",
    ],
    "managing_money": [
        "No bank account",
        "Benefits stopped after a missed appointment",
        "Debts to a loan shark",
    ],
    "physically_healthy": [
        "Not registered with a GP",
        "Leg ulcer that needs regular dressing",
        "Toothache, no dentist",
    ],
    "mentally_healthy": [
        "Low mood, wants a mental health assessment",
        "Anxiety stopping them going out",
    ],
    "feeling_safe": [
        "Being targeted by dealers at the hostel",
        "Ex-partner making threats",
    ],
    "managing_relationships": ["Wants contact with their children again"],
    "education_learning": ["Wants help with reading and writing"],
    "employment_voluntary_work": ["Would like to find some volunteering"],
    "part_of_community": ["Isolated, nobody to talk to outside services"],
    "healthy_active_lifestyle": ["Drinking from first thing in the morning"],
    "safety_of_self_and_others": ["At risk of reoffending (shoplifting to fund use)"],
}

# Goals, in the person's own words, with a key the service uses for each.
GOALS = [
    ("home", "Get my own flat, somewhere quiet where I can shut the door"),
    ("kids", "See my kids every week, properly, not just at the contact centre"),
    ("drink", "Cut down to a few cans a day so I can think straight"),
    ("teeth", "Get my teeth sorted so I can smile without covering my mouth"),
    ("reading", "Learn to read well enough to fill in my own forms"),
    ("money", "Sort my benefits out so I'm not skint by Tuesday"),
    ("out", "Get out of the flat more, maybe the allotment group"),
    ("licence", "Stay out of trouble till my licence finishes"),
    ("script", "Get on a script and stick to it"),
    ("id", "Get my ID back so I can open a bank account"),
    ("college", "Do the barista course at the college"),
    ("mum", "Ring my mum on her birthday and actually talk"),
    ("volunteer", "Find some volunteering, ideally with animals"),
    ("walk", "Be fit enough to walk round the park without stopping"),
    ("sleep", "Sleep in a bed every night, not on the night bus"),
    ("calm", "Not lose my temper when the housing office messes me about"),
]

GOAL_REVIEWS = {
    -2: ["Things got on top of me this month", "Had to put this on hold for now"],
    -1: ["Not there yet but still want it", "Slow going, a few knock-backs"],
    0: ["Getting there, doing what we planned", "On track, pleased with how it's going"],
    1: ["Better than I thought it would be", "Did more than we planned"],
    2: ["Done it, and then some", "Really proud of this one"],
}

SHAREABLE_NOTES = [
    "Came in for a cup of tea and stayed an hour. First time talking about their brother.",
    "Rang me themselves to ask about the food bank, a first.",
    "Missed two appointments; found them at the hub and they were glad to see us.",
    "Went with them to the GP. They did most of the talking.",
    "Brought in a drawing to show the team. Laughing a lot today.",
    "Said the group on Thursdays is the only place they feel normal.",
    "Hard week after a row at the hostel, but they kept our appointment.",
    "Picked up their new glasses. Reading the menu out loud in the cafe.",
    "Asked if they could help set up the drop-in next week.",
    "Talked about wanting to be a better dad. Quiet, thoughtful session.",
    "Kept the appointment at the housing office on their own.",
    "Told me \"you're the first one who didn't give up on me\".",
    "Back in touch after a few weeks away; picked up where we left off.",
    "Walked to the park together and talked about what next year could look like.",
]

PRIVATE_NOTES = [
    "Disclosed past abuse; talked through options, they did not want a referral for now.",
    "Concern that someone is using the flat to deal; shared with the housing officer, with consent.",
    "Relapse after a bereavement. Overdose risk discussed, naloxone kit given.",
    "Safeguarding: bruising seen, said it was a fall. Discussed with the team lead.",
    "Court date next month; anxious, sleeping badly.",
    "Mentioned thoughts of ending their life; safety plan made together, GP informed with consent.",
]

EXIT_TEXT = {
    "disengaged": "No contact for eight weeks despite outreach; door left open.",
    "prison": "Recalled to prison.",
    "hospital": "Admitted to hospital for a long stay.",
    "moved_to_other_support": "Moved to a specialist women's service; warm handover done.",
    "no_longer_requires_support": "Settled and managing well; knows how to get back in touch.",
    "moved_out_of_area": "Moved to be nearer family.",
    "excluded": "Excluded for three months after threats to staff; review agreed.",
    "deceased": "Died in hospital. The team attended the funeral.",
    "unknown": "Lost contact; not known where they went.",
    "other": "Stayed with the project's partner service instead.",
}


class Person:
    def __init__(self, ref, rng):
        self.ref = ref
        self.rng = rng
        self.rows = []
        self.order = 0
        self.worker = rng.choice(WORKERS)
        self.open_needs = {}  # measure -> [text]
        self.met_needs = set()
        self.running = set()  # milestones running
        self.done_milestones = set()
        self.goals = {}  # key -> attainment (open goals)
        self.used_goal_keys = set()
        self.wellness = rng.uniform(0.1, 0.35)
        self.engage = rng.uniform(0.45, 0.9)
        self.trust = rng.uniform(0.0, 0.25)
        self.offsets = {item: rng.uniform(-0.8, 0.8) for item in NDT_ITEMS}
        self.not_relevant = set()  # status measures recorded as not relevant

    def add(self, date, kind, framework="", measure="", value="", status="", text="", by=None):
        assert date <= END, (self.ref, date)
        if by is None:
            by = self.worker if self.rng.random() < 0.85 else self.rng.choice(WORKERS)
        self.rows.append((date, self.ref, self.order,
                          [self.ref, date.isoformat(), kind, framework, measure,
                           "" if value == "" else str(value), status, text, by]))
        self.order += 1


def clamp(x, lo, hi):
    return max(lo, min(hi, x))


def months_between(a, b):
    return (b.year - a.year) * 12 + b.month - a.month


def ndt_occasion(p, date, drop_item=None):
    chaos = 1.0 - p.wellness
    for item in NDT_ITEMS:
        if item == drop_item:
            continue
        raw = chaos * 4.2 + p.offsets[item] + p.rng.uniform(-0.6, 0.6)
        level = clamp(int(round(raw)), 0, 4)
        if item in NDT_DOUBLE:
            value = 2 * clamp(int(round(raw * 0.8)), 0, 4)
        else:
            value = level
        p.add(date, "assessment", "ndt", item, value)


def swemwbs_occasion(p, date, drop_item=None):
    for item in SWEMWBS_ITEMS:
        if item == drop_item:
            continue
        value = clamp(int(round(1.2 + p.wellness * 3.4 + p.rng.uniform(-0.8, 0.8))), 1, 5)
        p.add(date, "assessment", "swemwbs", item, value)


def relational_occasion(p, date, partial=False):
    items = RELATIONAL_ITEMS
    if partial:
        items = p.rng.sample(RELATIONAL_ITEMS, 5)
        items.sort(key=RELATIONAL_ITEMS.index)
    for item in items:
        base = p.trust if item in ("understood_by_service", "service_engagement") else p.wellness
        value = clamp(int(round(1 + base * 3.6 + p.rng.uniform(-0.7, 0.7))), 1, 5)
        p.add(date, "assessment", "relational", item, value)


def open_need(p, date, measure):
    if measure in p.not_relevant:
        return
    open_texts = [t for t, _ in p.open_needs.get(measure, [])]
    choices = [t for t in NEEDS[measure] if t not in open_texts and (measure, t) not in p.met_needs]
    if not choices:
        return
    text = p.rng.choice(choices)
    p.open_needs.setdefault(measure, []).append((text, date))
    p.add(date, "need", "supporting-people", measure, status="open", text=text)


def meet_need(p, date, measure):
    texts = p.open_needs.get(measure, [])
    if not texts or texts[0][1] >= date:
        return False
    text = texts.pop(0)[0]
    p.met_needs.add((measure, text))
    p.add(date, "need", "supporting-people", measure, status="met", text=text)
    return True


def start_milestone(p, date, measure, text=""):
    if measure in p.running:
        return
    p.running.add(measure)
    p.add(date, "milestone", "relational", measure, status="start", text=text)


def end_milestone(p, date, measure, text=""):
    if measure not in p.running:
        return
    p.running.discard(measure)
    p.add(date, "milestone", "relational", measure, status="end", text=text)


def set_goal(p, date):
    keys = [g for g in GOALS if g[0] not in p.used_goal_keys]
    if not keys:
        return
    key, words = p.rng.choice(keys)
    p.used_goal_keys.add(key)
    baseline = -2 if p.rng.random() < 0.2 else -1
    p.goals[key] = baseline
    p.add(date, "goal", "goals", key, baseline, "set", words)


def review_goals(p, date, close_ok):
    for key in sorted(p.goals):
        drift = 1 if p.wellness > 0.45 else (0 if p.wellness > 0.25 else -1)
        value = clamp(p.goals[key] + p.rng.choice([0, 0, 1, drift]), -2, 2)
        p.goals[key] = value
        text = p.rng.choice(GOAL_REVIEWS[value]) if p.rng.random() < 0.7 else ""
        if close_ok and value >= 1 and p.rng.random() < 0.5:
            p.add(date, "goal", "goals", key, value, "close", text)
            del p.goals[key]
        else:
            p.add(date, "goal", "goals", key, value, "review", text)


def simulate_episode(p, start, end, first, plan):
    """One episode from `start` (enrolment) up to `end` (exclusive of the exit row)."""
    rng = p.rng
    p.add(start, "enrol", text=rng.choice(REFERRALS) if first else "Back in touch and re-enrolled")
    if first and not plan.get("no_attributes"):
        p.add(start, "attribute", measure="gender", status=rng.choice(GENDERS))
        p.add(start, "attribute", measure="ethnicity", status=rng.choice(ETHNICITIES))
        p.add(start, "attribute", measure="age_band", status=plan.get("age") or rng.choice(AGE_BANDS))
        if rng.random() < 0.85:
            p.add(start, "attribute", measure="disability", status=rng.choice(DISABILITY))
    if first:
        for measure in rng.sample(sorted(NEEDS), rng.randint(2, 4)):
            open_need(p, start + dt.timedelta(days=rng.randint(1, 10)), measure)
        if rng.random() < 0.3 and "employment_voluntary_work" not in p.open_needs:
            p.not_relevant.add("employment_voluntary_work")
            p.add(start + dt.timedelta(days=12), "status", "supporting-people",
                  "employment_voluntary_work", status="not_relevant",
                  text="Not something they want to think about yet")

    ndt_delay = plan.get("ndt_delay", rng.randint(3, 14)) if first else rng.randint(5, 15)
    next_ndt = start + dt.timedelta(days=ndt_delay)
    next_sw = start + dt.timedelta(days=plan.get("sw_delay", rng.randint(10, 30)))
    next_rel = start + dt.timedelta(days=rng.randint(14, 40))
    next_goal_review = start + dt.timedelta(days=rng.randint(50, 80))
    goals_set = 0
    missed_run = 0
    day = start + dt.timedelta(days=rng.randint(1, 4))
    crisis_until = None
    notes = 0
    while day < end:
        # Ups and downs: slow drift towards better, occasional crises.
        if crisis_until and day >= crisis_until:
            crisis_until = None
        if crisis_until is None and rng.random() < plan.get("crisis_rate", 0.035):
            crisis_until = day + dt.timedelta(days=rng.randint(14, 45))
            p.wellness = clamp(p.wellness - rng.uniform(0.1, 0.25), 0.02, 0.95)
            p.engage = clamp(p.engage - 0.2, 0.1, 0.95)
            if rng.random() < 0.5:
                p.add(day, "note", status="private", text=rng.choice(PRIVATE_NOTES))
        elif crisis_until is None:
            p.wellness = clamp(p.wellness + rng.uniform(-0.01, 0.03) * plan.get("pace", 1.0), 0.02, 0.95)
            p.engage = clamp(p.engage + rng.uniform(-0.02, 0.035), 0.1, 0.95)
            p.trust = clamp(p.trust + rng.uniform(0.0, 0.03), 0.0, 0.95)

        # Contact: a planned appointment most weeks.
        if rng.random() < 0.85:
            if rng.random() < p.engage:
                p.add(day, "contact", status="attended")
                missed_run = 0
                if rng.random() < 0.25 + p.trust * 0.3:
                    p.add(day, "signal", "relational",
                          rng.choice(SIGNALS[:4] if p.trust < 0.5 else SIGNALS))
            else:
                p.add(day, "contact", status="missed")
                missed_run += 1
                if missed_run >= 2 and day + dt.timedelta(days=2) < end:
                    p.add(day + dt.timedelta(days=2), "contact", status="outreach")
                    missed_run = 0
        if rng.random() < 0.04 + p.trust * 0.25:
            d2 = day + dt.timedelta(days=3)
            if d2 < end:
                p.add(d2, "contact", status="self_initiated")
                if rng.random() < 0.4:
                    p.add(d2, "signal", "relational", "contacted_worker")

        # Assessments.
        assessing = day < plan.get("stop_assessing", END + dt.timedelta(days=1))
        if day >= next_ndt and assessing and not plan.get("no_ndt"):
            drop = rng.choice(NDT_ITEMS) if rng.random() < 0.07 else None
            ndt_occasion(p, day, drop)
            next_ndt = day + dt.timedelta(days=rng.randint(26, 45) if rng.random() < 0.8 else rng.randint(60, 100))
        if day >= next_sw and assessing and not plan.get("no_swemwbs"):
            drop = rng.choice(SWEMWBS_ITEMS) if rng.random() < 0.1 else None
            swemwbs_occasion(p, day, drop)
            next_sw = day + dt.timedelta(days=rng.randint(80, 110))
        if day >= next_rel and assessing and not plan.get("no_relational"):
            relational_occasion(p, day, partial=rng.random() < 0.1)
            next_rel = day + dt.timedelta(days=rng.randint(85, 100))

        # Goals.
        if goals_set < plan.get("goals", 2) and day >= start + dt.timedelta(days=14 + 20 * goals_set):
            set_goal(p, day)
            goals_set += 1
        if day >= next_goal_review and p.goals:
            review_goals(p, day, close_ok=day > start + dt.timedelta(days=120))
            next_goal_review = day + dt.timedelta(days=rng.randint(55, 80))

        # Needs met as things improve; new needs now and then.
        if rng.random() < 0.05 + p.wellness * 0.1:
            open_measures = [m for m in sorted(p.open_needs) if p.open_needs[m]]
            if open_measures:
                meet_need(p, day, rng.choice(open_measures))
        if rng.random() < 0.02:
            open_need(p, day, rng.choice(sorted(NEEDS)))

        # Hard milestones.
        for measure, when, text in plan.get("milestones", []):
            if when == day.isoformat()[:7] and measure not in p.done_milestones:
                p.done_milestones.add(measure)
                start_milestone(p, day, measure, text)
        for measure, when, text in plan.get("milestone_ends", []):
            if when == day.isoformat()[:7] and (measure, "end") not in p.done_milestones:
                p.done_milestones.add((measure, "end"))
                end_milestone(p, day, measure, text)

        if notes < 3 and rng.random() < (0.12 if notes == 0 else 0.04):
            p.add(day, "note", status="shareable", text=rng.choice(SHAREABLE_NOTES))
            notes += 1

        if plan.get("personal_outcomes") and day.month in (3, 9) and day.day <= 7:
            for measure in PERSONAL_OUTCOMES:
                status = ("achieved" if p.wellness > 0.6 else
                          "partly_achieved" if p.wellness > 0.3 else
                          rng.choice(["not_achieved", "not_a_priority"]))
                p.add(day, "status", "personal-outcomes", measure, status=status)

        day += dt.timedelta(days=rng.randint(5, 10))


def person_plan(index, rng):
    """A fixed plan per person so that every case the reports need is present."""
    plan = {"goals": rng.choice([1, 2, 2, 3])}
    # Staggered enrolments: half the caseload is there at the start of the year.
    if index < 20:
        plan["start"] = START + dt.timedelta(days=rng.randint(0, 25))
    elif index < 38:
        plan["start"] = START + dt.timedelta(days=30 + (index - 20) * 14 + rng.randint(0, 8))
    else:  # the newest referrals, in the last two months
        plan["start"] = dt.date(2026, 9, 8) if index == 38 else dt.date(2026, 10, 6)
    plan["episodes"] = []  # (exit reason, exit date, re-enrol date or None)

    exits = {
        2: ("disengaged", "2026-02-20", "2026-05-11"),
        5: ("prison", "2026-03-14", "2026-07-02"),
        8: ("moved_to_other_support", "2026-06-19", None),
        11: ("no_longer_requires_support", "2026-09-25", None),
        14: ("hospital", "2026-01-28", "2026-03-09"),
        17: ("disengaged", "2026-04-22", "2026-08-17"),
        19: ("moved_out_of_area", "2026-07-10", None),
        22: ("excluded", "2026-04-03", "2026-07-06"),
        25: ("deceased", "2026-08-06", None),
        27: ("no_longer_requires_support", "2026-10-09", None),
        29: ("unknown", "2026-06-30", "2026-10-12"),
        31: ("disengaged", "2026-05-29", "2026-09-14"),
        34: ("other", "2026-09-04", None),
    }
    if index in exits:
        reason, date, back = exits[index]
        plan["exit"] = (reason, dt.date.fromisoformat(date),
                        dt.date.fromisoformat(back) if back else None)

    # Missing data on purpose: no baseline (late first assessment) or no assessment at all.
    if index in (6, 23, 33):
        plan["ndt_delay"] = 110 + index
    if index in (12, 36):
        plan["no_ndt"] = True
    if index in (36, 39):  # nothing assessed yet: no baseline at all
        plan["no_ndt"] = plan["no_swemwbs"] = plan["no_relational"] = True
    if index in (13, 21):  # assessments lapsed: overdue for review
        plan["stop_assessing"] = dt.date(2026, 6, 30)
    if index in (3, 24, 38):
        plan["no_swemwbs"] = True
    if index in (9, 30):
        plan["sw_delay"] = 150
    if index in (15, 37):
        plan["no_attributes"] = True
    if index == 0:
        plan["age"] = "18-24"
    if index % 4 == 1:
        plan["personal_outcomes"] = True
    # Slower and faster journeys.
    if index % 7 == 3:
        plan["pace"] = 0.3
        plan["crisis_rate"] = 0.06
    if index % 5 == 0:
        plan["pace"] = 1.8

    # Hard milestones (month of the event).
    ms, ends = [], []
    if index in (0, 4, 7, 10, 13, 16, 20, 26):
        month = ["2026-01", "2026-02", "2026-03", "2026-04", "2026-02", "2026-03", "2026-05",
                 "2026-08"][[0, 4, 7, 10, 13, 16, 20, 26].index(index)]
        ms.append(("housing_stability", month, "Signed for a council flat"))
    if index == 16:
        ends.append(("housing_stability", "2026-06", "Abandoned the flat after threats from a neighbour"))
    if index in (1, 9):
        ms.append(("volunteering", "2026-04", "Helping at the community garden on Wednesdays"))
    if index == 9:
        ends.append(("volunteering", "2026-07", "Stopped when the garden closed for the summer"))
    if index in (4, 18):
        ms.append(("education_training", "2026-05", "Started the food hygiene course"))
    if index == 18:
        ends.append(("education_training", "2026-09", "Finished the course, certificate in hand"))
    if index == 10:
        ms.append(("paid_employment", "2026-03", "Part-time job at the warehouse"))
    if index == 21:
        ms.append(("paid_employment", "2026-07", "Kitchen porter job"))
        ends.append(("paid_employment", "2026-09", "Let go after the summer rush"))
    if index in (3, 13, 28):
        ms.append(("completed_treatment", "2026-06", "Completed the community detox programme"))
    if index == 5:
        ms.append(("reduced_reoffending", "2026-10", "No new offences since release, keeping to licence conditions"))
    if index in (0, 7):
        ms.append(("literacy_numeracy", "2026-07", "Passed Entry Level 3 English"))
    if index in (11, 24):
        ms.append(("health_improvement", "2026-05", "Leg ulcer healed"))
    plan["milestones"], plan["milestone_ends"] = ms, ends
    return plan


def main():
    rng = random.Random(SEED)
    rows = []
    for index in range(PEOPLE):
        ref = f"P{index + 1:03d}"
        prng = random.Random(SEED * 100 + index)
        plan = person_plan(index, prng)
        p = Person(ref, prng)
        start = plan["start"]
        if "exit" in plan:
            reason, exit_date, back = plan["exit"]
            simulate_episode(p, start, exit_date, True, plan)
            p.add(exit_date, "exit", status=reason, text=EXIT_TEXT[reason])
            if back:
                p.engage = clamp(p.engage + 0.1, 0.1, 0.95)
                simulate_episode(p, back, END + dt.timedelta(days=1), False, plan)
        else:
            simulate_episode(p, start, END + dt.timedelta(days=1), True, plan)
        rows.extend(p.rows)
    del rng

    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["person", "date", "kind", "framework", "measure", "value", "status", "text",
                  "by", "ref"])
    for n, (_, _, _, fields) in enumerate(rows, start=1):
        out.writerow(fields + [f"bridges-{n:05d}"])


if __name__ == "__main__":
    main()
