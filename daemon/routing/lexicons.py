"""The cue words and patterns the text dimensions look for (see ``dimensions``).

Kept apart from the scoring so the word lists, which grow with the corpus, can be read and
reviewed on their own. Every list is matched on whole words in the user's prose only.
"""

from __future__ import annotations

import re

_INFLECTION = re.compile(r"(?<=[a-z])\\w([*+])")  # ``\w*`` right after letters: an inflection


def _words(*patterns: str) -> re.Pattern[str]:
    """Whole words (a trailing ``\\w*`` in a pattern allows inflections: ``concurren\\w*``).

    An inflection is lowercase letters only, so ``format\\w*`` finds "Formatting" but not the
    identifier ``formatMoney``; a hyphen may follow a word ("raft-based", "prod-only")."""
    body = _INFLECTION.sub(r"(?-i:[a-z]\1)", "|".join(patterns))
    # Not followed by ".ext": deploy.sh, auth.py and payments.ts name files, they are not cues.
    return re.compile(r"(?<![\w./-])(?:" + body + r")(?![\w/]|\.\w)", re.IGNORECASE)


# Cues that on their own say the answer is an argument: a design decision, a proof, a threat model,
# a hypothesis that must explain the evidence. They count twice as much as the REASONING ones.
REASONING_STRONG = _words(
    r"architect\w*",
    r"trade-?offs?",
    r"pros and cons",
    r"prove",
    r"proofs?",
    r"root[- ]cause",
    r"invariants?",
    r"threat[- ]model\w*",
    r"formal(?:ly)?",
    r"think (?:deeply|hard|carefully)",
    r"step[- ]by[- ]step",
    r"reason (?:about|(?:it |this |that )?through)",
    r"should (?:we|i)",
    r"which (?:approach|option|design|one)",
    r"failure modes?",
    r"hypothes[a-z]*",
    r"formulat\w+",
    r"linearizab\w+",
)
# Design, trade-offs, correctness, open-ended judgement.
REASONING = _words(
    r"design\w*",
    r"why",
    r"correct(?:ness)?",
    r"worst[- ]case",
    r"complexity",
    r"compare",
    r"comparison",
    r"versus",
    r"vs\.?",
    r"recommend\w*",
    r"best (?:way|approach|option|strategy)",
    r"strateg\w+",
    r"scalab\w+",
    r"consistency",
    r"guarantee\w*",
    r"achievable",
    r"feasib\w+",
    r"walk (?:me )?through",
    r"analy[sz]\w*",
    r"evaluat\w+",
    r"rethink",
    r"implications?",
    r"alternatives?",
    r"approach(?:es)?",
    r"options",
    r"honestly",
    r"justify",
    r"argument",
    r"o\([^)]{1,12}\)",
    r"algorithm\w*",
    r"semantics",
    r"exactly[- ]once",
    r"at[- ]least[- ]once",
    r"isolation level",
    r"evidence",
    r"what(?:'s| is) (?:really |actually )?going on",
    r"what (?:actually |really )?happened",
    r"explain why",
    r"optimal\w*",
    r"maximi[sz]\w*",
    r"minimi[sz]\w*",
    r"np-hard",
    r"attackers?",
    r"mitigations?",
    r"trust boundar\w+",
)
# What kind of answer the user asks for, read together (see ``dimensions.deliberation``): an
# argument (a decision, an explanation, a proof, an assessment) or an action (edits, commands).
# Hard work of the first kind needs a model that thinks before it answers; of the second, one that
# does careful work.
ARGUE = _words(
    r"(?<!idea )(?<!out )(?<!know )(?<!sure )why",  # "no idea why", "find out why": a hunt, not an argument
    r"should (?:we|i|it|this)",
    r"which (?:one|approach|option|design|is better|of)",
    r"compare",
    r"trade-?offs?",
    r"pros and cons",
    r"design\w*",
    r"prove",
    r"proofs?",
    r"argue",
    r"argument",
    r"justify",
    r"recommend\w*",
    r"decide",
    r"decision",
    r"assess\w*",
    r"evaluat\w+",
    r"review",
    r"threat[- ]model\w*",
    r"how (?:would|should|could) (?:we|you|i)",
    r"think (?:hard|deeply|carefully|about|through)",
    r"ultrathink",
    r"is (?:it|this|that|there) (?:\w+ )?(?:safe|correct|sound|right|possible|achievable|guaranteed|worth|a good idea)",
    r"guarantee\w*",
    r"what(?:'s| is| are) (?:\w+ )?(?:causing|going on|happening|the (?:root )?cause|the best|the right)",
    r"what (?:happened|would happen|breaks|can go wrong)",
    r"root[- ]cause",
    r"hypothes\w+",
    r"analy[sz]\w+",
    r"options?",
    r"alternatives?",
    r"consider",
    r"plan (?:for|out)",
    r"propos\w+",
    r"counterexample",
    r"how confident",
    r"how likely",
    r"deriv\w+",
    r"estimat\w+",
    r"tell me (?:whether|why|how)",
    r"show (?:me )?(?:the |your )?reasoning",
    r"(?:minimi|maximi)[sz]e",
    r"optimal\w*",
    r"np-hard",
    r"complexity",
)
# Action verbs; counted only where they start an instruction (``dimensions._imperatives``).
ACT = _words(
    r"fix\w*",
    r"implement\w*",
    r"add",
    r"make (?:it|them|this|the|all|every|sure)",
    r"write (?:the|a|an) (?!argument|proof|recommendation|design)[@`#]?\w+",
    r"write (?:some |unit |integration |more )?(?:tests?|specs?)",
    r"write [\w.-]+/[\w./-]+",
    r"give me (?:the|a|an) (?!reason|explanation|argument|recommendation|opinion|summary|overview)\w+",
    r"commit",
    r"push",
    r"stage",
    r"tag",
    r"replace\w*",
    r"migrate",
    r"refactor\w*",
    r"move",
    r"split",
    r"delete",
    r"drop",
    r"deploy",
    r"run",
    r"clean (?:it )?up",
    r"remove",
    r"revert",
    r"update",
    r"change",
    r"create",
    r"get (?:it|them|ci|the build|everything|all|the tests?|tests) (?:\w+ )?(?:green|passing|working|compiling|building)",
    r"set",
    r"rotate",
    r"restore",
    r"build",
    r"port",
    r"convert",
    r"rewrite",
    r"introduce",
    r"get rid of",
    r"rename",
    r"patch",
    r"apply",
    r"upgrade",
    r"bump",
    r"install",
    r"configure",
    r"wire (?:it|up)",
    r"hook up",
    r"do it",
    r"go ahead",
    r"ship",
)
# One focused thing to build: "implement groupByDay in the view model", "add a --json flag", "write
# a WebMvcTest for AccountController". Read only in the first instruction (``dimensions.focused_build``).
BUILD_ONE = re.compile(
    r"(?:implement|add|write|create|build|make|need)\b(?:\s+\S+){0,6}?\s+(?:an? |the |one |new )?"
    r"(?:\S+\s+){0,2}?(?:function|method|helper|class|endpoint|route|handler|flag|option|argument|param(?:eter)?|"
    r"field|property|validator|validation|tests?|specs?|task|command|subcommand|script|component|hook|screen|"
    r"view|page|template|mart|query|enum|constant|setting|check|metric|button|modal|form|filter|column|"
    r"target|step|job|rule|alias|fixture|mock|stub|example|docstring|readme|changelog)s?\b"
    # or a thing named in code style: groupByDay, `remove`, @WebMvcTest, parse_duration
    r"|(?:implement|add|write|create|need)\s+(?:an? |the |new )?[@`#]*(?:[a-z]+[A-Z]\w*|[A-Z][a-z]+[A-Z]\w*|[a-z]+_\w+|`[^`]+`)",
    re.IGNORECASE,
)
# A bug report in the issue-template shape: expected and actual behaviour side by side.
BUG_REPORT = re.compile(
    r"\bexpected(?: behaviou?r| result)?\W{0,4}:.{0,2000}?\bactual(?: behaviou?r| result)?\W{0,4}:",
    re.I | re.S,
)
# Mechanical, single-step work. Only counted when the request is short or starts with one.
MECHANICAL = _words(
    r"rename\w*",
    r"move",
    r"mv",
    r"list",
    r"ls",
    r"grep",
    r"search for",
    r"find (?:all|every|where|the (?!bug|cause|problem|issue|culprit|reason|leak|race)\w+)",
    r"format\w*",
    r"prettier",
    r"lint\w*",
    r"typos?",
    r"delete",
    r"remove",
    r"drop the (?:unused|leftover)",
    r"run(?: the)?(?: full| whole)?(?: [\w-]+)? (?:tests?|suite|specs?|build|linter|formatter|command|it|again)",
    r"rerun",
    r"re-run",
    r"show me",
    r"print",
    r"cat",
    r"add (?:an? |the )?(?:missing )?import",
    r"(?:forgot|forgotten|missing) (?:an? |the )?imports?",
    r"add (?:an? |the )?(?:doc ?)?comments?",
    r"docstrings?",
    r"\.gitignore",
    r"console\.log",
    r"debug (?:line|print|log|statement)s?",
    r"convert (?:\w+ )?(?:it |this )?(?:to|into) (?:yaml|json|toml|csv|xml|markdown)",
    r"run (?:[\w.-]+ ){0,2}(?:fmt|vet|lint|clippy|check|typecheck|format|tests?|build)",
    r"(?:don't|do not) (?:fix|change|touch) anything",
    r"nothing else",
    r"(?:what|which) (?:[\w.-]+ ){0,2}(?:port|version|path|url|branch|directory|folder|file|value|flag)s?",
    r"bump",
    r"sort (?:the )?imports",
    r"copy",
    r"mkdir",
    r"what(?:'s| is) (?:in|the value|the port)",
    r"read (?:the )?file",
    r"open (?:the )?file",
    r"git (?:status|log|diff|add|push|pull|checkout|stash)",
    r"commit (?:this|it|these|the changes|with|and push|everything|all)",
    r"stage (?:the|these|those|all|[\w./-]+\.\w+)",
    r"push (?:it|to|the branch|my)",
    r"update the version",
    r"change the (?:port|name|version|default)",
    r"set (?:the )?\w+ to",
    r"how many",
    r"which file",
    r"where is",
    r"tell (?:me|the user) (?:it is|it's) done",
    r"summari[sz]e",
)
# What may come before a mechanical verb that opens a request: "nice. ok now, please just rename ...".
OPENER = re.compile(
    r"(?:(?:ok(?:ay)?|now|then|and|please|pls|just|can you|could you|would you|quickly|also|nice|great|"
    r"thanks|thank you|cool|perfect|good|looks good|lgtm|so|alright|i (?:want|need) you to|i'd like you to|"
    r"go ahead and|let's|lets)[,.!]?\s+)+",
    re.IGNORECASE,
)
# Breadth and multi-step plans.
PLAN = _words(
    r"then",
    r"after that",
    r"first,?",
    r"second(?:ly)?",
    r"finally",
    r"next",
    r"step \d",
    r"and also",
    r"as well as",
    r"end[- ]to[- ]end",
    r"across (?:the|all|every|\d+)",
    r"every (?:file|module|endpoint|service|controller|call site)",
    r"everywhere",
    r"all (?:the )?(?:call sites|modules|services|endpoints|controllers|tests|callers)",
    r"(?:~?\d+|two|three|four|five|six|seven|eight|nine|ten|several|dozens of|many) (?:[\w-]+ )?(?:modules|files"
    r"|services|controllers|endpoints|crates|packages|tests|call sites|callers|places|components|pages|screens"
    r"|handlers|routes|jobs|workers|tables|repos|apps|classes|functions|views|models|clients|consumers)",
    r"refactor\w*",
    r"migrat\w+ (?:all|every|the whole)",
    r"rework\w*",
    r"rewrite",
    r"replace \w+ with",
    r"introduce",
    r"get rid of",
    r"consolidat\w+",
    r"split (?:it|the)",
)
NUMBERED = re.compile(r"^\s*(?:\d+[.)]|[-*])\s+\S", re.MULTILINE)
# Changes where a mistake is expensive: money, identity, data, production.
RISK = _words(
    r"auth\w*",
    r"passwords?",
    r"secrets?",
    r"credentials?",
    r"api[_ -]?keys?",
    r"(?:access|auth|api|refresh|session|bearer|oauth) tokens?",
    r"oauth",
    r"sso",
    r"jwt",
    r"payments?",
    r"stripe",
    r"billing",
    r"refunds?",
    r"charges?",
    r"ledger",
    r"money",
    r"migrations?",
    r"schema change",
    r"production",
    r"prod",
    r"deploy\w*",
    r"rollout",
    r"drop (?:the )?(?:\w+ )?(?:table|database|column|index)",
    r"delete from",
    r"truncate",
    r"rm -rf",
    r"force[- ]push",
    r"--force",
    r"encrypt\w*",
    r"pii",
    r"gdpr",
    r"permissions?",
    r"privileges?",
    r"sudo",
    r"kubectl (?:delete|apply)",
    r"terraform (?:apply|destroy)",
    r"rotat\w+",
    r"customer data",
    r"backfill",
    r"irreversibl\w+",
    r"wipe",
    r"delete (?:every|all)",
    r"(?:bulk|mass) delet\w+",
    r"purge",
    r"vault",
    r"(?:git |repo(?:sitory)? |commit )?history rewrit\w*",
    r"rewrite (?:the )?(?:git |repo(?:sitory)? |commit )?history",
    r"from (?:the )?(?:git |repo(?:sitory)? )?history",
    r"filter-(?:branch|repo)",
)
# Risk words that often name the subject rather than a risky change: they count half.
RISK_WEAK = frozenset(
    {"migration", "migrations", "charge", "charges", "billing", "permission", "permissions", "backfill"}
)
# A request that only looks (lists, shows, searches, asks which/what) changes nothing: its risk is
# in the context, not in the change.
# Said outright anywhere in the request: nothing is changed, whatever data it reads.
SAYS_READ_ONLY = _words(
    r"read-only",
    r"no changes to (?:the )?data",
    r"(?:don't|do not|without) (?:change|modify|touch)\w* (?:any )?data",
)
READ_ONLY = re.compile(
    r"^(?:please |can you |could you )?(?:list|show|grep|find|search|print|cat|count|check which|"
    r"what|which|where|how many|is there|are there)\b"
    # Tests and specs change no production behaviour, whatever code they exercise.
    r"|^(?:please )?(?:write|add) (?:an? |some |the )?(?:[\w#.-]+ ){0,2}(?:unit |integration )?(?:tests?|specs?)\b"
    # So does a query that reads.
    r"|^(?:please )?(?:write|give me) (?:an? |the )?(?:\w+ )?(?:sql |select )?query\b",
    re.IGNORECASE,
)
# Domains where plausible-looking code is often wrong.
DOMAIN = _words(
    r"concurren\w*",
    r"race(?: condition)?s?",
    r"deadlock\w*",
    r"mutex\w*",
    r"threads?",
    r"threading",
    r"lock-free",
    r"atomic\w*",
    r"memory ordering",
    r"async\w*",
    r"distributed",
    r"consensus",
    r"raft",
    r"paxos",
    r"replica\w*",
    r"leader(?:[- ]election)?",
    r"eventual(?:ly)? consisten\w+",
    r"partition\w*",
    r"rebalanc\w+",
    r"kafka",
    r"idempoten\w+",
    r"numeric\w*",
    r"floating[- ]point",
    r"precision",
    r"overflow",
    r"cryptograph\w*",
    r"vulnerab\w+",
    r"exploit\w*",
    r"injection",
    r"xss",
    r"csrf",
    r"memory leak",
    r"leaks?",
    r"performance",
    r"latency",
    r"throughput",
    r"optimi[sz]\w+",
    r"cache invalidation",
    r"garbage collect\w*",
    r"compiler",
    r"kernel",
    r"lifetimes?",
    r"borrow checker",
    r"undefined behaviou?r",
    r"flak(?:y|es|iness)",
    r"intermittent\w*",
    r"heisenbug",
    r"only (?:in|on) (?:release|production|ci)",
    r"under load",
    r"timeouts?",
    r"transactions?",
    r"isolation",
    r"ordering",
    r"clock skew",
    r"backpressure",
    r"real-?time",
    r"interleavings?",
    r"safety",
    r"liveness",
    r"jepsen",
    r"clocks?",
    r"split[- ]brain",
    r"lost updates?",
    r"memory[- ]ordering",
)
# Debugging a problem whose cause is not given.
# Finding a cause that is not given. The regression cues say something changed and the failure
# followed; they do not hide a cause the error line names (``dimensions.pinpointed_error``).
_HUNT = (
    r"figure out",
    r"investigat\w+",
    r"debug\w*",
    r"diagnos\w+",
    r"why (?:does|is|do|did|are)",
    r"root[- ]cause",
    r"(?:at|from|to) the root",
    r"find (?:the |a )?(?:real |actual |underlying |root )?cause",
    r"reproduc\w+",
    r"bisect",
    r"crash\w*",
    r"hangs?",
    r"hanging",
    r"stuck",
    r"corrupt\w*",
    r"wrong (?:results?|answers?|totals?|values?)",
    r"inconsisten\w+",
    r"sometimes",
    r"randomly",
    r"no idea",
    r"doesn't work",
    r"does not work",
    r"fails? (?:only|intermittently|randomly)",
    r"find out (?:why|what|where|how)",
    r"(?:\d+(?:\.\d+)?x|much|way|a lot|twice as) slower",
    r"only (?:with|when|on|in|under|after|for) ",
    r"properly",
    r"without (?:retries|sleeps|hacks)",
    # The cheap attempt already failed (rubric: loops that keep failing are complex).
    r"(?:that's|that is|this is|it's|it is) not (?:a|the) (?:real )?fix",
    r"(?:didn't|did not|doesn't|does not|won't) (?:fix|help|hold)",
    r"still (?:fail\w*|broken|red|flak\w+|happen\w*|the same|hangs?|crash\w*)",
    r"(?:second|third|fourth|fifth) (?:time|attempt|try)",
    r"for real",
    # A dependency moved and the failure followed: the cause is in the upgrade, not on the trace line.
    r"(?:bumped|upgraded|updated) [\w.-]+ (?:to|from)",
)
_REGRESSION = (
    r"regress\w+",
    r"broke(?:n)?",
    r"stopped working",
    r"since (?:the|we|i|our|yesterday|last)",
)
HUNT = _words(*_HUNT)
DEBUGGING = _words(*_HUNT, *_REGRESSION)
# Error markers are plain substrings: str.count is memchr-fast, where one big regex alternation
# over 64 KB of tool output costs milliseconds. Each marker counts once per occurrence.
ERROR_MARKERS = (
    "Traceback (most recent call last)",
    "Error:",
    "Exception:",
    "Error(",
    "Exception(",
    "FAILED",
    "FAIL:",
    "error:",
    "error[E",
    "panic:",
    "Segmentation fault",
    "segmentation fault",
    "core dumped",
    "AssertionError",
    "assertion failed",
    "cannot find symbol",
    "undefined reference",
    "npm ERR!",
    "fatal:",
    '\n  File "',
    "\n    at ",
    ": error TS",
    "[tool error]",
    "BUILD FAILED",
    "Compilation failed",
    "--- FAIL",
)
# Errors that name their cause where they happen: the line that raised shows what is wrong
# (a None dereference, a missing name, an unsupported value). Compare SYMPTOMS.
DIRECT_ERRORS = (
    "AttributeError",
    "NameError",
    "ImportError",
    "ModuleNotFoundError",
    "KeyError",
    "TypeError",
    "ValueError",
    "IndexError",
    "NoMethodError",
    "NullPointerException",
    "ReferenceError",
    "SyntaxError",
    "is not defined",
    "was not declared",
    "undeclared identifier",
    "does not name a type",
    "unknown type name",
    "cannot find value",
    "cannot find type",
    "implicit declaration of function",
    "cannot find symbol",
    "has no attribute",
    "has no member",
    "no member named",
    "undefined method",
    "unresolved import",
    "Cannot find name",
    "is not a function",
    "Cannot read properties of",
    "mismatched types",
    "unknown field",
    "unsupported",
)
# Errors that show a symptom far from its cause: races, crashes, hangs, exhaustion.
SYMPTOMS = (
    "DATA RACE",
    "deadlock",
    "timed out",
    "Timeout",
    "timeout",
    "Segmentation fault",
    "SIGSEGV",
    "SIGABRT",
    "AddressSanitizer",
    "ThreadSanitizer",
    "use-after-free",
    "OOMKilled",
    "out of memory",
    "OutOfMemory",
    "leak",
    "LazyInitializationException",
    "IntegrityError",
    "pool",
)
EXIT_CODE = re.compile(r"exit (?:code|status):? ?([1-9]\d*)")
BIG_OUTPUT = _words(
    r"(?:full|complete|entire|whole) (?:implementation|module|rewrite)",
    r"(?:write|generate|give me|output|print) (?:the |a |an )?(?:full|complete|entire|whole) (?:\w+ )?"
    r"(?:file|module|test suite|implementation)",
    r"write (?:a|an|the) (?:new )?(?:module|service|library|class)",
    r"from scratch",
    r"scaffold",
)
WRITE_TOOLS = re.compile(
    r"^(?:bash|shell|execute_bash|exec|run|terminal|write|edit|multiedit|str_replace_editor|apply_patch|"
    r"create_file|replace|notebookedit|computer)$",
    re.IGNORECASE,
)

PROMPT_WRITE_TOOLS = re.compile(
    r"^#+ (?:write_to_file|replace_in_file|execute_command|apply_diff|insert_content)\b|SEARCH/REPLACE block",
    re.MULTILINE,
)
