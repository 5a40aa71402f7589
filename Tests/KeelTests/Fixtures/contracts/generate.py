#!/usr/bin/env python3
"""Generates intake.jsonl: 1,000 claim records as upstream systems send them, with the mess real intake data
brings, and expected.jsonl: for each, the status the contract in contract.yaml must give and the normalised
values field by field. Every expected value is the ground truth the record was rendered from, never Keel's
output: dates, amounts and phone numbers are drawn first and then written in one of many formats (phone numbers
by libphonenumber's own formatting). Run: pip install phonenumbers; python3 generate.py
"""
import datetime
import json
import os
import random

import phonenumbers
from phonenumbers import PhoneNumberFormat

HERE = os.path.dirname(os.path.abspath(__file__))
TODAY = datetime.date(2026, 6, 1)
random.seed(20261201)

# Countries: code, names a record may use, currency, whether dates are written month first.
COUNTRIES = [
    ("GB", ["GB", "GBR", "United Kingdom", "UK", "great britain", "England"], "GBP", False),
    ("DE", ["DE", "DEU", "Germany", "Deutschland", "germany "], "EUR", False),
    ("FR", ["FR", "FRA", "France", "france"], "EUR", False),
    ("ES", ["ES", "ESP", "Spain", "España", "Espana"], "EUR", False),
    ("IT", ["IT", "ITA", "Italy", "Italia"], "EUR", False),
    ("NL", ["NL", "NLD", "Netherlands", "Holland", "The Netherlands"], "EUR", False),
    ("US", ["US", "USA", "United States", "U.S.A.", "united states of america"], "USD", True),
    ("PH", ["PH", "PHL", "Philippines"], "PHP", True),
    ("CA", ["CA", "CAN", "Canada"], "CAD", False),
    ("AU", ["AU", "AUS", "Australia"], "AUD", False),
    ("IN", ["IN", "IND", "India"], "INR", False),
    ("BR", ["BR", "BRA", "Brazil", "Brasil"], "BRL", False),
    ("JP", ["JP", "JPN", "Japan"], "JPY", False),
    ("CH", ["CH", "CHE", "Switzerland", "Schweiz"], "CHF", False),
    ("PL", ["PL", "POL", "Poland", "Polska"], "PLN", False),
    ("RU", ["RU", "RUS", "Russia", "Russian Federation"], "RUB", False),
    ("IR", ["IR", "IRN", "Iran"], "EUR", False),
]
SYMBOL = {"GBP": "£", "EUR": "€", "USD": "$", "PHP": "₱", "CAD": "C$", "AUD": "A$", "INR": "₹", "BRL": "R$", "JPY": "¥",
          "CHF": "CHF ", "PLN": "zł", "RUB": "₽"}
FIRST = ["anna", "JOHN", "Émile", "zoë", "María José", "o'brien", "Li", "Ngozi", "Søren", "Élodie", "Ravi", "Kenji", "Olga", "Ahmed"]
LAST = ["smith", "MÜLLER", "García", "de la Cruz", "Nakamura", "Kowalski", "Rossi", "Okafor", "van Dijk", "Dubois", "Patel"]
SEGMENTS = {"vip": ["Gold", "gold ", "G", "Platinum", "PLAT"], "standard": ["Standard", "std", "S", " standard"], "basic": ["Basic", "B", "bas"]}
V1_SEGMENTS = {"vip": "1", "standard": "2", "basic": "3"}
NOTES = ["Windscreen cracked on the motorway", "Customer disputes the first assessment", "Water damage in the kitchen",
         "Possible fraud flagged by the branch", "Bike stolen outside the station", "Hail damage to the roof", "Lost luggage"]
INVISIBLE = ["\u200b", "\u200d", "\ufeff", "\u00ad", "\u2060"]
NULLS = ["N/A", "n/a", "-", "", "  ", "null", "NONE"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]


def messy_text(text):
    roll = random.random()
    if roll < 0.15:
        position = random.randint(0, len(text))
        text = text[:position] + random.choice(INVISIBLE) + text[position:]
    elif roll < 0.25:
        text = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)  # full-width forms
    if random.random() < 0.3:
        text = random.choice([" ", "  ", "\t", "\u00a0"]) + text + random.choice([" ", "", "\u00a0 "])
    return text


def draw_phone(country):
    example = phonenumbers.example_number_for_type(country, phonenumbers.PhoneNumberType.MOBILE)
    national = str(example.national_number)
    # Vary the subscriber digits, keeping the number valid.
    for _ in range(50):
        digits = national[:-4] + "".join(random.choice("0123456789") for _ in range(4))
        number = phonenumbers.parse("+" + str(example.country_code) + digits)
        if phonenumbers.is_valid_number(number):
            return number
    return example


