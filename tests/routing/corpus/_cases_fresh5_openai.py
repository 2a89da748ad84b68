"""Fresh5-split cases (openai dialect): written blind to the router, measured once. See corpus README."""

from __future__ import annotations

from tests.routing.corpus._clients import CaseSpec

CASES: list[CaseSpec] = []
