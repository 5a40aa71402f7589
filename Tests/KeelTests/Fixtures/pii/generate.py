"""Generates corpus.jsonl: 1,000 support and intake messages with known PII and hard look-alikes.

Each line is {"id", "text", "spans": [{"start", "end", "type"}]}, offsets in Unicode code points
(Python string indices). Types: email, phone, card, iban, ssn, nino, ipv4, ipv6, secret. The
look-alikes (order and tracking numbers, checksum-failing IBANs and cards, UUIDs, hashes, versions,
invalid SSN areas and NINO prefixes, prices, timestamps, ISBNs, out-of-range addresses) carry no
span: a detector that flags them loses precision.

Phone numbers are drawn and checked with the `phonenumbers` package (Google's libphonenumber), so
every one is valid for its country. Run with a Python that has it:

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install phonenumbers
    /tmp/venv/bin/python generate.py > corpus.jsonl
"""

import json
import random
import string

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType

rng = random.Random(20261201)

FIRST = ["anna", "james", "li", "sofia", "mohammed", "olga", "pierre", "yuki", "carlos", "aisha", "lars", "priya", "tom", "ines", "noah"]
LAST = ["smith", "müller", "wang", "garcia", "okafor", "ivanova", "dubois", "tanaka", "silva", "khan", "nielsen", "patel", "brown", "costa"]
DOMAINS = ["gmail.com", "example.co.uk", "uni-heidelberg.de", "mail.acme-corp.io", "outlook.fr", "proton.me", "company.com.br", "startup.ai"]


def ascii_name(name):
    return name.replace("ü", "ue").replace("ö", "oe").replace("ä", "ae")


def email():
    first, last = ascii_name(rng.choice(FIRST)), ascii_name(rng.choice(LAST))
    local = rng.choice([f"{first}.{last}", f"{first}{rng.randint(1, 99)}", f"{first[0]}{last}", f"{first}_{last}", f"{first}+billing", f"{last}.{first}"])
    address = f"{local}@{rng.choice(DOMAINS)}"
    return address.upper() if rng.random() < 0.05 else address


REGIONS = ["US", "GB", "DE", "FR", "IN", "JP", "BR", "AU", "ES", "IT", "NL", "CA", "MX", "ZA", "SE"]


def phone():
    region = rng.choice(REGIONS)
    kind = rng.choice([PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE])
    example = phonenumbers.example_number_for_type(region, kind) or phonenumbers.example_number(region)
    digits = str(example.national_number)
    for _ in range(200):
        # Keep the leading digits (they carry the area or mobile prefix), vary the rest.
        keep = min(len(digits) - 3, 4)
        candidate = digits[:keep] + "".join(rng.choice(string.digits) for _ in range(len(digits) - keep))
        number = phonenumbers.parse("+" + str(example.country_code) + candidate)
        if phonenumbers.is_valid_number(number):
            break
    else:
        number = example
    style = rng.random()
    if style < 0.45:
        text = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
    elif style < 0.6:
        text = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    elif style < 0.7:
        text = "00" + phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)[1:]
    else:
        # National format: readable as a phone number only with a context word, which the templates give.
        text = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    return text


def luhn_digit(partial):
    total = 0
    for index, char in enumerate(reversed(partial)):
        digit = int(char)
        if index % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return str((10 - total % 10) % 10)


def card_number(valid=True):
    prefix, length = rng.choice([("4", 16), ("51", 16), ("55", 16), ("2221", 16), ("34", 15), ("37", 15), ("6011", 16), ("65", 16), ("4", 13), (str(rng.randint(3528, 3589)), 16)])
    body = prefix + "".join(rng.choice(string.digits) for _ in range(length - len(prefix) - 1))
    check = luhn_digit(body)
    if not valid:
        check = str((int(check) + rng.randint(1, 9)) % 10)
    return body + check


def card():
    number = card_number()
    style = rng.random()
    if len(number) == 15 and style < 0.6:
        return f"{number[:4]} {number[4:10]} {number[10:]}"
    if style < 0.45:
        return " ".join(number[i:i + 4] for i in range(0, len(number), 4))
    if style < 0.7:
        return "-".join(number[i:i + 4] for i in range(0, len(number), 4))
    return number


IBAN_FORMATS = {
    "DE": "n18", "GB": "a4n14", "FR": "n23", "NL": "a4n10", "ES": "n20", "IT": "a1n22", "BE": "n12", "CH": "n17", "AT": "n16", "PL": "n24",
    "IE": "a4n14", "PT": "n21", "SE": "n20", "DK": "n14", "NO": "n11",
}


