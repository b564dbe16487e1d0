"""The LP side of the strategy: the relaxation (finish probes, level bounds), its rounding into plans, and the finish level answered by LP probes."""