def write_phone(number, country_known):
    formats = [PhoneNumberFormat.INTERNATIONAL, PhoneNumberFormat.E164]
    if country_known:
        formats += [PhoneNumberFormat.NATIONAL, PhoneNumberFormat.NATIONAL]
    written = phonenumbers.format_number(number, random.choice(formats))
    roll = random.random()
    if written.startswith("+") and roll < 0.25:
        written = "00" + written[1:]
    elif roll < 0.4:
        written = written.replace(" ", random.choice(["-", ".", " "]))
    if random.random() < 0.08:
        written += random.choice([" ext. 12", " x204", " ext 7"])
    return written


def write_date(day, month_first, two_digit=False):
    year = f"{day.year % 100:02d}" if two_digit else str(day.year)
    first, second = (day.month, day.day) if month_first else (day.day, day.month)
    styles = [
        lambda: f"{first:02d}/{second:02d}/{year}",
        lambda: f"{first}/{second}/{year}",
        lambda: f"{first:02d}.{second:02d}.{year}",
        lambda: f"{first:02d}-{second:02d}-{year}",
    ]
    if not two_digit:
        styles += [
            lambda: day.isoformat(),
            lambda: day.strftime("%Y%m%d"),
            lambda: f"{day.day} {MONTHS[day.month - 1]} {day.year}",
            lambda: f"{MONTHS[day.month - 1]} {day.day}, {day.year}",
            lambda: f"{day.day}-{MONTHS[day.month - 1][:3]}-{day.year}",
            lambda: day.isoformat() + "T09:30:00Z",
        ]
    return random.choice(styles)()


def write_amount(value, currency, locale):
    whole, cents = divmod(round(value * 100), 100)
    grouped = f"{whole:,}"
    if locale == "eu":
        number = grouped.replace(",", ".") + f",{cents:02d}"
    elif locale == "space":
        number = grouped.replace(",", "\u00a0") + f",{cents:02d}"
    elif locale == "swiss":
        number = grouped.replace(",", "'") + f".{cents:02d}"
    else:
        number = grouped + f".{cents:02d}"
    style = random.random()
    if style < 0.35:
        return SYMBOL[currency] + number
    if style < 0.6:
        return number + " " + currency
    if style < 0.75:
        return currency + " " + number
    if style < 0.85:
        return number + " " + SYMBOL[currency].strip()
    return number


# The route's risk policy (keel.yaml), computed from the ground truth.
EUR_RATES = {"EUR": 1, "USD": 0.92, "GBP": 1.17, "PHP": 0.016, "CAD": 0.68, "AUD": 0.61, "INR": 0.011, "BRL": 0.17, "JPY": 0.0061,
             "CHF": 1.05, "PLN": 0.23, "RUB": 0.0098}


def tier(truth):
    amount_eur = truth["amount"] * EUR_RATES[truth["currency"]]
    if amount_eur >= 10000 or (truth["segment"] == "vip" and amount_eur >= 5000) or truth["country"] in ("RU", "IR", "KP"):
        return "high"
    if "dispute" in truth["note"].lower() or "fraud" in truth["note"].lower() or amount_eur >= 2000:
        return "medium"
    return "low"