def iban_checksum(country, bban):
    rearranged = bban + country + "00"
    numeric = "".join(str(int(char, 36)) for char in rearranged)
    return f"{98 - int(numeric) % 97:02d}"


def iban(valid=True):
    country = rng.choice(list(IBAN_FORMATS))
    bban = ""
    spec = IBAN_FORMATS[country]
    index = 0
    while index < len(spec):
        kind = spec[index]
        index += 1
        count = ""
        while index < len(spec) and spec[index].isdigit():
            count += spec[index]
            index += 1
        alphabet = string.ascii_uppercase if kind == "a" else string.digits
        bban += "".join(rng.choice(alphabet) for _ in range(int(count)))
    check = iban_checksum(country, bban)
    if not valid:
        check = f"{(int(check) + rng.randint(1, 50)) % 97 + 2:02d}"
        if check == iban_checksum(country, bban):
            check = f"{(int(check) + 1) % 97 + 2:02d}"
    value = country + check + bban
    if rng.random() < 0.6:
        return " ".join(value[i:i + 4] for i in range(0, len(value), 4))
    return value


def ssn(valid=True):
    if valid:
        area = rng.choice([rng.randint(1, 665), rng.randint(667, 899)])
        group, serial = rng.randint(1, 99), rng.randint(1, 9999)
    else:
        area = rng.choice([0, 666, rng.randint(900, 999)])
        group, serial = rng.randint(1, 99), rng.randint(1, 9999)
    separator = rng.choice(["-", "-", "-", " "])
    return f"{area:03d}{separator}{group:02d}{separator}{serial:04d}"


NINO_FIRST = [c for c in string.ascii_uppercase if c not in "DFIQUV"]
NINO_SECOND = [c for c in string.ascii_uppercase if c not in "DFIQUVO"]
NINO_BAD = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}


def nino(valid=True):
    while True:
        prefix = rng.choice(NINO_FIRST) + rng.choice(NINO_SECOND)
        if valid and prefix not in NINO_BAD:
            break
        if not valid:
            prefix = rng.choice(["BG", "GB", "QQ", "DA", "FO", "NK", "TN"])
            break
    digits = "".join(rng.choice(string.digits) for _ in range(6))
    suffix = rng.choice("ABCD")
    if rng.random() < 0.5:
        return f"{prefix} {digits[:2]} {digits[2:4]} {digits[4:]} {suffix}"
    return f"{prefix}{digits}{suffix}"


def ipv4():
    first = rng.choice([rng.randint(1, 9), rng.randint(11, 126), rng.randint(128, 223)])
    return ".".join(str(part) for part in [first, rng.randint(0, 255), rng.randint(0, 255), rng.randint(1, 254)])


def ipv6():
    groups = [f"{rng.randint(0, 0xFFFF):x}" for _ in range(8)]
    groups[0] = rng.choice(["2001", "2a02", "fe80", "2600", "2c0f"])
    style = rng.random()
    if style < 0.4:
        return ":".join(groups)
    if style < 0.8:
        start = rng.randint(1, 5)
        length = rng.randint(2, 8 - start)
        return ":".join(groups[:start]) + "::" + ":".join(groups[start + length:])
    return groups[0] + ":db8::" + groups[7]


def token(alphabet, count):
    return "".join(rng.choice(alphabet) for _ in range(count))


ALNUM = string.ascii_letters + string.digits


def secret():
    kind = rng.random()
    if kind < 0.2:
        return "sk-" + rng.choice(["", "proj-"]) + token(ALNUM, 48)
    if kind < 0.35:
        return "AKIA" + token(string.ascii_uppercase + string.digits, 16)
    if kind < 0.5:
        return "ghp_" + token(ALNUM, 36)
    if kind < 0.6:
        return f"xoxb-{rng.randint(10**10, 10**11)}-{rng.randint(10**11, 10**12)}-{token(ALNUM, 24)}"
    if kind < 0.7:
        return "sk_live_" + token(ALNUM, 24)
    if kind < 0.8:
        return "glpat-" + token(ALNUM + "-_", 20)
    if kind < 0.9:
        return "AIza" + token(ALNUM + "-_", 35)
    return token(ALNUM + "!#%*", 24)


