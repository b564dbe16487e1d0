"""Sample directory exports: Entra ID "Download users" and Intune "All devices" CSVs.

Real exports cannot be shipped, so tests, benchmarks and the README walk use
these. They carry the real header sets of both Entra ID generations (the new
admin centre's ``id``/``officeLocation``/``mobilePhone`` and the older
``objectId``/``physicalDeliveryOfficeName``/``mobile``) and the Intune device
list's columns, and, with ``messy=True``, what real exports contain: empty
departments, mixed case, trailing spaces, a BOM, ``;`` separators,
``True``/``TRUE``/``true`` booleans, guests, disabled accounts, shared devices
without a primary user and devices running an OS we do not plan for.

The same arguments always give the same files.
"""

from __future__ import annotations

import csv
import random
import uuid
from pathlib import Path

#: The Entra ID admin centre's "Download users" header (current generation).
USERS_HEADER_NEW = (
    "id", "userPrincipalName", "displayName", "surname", "mail", "givenName", "userType",
    "jobTitle", "department", "accountEnabled", "usageLocation", "streetAddress", "state",
    "country", "officeLocation", "city", "postalCode", "telephoneNumber", "mobilePhone",
    "alternateEmailAddress", "ageGroup", "consentProvidedForMinor",
    "legalAgeGroupClassification", "companyName", "creationType", "directorySynced",
    "invitationState", "identityIssuer", "createdDateTime",
)
#: The older Azure AD portal's header for the same download.
USERS_HEADER_OLD = (
    "userPrincipalName", "displayName", "surname", "mail", "givenName", "objectId", "userType",
    "jobTitle", "department", "accountEnabled", "usageLocation", "streetAddress", "state",
    "country", "physicalDeliveryOfficeName", "city", "postalCode", "telephoneNumber", "mobile",
    "authenticationAlternativePhoneNumber", "alternateEmailAddress", "ageGroup",
    "consentProvidedForMinor", "legalAgeGroupClassification", "companyName", "creationType",
    "directorySynced", "invitationState", "identityIssuer", "createdDateTime",
)
#: Intune admin centre, Devices > All devices > Export.
DEVICES_HEADER = (
    "Device ID", "Device name", "Enrollment date", "Last check-in", "Azure AD Device ID",
    "OS version", "Azure AD registered", "Serial number", "Manufacturer", "Model",
    "Compliance", "Managed by", "Ownership", "Device state", "Intune registered", "Supervised",
    "Encrypted", "OS", "Primary user UPN", "Primary user email address",
    "Primary user display name", "Category", "JoinType",
)

DEPARTMENTS = ("IT", "Sales", "Marketing", "Finance", "HR", "Legal", "R&D", "Operations",
               "Logistics", "Customer service", "Procurement", "Försäljning Norden")
#: city -> (country, offices)
CITIES = {
    "Stockholm": ("SE", ("HQ", "Kista")),
    "Göteborg": ("SE", ("Lindholmen",)),
    "Malmö": ("SE", ("Hyllie",)),
    "Oslo": ("NO", ("Fornebu",)),
    "Helsinki": ("FI", ("Keilaniemi",)),
    "London": ("GB", ("Canary Wharf",)),
}
TITLES = ("Specialist", "Analyst", "Engineer", "Coordinator", "Consultant", "Assistant",
          "Manager", "Developer", "Advisor", "Technician")
VIP_TITLES = ("VD", "CFO", "Director of Sales", "Head of Legal", "IT-chef", "Ekonomichef")
#: OS as the device list writes it -> share of primary devices
OSES = (("Windows", 0.62), ("iOS/iPadOS", 0.18), ("Android", 0.12), ("macOS", 0.07), ("Linux", 0.01))
OS_VERSIONS = {"Windows": "10.0.22631.4037", "iOS/iPadOS": "17.5.1", "Android": "14",
               "macOS": "14.6.1", "Linux": "22.04"}
FIRST = ("Anna", "Erik", "Maria", "Lars", "Karin", "Johan", "Sara", "Anders", "Emma", "Per",
         "Sofia", "Mikael", "Elin", "Nils", "Ida", "Oskar")
LAST = ("Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
        "Persson", "Svensson", "Gustafsson", "Lindberg", "Berg")


def _messy(rng: random.Random, text: str, messy: bool) -> str:
    """Mixed case and stray spaces, as hand-maintained directories have them."""
    if not messy or not text:
        return text
    r = rng.random()
    if r < 0.05:
        return text.upper()
    if r < 0.10:
        return text.lower()
    if r < 0.15:
        return text + "  "
    if r < 0.18:
        return " " + text
    return text


def _bool(rng: random.Random, value: bool, messy: bool) -> str:
    text = "True" if value else "False"
    if messy:
        return rng.choice((text, text.upper(), text.lower()))
    return text


