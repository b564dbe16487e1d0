#!/usr/bin/env python3
"""Sample Entra ID "Download users" and Intune "All devices" exports (optimizer.directory.sample).

    python scripts/generate_directory.py --users 2000 --seed 1 --out /tmp/org
    # -> /tmp/org/users.csv, /tmp/org/devices.csv
    python scripts/generate_directory.py --users 500 --old --semicolon --out /tmp/org-old

--old writes the older Azure AD portal's header (objectId, physicalDeliveryOfficeName, mobile);
--clean leaves out the messy values (guests, disabled accounts, case, spaces, shared devices).
The same arguments always give the same files.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from optimizer.directory.sample import write_sample  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--users", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--old", action="store_true", help="the older portal's header")
    ap.add_argument("--semicolon", action="store_true", help="; as the separator (Swedish Excel)")
    ap.add_argument("--clean", action="store_true", help="no messy values")
    ap.add_argument("--out", required=True, help="folder for users.csv and devices.csv")
    a = ap.parse_args()
    users, devices = write_sample(a.out, a.users, a.seed, old=a.old, semicolon=a.semicolon, messy=not a.clean)
    print(f"Wrote {users} and {devices}")


if __name__ == "__main__":
    main()