# Look-alikes: strings shaped like PII that are not, each in a sentence that reads naturally.
def lookalike():
    kind = rng.randrange(16)
    if kind == 0:
        return f"Your order #{card_number(valid=False)} has shipped."
    if kind == 1:
        return f"Tracking number 1Z{token(string.ascii_uppercase + string.digits, 16)}."
    if kind == 2:
        return f"The transfer to {iban(valid=False)} bounced: the account number is wrong."
    if kind == 3:
        return f"Request id {'-'.join([token('0123456789abcdef', n) for n in (8, 4, 4, 4, 12)])} failed."
    if kind == 4:
        return f"Fixed in commit {token('0123456789abcdef', 40)}."
    if kind == 5:
        return f"The checksum is {token('0123456789abcdef', 64)}."
    if kind == 6:
        return f"Please upgrade to version {rng.randint(1, 20)}.{rng.randint(0, 30)}.{rng.randint(0, 99)}."
    if kind == 7:
        return f"Reference {ssn(valid=False)} is not on file."
    if kind == 8:
        return f"Form code {nino(valid=False)} is retired."
    if kind == 9:
        return f"It costs ${rng.randint(1, 99)},{rng.randint(100, 999)}.{rng.randint(10, 99)} per year."
    if kind == 10:
        return f"Logged at {rng.randint(1_600_000_000, 1_800_000_000)} (unix time)."
    if kind == 11:
        return f"ISBN 978-{rng.randint(0, 9)}-{rng.randint(10, 99)}-{rng.randint(100000, 999999)}-{rng.randint(0, 9)}."
    if kind == 12:
        return f"The value {rng.randint(256, 999)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(0, 255)} is out of range."
    if kind == 13:
        return f"Build {rng.randint(2020, 2026)}.{rng.randint(1, 12)}.{rng.randint(1, 28)}.{rng.randint(1, 9)} is green."
    if kind == 14:
        return f"Invoice INV-{rng.randint(2020, 2026)}-{rng.randint(10000, 99999)} is due on {rng.randint(2024, 2026)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}."
    return f"Call the office between {rng.randint(8, 11)}:00 and {rng.randint(12, 18)}:30, room {rng.randint(100, 999)}."


TEMPLATES = {
    "email": ["You can reach me at {}.", "Send the invoice to {} please.", "My email changed to {} last week.", "cc: {}"],
    "phone": ["Call me at {} after five.", "My phone number is {}.", "Tel: {}", "Please ring {} if the parcel is late.", "mobile {}"],
    "card": ["I paid with card {} yesterday.", "The charge on my credit card {} is wrong.", "Card number: {}", "Refund it to {} please."],
    "iban": ["Please wire it to IBAN {}.", "My account is {}.", "Bank details: {}", "Pay the refund into {}."],
    "ssn": ["My SSN is {}.", "Social security number {} for the claim.", "SSN: {}"],
    "nino": ["My national insurance number is {}.", "NI number {} for payroll.", "NINO: {}"],
    "ipv4": ["The login came from {}.", "Blocked IP {} after five attempts.", "Server {} is down."],
    "ipv6": ["The request came from {}.", "Our IPv6 address is {}.", "Whitelist {} please."],
    "secret": ["I pasted my key {} by mistake, please rotate it.", "api_key={}", "Here is the token: {}", "password: {}"],
}
GENERATORS = {"email": email, "phone": phone, "card": card, "iban": iban, "ssn": ssn, "nino": nino, "ipv4": ipv4, "ipv6": ipv6, "secret": secret}
FILLER = [
    "Hi team,", "Hello,", "Thanks for the quick reply.", "The app crashed again this morning.", "I've been a customer for six years.",
    "Can you look into this today?", "Regards, A.", "This is the third time I write.", "Merci !", "Best wishes from Lisbon.",
    "The package arrived damaged.", "I want to cancel my subscription.", "Ich warte seit zwei Wochen.", "See the attached screenshot.",
]


def message(index):
    parts = []
    spans = []
    text = ""

    def add(fragment, value=None, kind=None):
        nonlocal text
        if text:
            text += " "
        if value is None:
            text += fragment
            return
        before, after = fragment.split("{}")
        start = len(text) + len(before)
        text += before + value + after
        spans.append({"start": start, "end": start + len(value), "type": kind})

    if rng.random() < 0.7:
        add(rng.choice(FILLER))
    roll = rng.random()
    pii_count = 0 if roll < 0.2 else 1 if roll < 0.7 else 2 if roll < 0.92 else 3
    pieces = [("pii", rng.choice(list(GENERATORS))) for _ in range(pii_count)]
    pieces += [("lookalike", None) for _ in range(rng.choice([0, 0, 1, 1, 2]) if pii_count else rng.choice([1, 2]))]
    rng.shuffle(pieces)
    for role, kind in pieces:
        if role == "pii":
            add(rng.choice(TEMPLATES[kind]), GENERATORS[kind](), kind)
        else:
            add(lookalike())
    if rng.random() < 0.5:
        add(rng.choice(FILLER))
    return {"id": f"m{index:04d}", "text": text, "spans": spans}


for index in range(1000):
    print(json.dumps(message(index), ensure_ascii=False))