def sample_users(n: int, seed: int = 0, *, messy: bool = True) -> list[dict[str, str]]:
    """``n`` directory users as {logical field: value}; about 3 % guests, 2 % disabled."""
    rng = random.Random(seed)
    users = []
    for i in range(n):
        dep = rng.choice(DEPARTMENTS)
        city = rng.choice(list(CITIES))
        country, offices = CITIES[city]
        guest = messy and rng.random() < 0.03
        enabled = not (messy and rng.random() < 0.02)
        vip = rng.random() < 0.005
        first, last = rng.choice(FIRST), rng.choice(LAST)
        if guest:
            upn = f"{first.lower()}.{last.lower()}_partner.example#EXT#@contoso.onmicrosoft.com"
        else:
            upn = f"{first.lower()}.{last.lower()}.{i}@contoso.example"
        users.append({
            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "upn": upn,
            "display": f"{first} {last}",
            "first": first,
            "last": last,
            "type": "Guest" if guest else "Member",
            "title": rng.choice(VIP_TITLES) if vip else rng.choice(TITLES),
            "department": "" if messy and rng.random() < 0.02 else _messy(rng, dep, messy),
            "enabled": _bool(rng, enabled, messy),
            "usage": country,
            "country": country,
            "office": _messy(rng, rng.choice(offices), messy),
            "city": _messy(rng, city, messy),
            "mobile": f"+46 70 {rng.randrange(1000000, 9999999)}",
            "company": "Contoso AB" if country == "SE" else f"Contoso {country}",
        })
    return users


def sample_devices(users: list[dict[str, str]], seed: int = 0, *, messy: bool = True) -> list[dict[str, str]]:
    """Devices for ``users``: most have one primary device, some two, about 8 % none."""
    rng = random.Random(seed + 1)
    names, shares = zip(*OSES)
    devices = []
    for u in users:
        r = rng.random()
        count = 0 if r < 0.08 else 2 if r > 0.85 else 1
        for _ in range(count):
            os_ = rng.choices(names, shares)[0]
            devices.append({"os": os_, "upn": _messy(rng, u["upn"], messy) if messy and rng.random() < 0.05
                            else u["upn"], "display": u["display"]})
    if messy:  # shared devices (kiosks, meeting rooms) have no primary user
        for _ in range(max(1, len(users) // 100)):
            devices.append({"os": "Windows", "upn": "", "display": ""})
    return devices


def _user_row(u: dict[str, str], old: bool) -> dict[str, str]:
    row = {
        "userPrincipalName": u["upn"], "displayName": u["display"], "surname": u["last"],
        "mail": u["upn"] if "#EXT#" not in u["upn"] else "", "givenName": u["first"],
        "userType": u["type"], "jobTitle": u["title"], "department": u["department"],
        "accountEnabled": u["enabled"], "usageLocation": u["usage"], "country": u["country"],
        "city": u["city"], "companyName": u["company"], "creationType": "",
        "directorySynced": "True", "identityIssuer": "contoso.example",
        "createdDateTime": "2021-03-04T08:15:00Z",
    }
    if old:
        row.update(objectId=u["id"], physicalDeliveryOfficeName=u["office"], mobile=u["mobile"])
    else:
        row.update(id=u["id"], officeLocation=u["office"], mobilePhone=u["mobile"])
    return row


def write_users(path: str | Path, users: list[dict[str, str]], *, old: bool = False,
                semicolon: bool = False, bom: bool = True) -> Path:
    """An Entra ID "Download users" CSV (``old``: the older portal's header)."""
    header = USERS_HEADER_OLD if old else USERS_HEADER_NEW
    path = Path(path)
    with open(path, "w", newline="", encoding="utf-8-sig" if bom else "utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=header, delimiter=";" if semicolon else ",",
                           restval="", extrasaction="ignore")
        w.writeheader()
        w.writerows(_user_row(u, old) for u in users)
    return path


def write_devices(path: str | Path, devices: list[dict[str, str]], *, semicolon: bool = False,
                  bom: bool = True) -> Path:
    """An Intune "All devices" export CSV."""
    path = Path(path)
    with open(path, "w", newline="", encoding="utf-8-sig" if bom else "utf-8") as fh:
        w = csv.writer(fh, delimiter=";" if semicolon else ",")
        w.writerow(DEVICES_HEADER)
        for i, d in enumerate(devices):
            owner = "Corporate" if d["upn"] or i % 2 else "Personal"
            row = {
                "Device ID": f"{i:08x}-0000-4000-8000-000000000000", "Device name": f"DEV-{i:06d}",
                "Enrollment date": "2024-05-02 09:12:44.0000000", "Last check-in": "2026-11-30 07:01:02.0000000",
                "Azure AD Device ID": f"{i:08x}-1111-4000-8000-000000000000", "OS version": OS_VERSIONS[d["os"]],
                "Azure AD registered": "Yes", "Serial number": f"SN{i:09d}", "Manufacturer": "Contoso",
                "Model": "Model 1", "Compliance": "Compliant", "Managed by": "Intune", "Ownership": owner,
                "Device state": "Active", "Intune registered": "Yes", "Supervised": "No", "Encrypted": "Yes",
                "OS": d["os"], "Primary user UPN": d["upn"], "Primary user email address": d["upn"],
                "Primary user display name": d["display"], "Category": "", "JoinType": "Azure AD joined",
            }
            w.writerow([row[h] for h in DEVICES_HEADER])
    return path


def write_sample(folder: str | Path, n: int, seed: int = 0, *, old: bool = False,
                 semicolon: bool = False, messy: bool = True) -> tuple[Path, Path]:
    """users.csv and devices.csv for ``n`` users in ``folder`` (created); returns their paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    users = sample_users(n, seed, messy=messy)
    return (write_users(folder / "users.csv", users, old=old, semicolon=semicolon),
            write_devices(folder / "devices.csv", sample_devices(users, seed, messy=messy),
                          semicolon=semicolon))