records, expected = [], []
accepted_keys = set()
for index in range(1000):
    rid = f"rec_{index:04d}"
    code, names, currency, month_first = random.choice(COUNTRIES)
    customer = f"C{random.randint(10000, 99999)}"
    claim = f"CL-{random.randint(100000, 999999)}"
    name = f"{random.choice(FIRST)} {random.choice(LAST)}"
    segment = random.choice(list(SEGMENTS))
    claim_day = TODAY - datetime.timedelta(days=random.randint(1, 900))
    age = random.randint(19, 90)
    birth_day = datetime.date(TODAY.year - age, random.randint(1, 12), random.randint(1, 28))
    if (birth_day.month, birth_day.day) > (TODAY.month, TODAY.day):
        age -= 1
    value = round(random.choice([random.uniform(20, 900), random.uniform(900, 9000), random.uniform(9000, 60000)]), 2)
    phone = draw_phone(code)
    note = random.choice(NOTES)
    email = f"{name.split()[0].lower().replace(' ', '')}.{customer.lower()}@example.com"

    truth = {
        "customer_id": customer, "claim_id": claim, "name": " ".join(w.capitalize() for w in name.lower().split()),
        "email": email, "country": code, "phone": phonenumbers.format_number(phone, PhoneNumberFormat.E164),
        "amount": value, "currency": currency, "claim_date": claim_day.isoformat(), "birth_date": birth_day.isoformat(),
        "segment": segment, "note": note, "schema_version": 2,
    }
    status, problems = "accepted", []

    old = random.random() < 0.15  # a record of the old schema (version 1)
    country_written = random.choice(names)
    record = {}
    if old:
        record = {
            "schema_version": random.choice([1, "1"]), "cust": customer, "claim_id": claim, "cust_name": messy_text(name),
            "email": email, "country": country_written, "tel": write_phone(phone, True),
            "amt": write_amount(value, currency, "us"), "currency": currency,
            "claim_date": claim_day.strftime("%m/%d/%Y"), "dob": birth_day.strftime("%Y%m%d"),
            "seg": V1_SEGMENTS[segment], "note": note,
        }
    else:
        locale = random.choice(["us", "eu", "space", "swiss"])
        record = {
            "customer_id": messy_text(customer), "claim_id": claim, "name": messy_text(name),
            "email": messy_text(email.upper() if random.random() < 0.2 else email), "country": messy_text(country_written),
            "phone": write_phone(phone, True), "amount": write_amount(value, currency, locale),
            "claim_date": write_date(claim_day, month_first), "segment": random.choice(SEGMENTS[segment]), "note": note,
        }
        if random.random() < 0.3:
            record["birth_date"] = write_date(birth_day, month_first, two_digit=True)
        else:
            record["birth_date"] = write_date(birth_day, month_first)
        # The currency is in a field of its own, or named by the amount's symbol or code, or both.
        bare = not any(ch.isalpha() or ch in "$€£¥₹₽₱" for ch in record["amount"])
        if bare or random.random() < 0.6:
            record["currency"] = random.choice([currency, currency.lower(), f" {currency}"])
        if random.random() < 0.4:
            record["schema_version"] = 2

    # Mess that the contract absorbs: a missing email or phone, null markers.
    mess = random.random()
    email_key = "email"
    if mess < 0.06:
        record[email_key] = random.choice(NULLS)
        truth["email"] = None
    elif mess < 0.1:
        record.pop(email_key, None)
        truth["email"] = None

    # Mess that quarantines or rejects: one fault a record at most, so that the expectation is exact.
    fault = random.random()
    amount_key = "amt" if old else "amount"
    if 0.045 <= fault < 0.065 or 0.095 <= fault < 0.11:
        # The amount goes wrong or missing: the currency stays known, by its own field.
        record["currency"] = currency
    if fault < 0.025:
        record["phone" if not old else "tel"] = "12345"
        status, problems = "quarantined", ["/phone"]
    elif fault < 0.045:
        record["country"] = random.choice(["Atlantis", "Narnia", "XX"])
        # Without a country a national number cannot be read: the number is written internationally.
        record["tel" if old else "phone"] = phonenumbers.format_number(phone, PhoneNumberFormat.INTERNATIONAL)
        status, problems = "quarantined", ["/country"]
    elif fault < 0.065:
        record[amount_key] = random.choice(["about a hundred", "12,34,56", "€"])
        status, problems = "quarantined", ["/amount"]
    elif fault < 0.08 and not old:
        record["amount"] = "€" + f"{value:,.2f}"
        record["currency"] = "USD" if currency != "USD" else "GBP"
        status, problems = "quarantined", ["/amount"]
    elif fault < 0.095 and not old:
        record["claim_date"] = random.choice(["31/02/2024", "2024-13-01", "sometime in May"])
        status, problems = "quarantined", ["/claim_date"]
    elif fault < 0.11:
        record.pop(amount_key, None)
        status, problems = "quarantined", ["/amount"]
    elif fault < 0.12:
        record.pop("cust" if old else "customer_id", None)
        status, problems = "rejected", ["/customer_id"]
    elif fault < 0.125:
        record["schema_version"] = 7
        status, problems = "quarantined", ["/schema_version"]

    payload = record
    if random.random() < 0.1:
        payload = json.dumps(record, ensure_ascii=random.random() < 0.5)  # a string holding JSON
    line = {"id": rid, "payload": payload, "source": random.choice(["crm", "branch", "partner-api"])}
    key = (customer, claim)
    if status == "accepted":
        if key in accepted_keys:
            status, problems = "rejected", [""]
        accepted_keys.add(key)
    records.append(line)
    expected.append({"id": rid, "status": status, "fields": problems, "normalized": truth if status == "accepted" else None,
                     "tier": tier(truth) if status == "accepted" else None})

    # Resends: the same record again under the same business key, now and then reformatted.
    if status == "accepted" and random.random() < 0.04 and len(records) < 1000:
        resend = dict(record)
        resend["note"] = note
        records.append({"id": rid + "-again", "payload": resend})
        expected.append({"id": rid + "-again", "status": "rejected", "fields": [""], "normalized": None, "tier": None})
    if len(records) >= 1000:
        break

records, expected = records[:1000], expected[:1000]
with open(os.path.join(HERE, "intake.jsonl"), "w") as file:
    for line in records:
        file.write(json.dumps(line, ensure_ascii=False) + "\n")
with open(os.path.join(HERE, "expected.jsonl"), "w") as file:
    for line in expected:
        file.write(json.dumps(line, ensure_ascii=False) + "\n")
counts = {}
for line in expected:
    counts[line["status"]] = counts.get(line["status"], 0) + 1
print(len(records), "records", counts)
