#!/usr/bin/env python3
"""Writes countries.json: every ISO 3166-1 country (pycountry's data) with its names, and its telephone
numbering (libphonenumber's metadata, through the phonenumbers package): calling code, national (trunk)
prefix, and each kind of number's lengths and pattern (fixed line, mobile, toll free, ...). Run: pip install pycountry phonenumbers; python3 generate.py
"""
import json
import os

import phonenumbers
import pycountry
from phonenumbers import PhoneMetadata

countries = []
for country in pycountry.countries:
    names = {country.name}
    for attribute in ("common_name", "official_name"):
        if hasattr(country, attribute):
            names.add(getattr(country, attribute))
    entry = {"alpha2": country.alpha_2, "alpha3": country.alpha_3, "names": sorted(names)}
    metadata = PhoneMetadata.metadata_for_region(country.alpha_2)
    if metadata is not None and metadata.general_desc.national_number_pattern:
        prefix = metadata.national_prefix if metadata.national_prefix and metadata.national_prefix.isdigit() else None
        # A number is valid when it matches one of the kinds of numbers (as libphonenumber's
        # is_valid_number has it), each with its own lengths and pattern.
        kinds = []
        for kind in ("fixed_line", "mobile", "toll_free", "premium_rate", "shared_cost", "personal_number", "voip", "pager", "uan", "voicemail"):
            desc = getattr(metadata, kind)
            if desc is None or not desc.national_number_pattern:
                continue
            lengths = desc.possible_length if desc.possible_length and desc.possible_length != (-1,) else metadata.general_desc.possible_length
            kinds.append({"lengths": sorted(set(lengths)), "pattern": desc.national_number_pattern})
        entry["phone"] = {"code": metadata.country_code, "trunk": prefix, "kinds": kinds}
    countries.append(entry)

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "countries.json"), "w") as file:
    json.dump({"source": f"pycountry {pycountry.__version__ if hasattr(pycountry, '__version__') else ''}, phonenumbers {phonenumbers.__version__}", "countries": countries}, file, ensure_ascii=False, separators=(",", ":"))
print(len(countries), "countries")
