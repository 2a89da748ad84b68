"""Structural signals of the code in a request ("Graphify"): size, nesting, branching, and a call graph.

Pipeline, all in process and pure:

1. ``code_extract.extract_code`` finds the code units (fences, file views, edit inputs), newest first,
   under ``max_bytes``.
2. Each unit is parsed with tree-sitter and read with one query (``structure_syntax``): lines, syntax
   nodes, block nesting, branches, definitions with the names each one references, error nodes. The
   result depends only on (language, text), so it is cached by content hash in ``StructureCache``.
3. The graph over all units: nodes are definitions, keyed by (file, qualified name) so that two views
   of one file merge; an edge A -> B means A's body names B. Names resolve within the same file first,
   then across files when the name is not ambiguous (at most ``_MAX_AMBIGUITY`` candidates).
4. ``StructuralSignals`` summarises it: god nodes, communities (connected components of the undirected
   graph), and the blast radius of what is being edited.

Cold parsing is the expensive part (~0.3 ms per KiB here: tree-sitter parses 5-7 MB/s, then the query),
so each call parses at most ``parse_budget`` bytes of uncached code, edited units first, then newest
first (the newest edited unit always). Units over budget are counted for size only and reported in
``deferred``; the cache then warms up over the next requests of the session, which repeat the history.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict, defaultdict
from dataclasses import dataclass

from daemon.canonical import Request
from daemon.routing.code_extract import DEFAULT_MAX_BYTES, CodeUnit, extract_code, same_file
from daemon.routing.structure_syntax import (
    SPECS,
    Definition,
    SlicedParse,
    UnitAnalysis,
    analyze_text,
    count_lines,
    preload,
    size_only,
)

__all__ = [
    "Definition",
    "StructuralSignals",
    "StructureCache",
    "UnitAnalysis",
    "analyze",
    "analyze_text",
    "default_parse_budget",
    "preload",
]

GOD_MIN_DEGREE = 6
# A god node must also stand out from its graph: in dense code every node has degree >= 6.
GOD_MEAN_FACTOR = 3.0
_MAX_AMBIGUITY = 3
_GOD_NAMES = 5
# Default parse budget (bytes of uncached code per call): a floor so small requests are parsed in full,
# plus an eighth of the code, capped. Cold analysis costs ~0.3 ms per KiB here (tree-sitter parse about
# half of it, the query a quarter), so the cap keeps a cold 200 KB request near 10 ms.
_BUDGET_FLOOR = 4 * 1024
_BUDGET_SHARE = 8
_BUDGET_CAP = 32 * 1024
# Below this a slice of a big unit is not worth its fixed cost; at most this many slices are in flight.
_MIN_SLICE = 1024
_MAX_SLICED = 4


@dataclass(frozen=True, slots=True)
class StructuralSignals:
    languages: tuple[str, ...] = ()
    """Languages of the collected units, most bytes first."""
    units: int = 0
    total_lines: int = 0
    max_nesting: int = 0
    branching_density: float = 0.0
    """Branches per 100 lines of parsed code."""
    definitions: int = 0
    edges: int = 0
    god_nodes: int = 0
    god_names: tuple[str, ...] = ()
    communities: int = 0
    """Connected components of the undirected definition graph with at least two definitions."""
    mean_cohesion: float = 0.0
    """Mean edge density of those components (undirected edges / possible pairs)."""
    blast_radius: float = 0.0
    """blast_count as a share of all definitions."""
    blast_count: int = 0
    """Definitions that transitively reference what is being edited (the edited ones excluded)."""
    error_nodes: int = 0
    """ERROR and MISSING nodes in complete units (edit fragments are expected to be partial)."""
    parse_ms: float = 0.0
    """Wall time of the whole analysis: extraction, parsing, graph."""
    truncated: bool = False
    """The byte budget or the parse budget left code out."""
    cache_hits: int = 0
    deferred: int = 0
    """Units over the parse budget this call: counted in units/lines/languages only."""
    paths: int = 0
    """Distinct file paths the conversation names."""
    syntax_nodes: int = 0
    tree_sitter_ms: float = 0.0
    """Part of parse_ms spent parsing and querying uncached units."""


# --------------------------------------------------------------------------- cache


class StructureCache:
    """Per-unit analyses by content hash, LRU-bounded by entries and by the bytes of source they stand for.

    One per daemon. Only analyses are kept, never the source, but they are not small: the names each
    definition references cost about 1.5x the source in memory (measured), so the default 16 MiB of
    source is roughly 25 MB, room for the working sets of dozens of sessions.
    """

    def __init__(self, max_entries: int = 4096, max_source_bytes: int = 16 * 1024 * 1024) -> None:
        self.max_entries = max_entries
        self.max_source_bytes = max_source_bytes
        self._entries: OrderedDict[bytes, tuple[UnitAnalysis, int]] = OrderedDict()
        self._source_bytes = 0
        self._sliced: OrderedDict[bytes, SlicedParse] = OrderedDict()
        self.hits = 0
        self.misses = 0
        self.evictions = 0

    @staticmethod
    def key(language: str, text: str) -> bytes:
        digest = hashlib.blake2b(language.encode(), digest_size=16)
        digest.update(b"\0")
        digest.update(text.encode("utf-8", "surrogatepass"))
        return digest.digest()

    def get(self, key: bytes) -> UnitAnalysis | None:
        entry = self._entries.get(key)
        if entry is None:
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return entry[0]

    def put(self, key: bytes, analysis: UnitAnalysis, size: int) -> None:
        if size > self.max_source_bytes:
            return
        old = self._entries.pop(key, None)
        if old is not None:
            self._source_bytes -= old[1]
        self._entries[key] = (analysis, size)
        self._source_bytes += size
        while len(self._entries) > self.max_entries or self._source_bytes > self.max_source_bytes:
            _, (_, evicted) = self._entries.popitem(last=False)
            self._source_bytes -= evicted
            self.evictions += 1

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def source_bytes(self) -> int:
        return self._source_bytes

    def sliced(self, key: bytes, language: str, text: str) -> SlicedParse:
        """The parse in progress for a unit over budget; the oldest of ``_MAX_SLICED`` is dropped."""
        job = self._sliced.pop(key, None) or SlicedParse(language, text)
        self._sliced[key] = job
        while len(self._sliced) > _MAX_SLICED:
            self._sliced.popitem(last=False)
        return job

    def finished(self, key: bytes) -> None:
        self._sliced.pop(key, None)

    def clear(self) -> None:
        self._entries.clear()
        self._sliced.clear()
        self._source_bytes = 0


# --------------------------------------------------------------------------- request


def default_parse_budget(code_bytes: int) -> int:
    return min(_BUDGET_CAP, _BUDGET_FLOOR + code_bytes // _BUDGET_SHARE)


def analyze(
    request: Request,
    cache: StructureCache | None = None,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    parse_budget: int | None = None,
) -> StructuralSignals:
    """Structural signals of the code in ``request``.

    ``parse_budget``: bytes of uncached code parsed in this call (None: ``default_parse_budget``). Units
    are parsed edited first, then newest first, while they fit; with a cache, a unit that does not fit is
    parsed in slices over the next calls. The newest uncached unit being edited is parsed even over
    budget: it is what the request is about, and once parsed it is served from the cache.
    """
    started = time.perf_counter()
    extraction = extract_code(request, max_bytes=max_bytes)
    units = extraction.units
    results: list[UnitAnalysis | None] = [None] * len(units)
    keys: list[bytes] = [b""] * len(units)
    pending: list[int] = []
    hits = 0
    for i, unit in enumerate(units):
        if unit.language not in SPECS:
            results[i] = size_only(unit.language, unit.text)
            continue
        if cache is not None:
            keys[i] = key = StructureCache.key(unit.language, unit.text)
            cached = cache.get(key)
            if cached is not None:
                results[i] = cached
                hits += 1
                continue
        pending.append(i)

    code_bytes = sum(len(u.text) for u in units)
    budget = default_parse_budget(code_bytes) if parse_budget is None else parse_budget
    pending.sort(key=lambda i: (not units[i].being_edited, i))  # edited first, then newest first
    forced = pending[0] if pending and units[pending[0]].being_edited else -1
    spent = 0
    deferred = 0
    parse_started = time.perf_counter()
    for i in pending:
        unit, size = units[i], len(units[i].text)
        if i == forced or spent + size <= budget:
            analysis: UnitAnalysis | None = analyze_text(unit.language, unit.text)
            spent += size
        elif cache is not None and budget - spent >= _MIN_SLICE:
            # Too big for what is left: parse a slice now, the rest on the next requests.
            job = cache.sliced(keys[i], unit.language, unit.text)
            before = job.offset
            analysis = job.advance(budget - spent)
            spent += max(job.offset - before, budget - spent if analysis is None else 0)
        else:
            analysis = None
        if analysis is None:
            deferred += 1
            continue
        results[i] = analysis
        if cache is not None:
            cache.finished(keys[i])
            cache.put(keys[i], analysis, size)
    tree_sitter_ms = (time.perf_counter() - parse_started) * 1000

    signals = _summarise(units, results)
    return StructuralSignals(
        **signals,
        truncated=extraction.truncated or deferred > 0,
        cache_hits=hits,
        deferred=deferred,
        paths=len(extraction.paths),
        parse_ms=round((time.perf_counter() - started) * 1000, 3),
        tree_sitter_ms=round(tree_sitter_ms, 3),
    )


def _summarise(units: tuple[CodeUnit, ...], results: list[UnitAnalysis | None]) -> dict[str, object]:
    by_language: dict[str, int] = defaultdict(int)
    for unit in units:
        by_language[unit.language] += len(unit.text)
    parsed = [(u, a) for u, a in zip(units, results, strict=True) if a is not None and a.language in SPECS]
    parsed_lines = sum(a.lines for _, a in parsed)
    branches = sum(a.branches for _, a in parsed)
    graph = _Graph(units, results)
    return {
        "languages": tuple(sorted(by_language, key=lambda lang: (-by_language[lang], lang))),
        "units": len(units),
        "total_lines": sum(
            count_lines(u.text) if a is None else a.lines for u, a in zip(units, results, strict=True)
        ),
        "max_nesting": max((a.max_nesting for _, a in parsed), default=0),
        "branching_density": round(100 * branches / parsed_lines, 2) if parsed_lines else 0.0,
        "error_nodes": sum(a.error_nodes for u, a in parsed if not u.fragment),
        "syntax_nodes": sum(a.nodes for _, a in parsed),
        **graph.metrics(),
    }


# --------------------------------------------------------------------------- graph


class _Graph:
    """Definitions of all parsed units and the references between them."""

    def __init__(self, units: tuple[CodeUnit, ...], results: list[UnitAnalysis | None]) -> None:
        self.scopes = self._scopes(units)
        self.index: dict[tuple[str, str], int] = {}
        self.qualnames: list[str] = []
        self.node_scope: list[str] = []
        self.refs: list[set[str]] = []
        by_name: dict[str, list[int]] = defaultdict(list)
        for i, analysis in enumerate(results):
            for d in analysis.definitions if analysis is not None else ():
                node = self._node(self.scopes[i], d)
                if node not in by_name[d.name]:
                    by_name[d.name].append(node)
                self.refs[node].update(d.refs)
        self.out: list[set[int]] = [set() for _ in self.qualnames]
        known = by_name.keys()
        for src, refs in enumerate(self.refs):
            for name in refs & known:
                candidates = by_name[name]
                local = [c for c in candidates if self.node_scope[c] == self.node_scope[src]]
                targets = local or (candidates if len(candidates) <= _MAX_AMBIGUITY else [])
                self.out[src].update(t for t in targets if t != src)
        self.seeds = self._seeds(units, results)

    @staticmethod
    def _scopes(units: tuple[CodeUnit, ...]) -> list[str]:
        # Definitions are keyed by file; "src/a.py" and "/repo/src/a.py" are one file.
        seen: list[str] = []
        scopes: list[str] = []
        for i, unit in enumerate(units):
            if unit.path is None:
                scopes.append(f"#{i}")
                continue
            match = next((p for p in seen if same_file(p, unit.path)), None)
            if match is None:
                seen.append(unit.path)
                match = unit.path
            scopes.append(match)
        return scopes

    def _node(self, scope: str, d: Definition) -> int:
        key = (scope, d.qualname)
        node = self.index.get(key)
        if node is None:
            node = self.index[key] = len(self.qualnames)
            self.qualnames.append(d.qualname)
            self.node_scope.append(scope)
            self.refs.append(set())
        return node

    def _seeds(self, units: tuple[CodeUnit, ...], results: list[UnitAnalysis | None]) -> set[int]:
        """Definitions being edited.

        Definitions written in edit inputs; for an edit fragment that declares none (a few lines inside a
        function), the innermost definition around it in a view of the same file; and, for files edited
        through no tool input (named by the user), every definition of the file.
        """
        seeds: set[int] = set()
        edited_scopes = {self.scopes[i] for i, u in enumerate(units) if u.source == "tool_input"}
        for i, (unit, analysis) in enumerate(zip(units, results, strict=True)):
            if not unit.being_edited or analysis is None:
                continue
            scope = self.scopes[i]
            if unit.source == "tool_input" and not analysis.definitions:
                seeds.update(self._enclosing(i, units, results))
            elif unit.source == "tool_input" or scope not in edited_scopes:
                seeds.update(self.index[(scope, d.qualname)] for d in analysis.definitions)
        return seeds

    def _enclosing(self, i: int, units: tuple[CodeUnit, ...], results: list[UnitAnalysis | None]) -> set[int]:
        fragment = units[i].text.strip()
        for j, (view, analysis) in enumerate(zip(units, results, strict=True)):
            if j == i or analysis is None or view.source == "tool_input" or self.scopes[j] != self.scopes[i]:
                continue
            pos = view.text.find(fragment)
            if pos < 0:
                continue
            line = view.text.count("\n", 0, pos) + 1
            around = [d for d in analysis.definitions if d.start_line <= line <= d.end_line]
            if around:
                innermost = max(around, key=lambda d: d.start_line)
                return {self.index[(self.scopes[j], innermost.qualname)]}
        return set()

    def metrics(self) -> dict[str, object]:
        n = len(self.qualnames)
        incoming: list[set[int]] = [set() for _ in range(n)]
        for src, targets in enumerate(self.out):
            for dst in targets:
                incoming[dst].add(src)
        edges = sum(map(len, self.out))
        degree = [len(out) + len(into) for out, into in zip(self.out, incoming, strict=True)]
        threshold = max(GOD_MIN_DEGREE, GOD_MEAN_FACTOR * (2 * edges / n)) if n else GOD_MIN_DEGREE
        gods = sorted(
            (i for i in range(n) if degree[i] >= threshold), key=lambda i: (-degree[i], self.qualnames[i])
        )
        communities, cohesion = self._components(incoming)
        blast = self._dependents(incoming)
        return {
            "definitions": n,
            "edges": edges,
            "god_nodes": len(gods),
            "god_names": tuple(self.qualnames[i] for i in gods[:_GOD_NAMES]),
            "communities": communities,
            "mean_cohesion": cohesion,
            "blast_count": blast,
            "blast_radius": round(blast / n, 4) if n else 0.0,
        }

    def _components(self, incoming: list[set[int]]) -> tuple[int, float]:
        # Connected components by BFS over the undirected graph. A component holds every edge of its
        # members, so its cohesion (internal edges / possible pairs) is simply its edge density.
        seen = [False] * len(self.out)
        densities: list[float] = []
        for root in range(len(self.out)):
            if seen[root]:
                continue
            seen[root] = True
            members, k, links = [root], 0, 0
            while k < len(members):
                neighbours = self.out[members[k]] | incoming[members[k]]
                k += 1
                links += len(neighbours)  # each undirected edge is seen from both ends
                for other in neighbours:
                    if not seen[other]:
                        seen[other] = True
                        members.append(other)
            if len(members) >= 2:
                densities.append(links / (len(members) * (len(members) - 1)))
        return len(densities), round(sum(densities) / len(densities), 4) if densities else 0.0

    def _dependents(self, incoming: list[set[int]]) -> int:
        reached = set(self.seeds)
        frontier = list(self.seeds)
        while frontier:
            node = frontier.pop()
            for caller in incoming[node]:
                if caller not in reached:
                    reached.add(caller)
                    frontier.append(caller)
        return len(reached - self.seeds)
