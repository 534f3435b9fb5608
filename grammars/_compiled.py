"""Run a pyparsing grammar as one `re` pattern: the same parse, one C call instead of one per element.

pyparsing spends ~4 µs on every element it tries (whitespace skip, ParseResults, name
bookkeeping), so a 15-element kernel wording costs 60-250 µs, and every distinct message text
pays it. The family grammars use a small set of elements - And, MatchFirst, Opt, Suppress,
Literal, Keyword, Regex, StringEnd, Empty - whose meaning is plain PEG, and PEG maps onto
Python's `re` exactly once every element is an atomic group:

    And            concatenation               (no backtracking into an element that matched)
    MatchFirst     (?>a|b|...)                 ordered choice, committed
    Opt            (?>(?:x)?)                  x if it matches, else nothing
    Suppress       its element
    Literal        the escaped string
    Keyword        (?<![ident])word(?![ident]) pyparsing's identifier-boundary test
    Regex          (?>pattern)                 its groups renamed, its flags scoped
    StringEnd      \\Z
    before each    [ \\t\\n\\r]*+               pyparsing's default whitespace skip

What the pattern does not model, pyparsing still does: an element that carries a results name
or a parse action (conversions, conditions, normalisation) becomes a capture group, and after
the pattern matched, pyparsing parses that element again at that place - its actions and
conditions run exactly as in a whole parse, and its named results are taken as they come.
Elements with a name and no action (a Literal, Keyword or Regex) yield their matched text, and
a Regex's own named groups their group text, as pyparsing's Regex does.

Whenever the shortcut cannot vouch for the answer it says FALLBACK and the caller runs the
plain pyparsing parse: an element it does not know (or a non-default whitespace, a
list-all-matches name, a default value), a re-parse that fails or ends elsewhere (a condition
rejected what the pattern accepted), and - for grammars where an element with parse actions
sits inside a choice, where a rejected action would make pyparsing take another branch - a
text the pattern does not match. So the answer is pyparsing's by construction, and
tests/grammars/test_compiled.py checks it on every grammar element of every family with the
goldens, the benchmark's wordings and mutations of both.

Assumed, as everywhere in the grammars: parse actions either return or raise ParseException,
and a token's actions depend on the token's text only (so their answer for one text is kept).
"""

from __future__ import annotations

import re

import pyparsing as pp

FALLBACK = object()

_WS = r"[ \t\n\r]*+"
_DEFAULT_WHITE = frozenset(pp.ParserElement.DEFAULT_WHITE_CHARS)
_FLAG_LETTERS = ((re.IGNORECASE, "i"), (re.MULTILINE, "m"), (re.DOTALL, "s"), (re.VERBOSE, "x"))
_NO_DEFAULT = getattr(pp.Opt, "_Opt__optionalNotMatched", None)
_NAMED_GROUP = re.compile(r"\(\?P<([A-Za-z_][A-Za-z0-9_]*)>")
_GROUP_REF = re.compile(r"\(\?P=([A-Za-z_][A-Za-z0-9_]*)\)")
_UNSUPPORTED_REGEX = re.compile(r"\\[1-9]|\\g<|\(\?\(|\(\?[aiLmsux]+\)")


# What a match step does with its group (Compiled._steps: (kind, group, payload)).
_TEXT = 0  # a name on a token without actions: payload = the name; its value is the matched text
_GROUP = 1  # a Regex's own named group: payload = (renamed group, name); group = the Regex's presence
_REPLAY = 2  # pyparsing parses the element again in place: payload = (element, keep names, is a token)
_VALUE = 3  # a value_token: payload = (name or None, value function)
_FIELDS = 4  # a fields_token: payload = (keep names, fields function)


class Unsupported(Exception):
    """The grammar holds something the translation does not model."""


class Compiled:
    """One grammar as one pattern plus the places pyparsing parses again after a match."""

    __slots__ = ("expr", "pattern", "_relaxed", "_steps", "_expand_tabs", "_memo")

    def __init__(self, expr: pp.ParserElement):
        builder = _Builder()
        self.expr = expr
        self.pattern = re.compile(builder.emit(expr))
        self._steps = tuple(builder.steps)
        # A miss of the pattern is pyparsing's miss too unless an element with parse actions sits
        # inside a choice: a rejecting action sends pyparsing down the next branch, which the
        # committed pattern never tries. Then the miss is checked against the relaxed pattern,
        # where every choice above such an element may backtrack: it accepts every text
        # pyparsing could accept, so its miss is a miss.
        self._relaxed = _Builder(relaxed=True).emit(expr) if builder.action_in_choice else None
        self._expand_tabs = not expr.keepTabs
        self._memo: dict = {}

    def parse(self, text: str):
        """The named results as a dict, None for no match, or FALLBACK."""
        if self._expand_tabs and "\t" in text:
            text = text.expandtabs()  # as parse_string does
        m = self.pattern.match(text)
        if m is None:
            relaxed = self._relaxed
            if relaxed is None:
                return None
            if isinstance(relaxed, str):  # compiled at its first use: most grammars never need it
                relaxed = self._relaxed = re.compile(relaxed)
            return None if relaxed.match(text) is None else FALLBACK
        named: dict = {}
        memo = self._memo
        for kind, group, payload in self._steps:
            start = m.start(group)
            if start < 0:
                continue  # inside an alternative or option that did not match
            if kind == _TEXT:
                named[payload] = m.group(group)
                continue
            if kind == _GROUP:  # set once the Regex matched (None when the group took no part)
                named[payload[1]] = m.group(payload[0])
                continue
            if kind == _VALUE:
                try:
                    value = payload[1](m.group(group))
                except ValueError:
                    return FALLBACK
                if payload[0] is not None:
                    named[payload[0]] = value
                continue
            if kind == _FIELDS:
                try:
                    fields = payload[1](m.group(group))
                except ValueError:
                    return FALLBACK
                if payload[0]:
                    named.update(fields)
                continue
            element, keep, token = payload
            if token:
                # A token's actions see only its text: their answer for one text is kept.
                key = (group, m.group(group))
                items = memo.get(key)
                if items is None:
                    items = _replay(element, text, start, m.end(group))
                    if items is not FALLBACK and all(type(v) in _PLAIN for _, v in items):
                        if len(memo) >= _MEMO_SIZE:
                            memo.clear()
                        memo[key] = items
            else:
                items = _replay(element, text, start, m.end(group))
            if items is FALLBACK:
                return FALLBACK
            if keep:
                for name, value in items:
                    named[name] = value
        return named


_PLAIN = frozenset((str, int, float, bool, type(None)))
_MEMO_SIZE = 4096


def _replay(element: pp.ParserElement, text: str, start: int, end: int):
    """pyparsing parses one element at its place: its named results, or FALLBACK."""
    try:
        stop, tokens = element._parse(text, start)
    except Exception:  # noqa: BLE001 - a rejected action: the whole parse decides
        return FALLBACK
    if stop != end:
        return FALLBACK
    return tuple((name, tokens[name]) for name in tokens.keys())


class _Builder:
    def __init__(self, relaxed: bool = False):
        self.steps: list[tuple[int, str, object]] = []
        self.action_in_choice = False
        self._relaxed = relaxed
        self._n = 0

    def _group(self, prefix: str) -> str:
        self._n += 1
        return f"{prefix}{self._n}"

    def _atomic(self, e: pp.ParserElement, source: str) -> str:
        """A committed group, except in the relaxed pattern above an element with actions."""
        if self._relaxed and _has_actions(e):
            return f"(?:{source})"
        return f"(?>{source})"

    def emit(self, e: pp.ParserElement, *, in_choice: bool = False, record: bool = True) -> str:
        """The pattern for e. `record`: named results below e reach the caller's result."""
        self._check(e)
        if e.parseAction and in_choice:
            self.action_in_choice = True
        if e.parseAction or (e.resultsName and not _yields_its_text(e)):
            # After a match: a value_token/fields_token's function runs on the text; any other
            # element is parsed again by pyparsing (its actions, conditions and names).
            group = self._group("_u")
            token = isinstance(e, pp.Token)
            self.steps.append((token and _marked_step(e, group, record)) or (_REPLAY, group, (e, record, token)))
            body = self._body(e, in_choice=in_choice, record=False, leaf_text_group=group if token else None)
            return body if token else f"(?P<{group}>{body})"
        if e.resultsName and record:
            group = self._group("_n")
            inner = self._body(e, in_choice=in_choice, record=record, leaf_text_group=group)
            self.steps.append((_TEXT, group, e.resultsName))
            return inner
        return self._body(e, in_choice=in_choice, record=record)

    def _check(self, e: pp.ParserElement) -> None:
        if e.debug or e.failAction or e.ignoreExprs:
            raise Unsupported("debug, fail action or ignored expressions")
        if not e.modalResults:
            raise Unsupported("a list-all-matches results name")
        if e.callDuringTry:
            raise Unsupported("an action called during lookahead")

    def _body(self, e, *, in_choice: bool, record: bool, leaf_text_group: str | None = None) -> str:
        kind = type(e)
        if kind is pp.And:
            return "".join(self.emit(x, in_choice=in_choice, record=record) for x in e.exprs)
        if kind is pp.MatchFirst:
            alternatives = "|".join(self.emit(x, in_choice=True, record=record) for x in e.exprs)
            return self._atomic(e, alternatives)
        if kind is pp.Opt:
            if e.defaultValue is not _NO_DEFAULT:
                raise Unsupported("an optional with a default value")
            return self._atomic(e, f"(?:{self.emit(e.expr, in_choice=True, record=record)})?")
        if kind is pp.Suppress:
            return self.emit(e.expr, in_choice=in_choice, record=False)
        # Leaves: pyparsing's whitespace skip, then the token.
        if not e.skipWhitespace or set(e.whiteChars) != _DEFAULT_WHITE:
            raise Unsupported("non-default whitespace")
        token = self._token(e, record=record)
        if leaf_text_group is not None:
            token = f"(?P<{leaf_text_group}>{token})"
        return _WS + token

    def _token(self, e, *, record: bool) -> str:
        kind = type(e)
        if kind is pp.Literal or kind.__name__ == "_SingleCharLiteral":
            return re.escape(e.match)
        if kind is pp.Empty:
            return ""
        if kind is pp.Keyword:
            if e.caseless:
                raise Unsupported("a caseless keyword")
            ident = "".join(re.escape(ch) for ch in sorted(getattr(e, "ident_chars", None) or e.identChars))
            return f"(?<![{ident}]){re.escape(e.match)}(?![{ident}])"
        if kind is pp.StringEnd:
            return r"\Z"
        if kind is pp.Regex:
            if e.asGroupList or e.asMatch:
                raise Unsupported("a Regex returning groups or the match")
            return self._regex(e.re, record=record)
        raise Unsupported(f"element {kind.__name__}")

    def _regex(self, compiled: re.Pattern, *, record: bool) -> str:
        source = compiled.pattern
        if not isinstance(source, str) or _UNSUPPORTED_REGEX.search(source):
            raise Unsupported("a pattern with numbered back-references or global flags")
        renamed: dict[str, str] = {}

        def name(match: re.Match) -> str:
            group = renamed.setdefault(match.group(1), self._group("_g"))
            return f"(?P<{group}>"

        source = _NAMED_GROUP.sub(name, source)
        source = _GROUP_REF.sub(lambda m: f"(?P={renamed[m.group(1)]})", source)
        flags = "".join(letter for flag, letter in _FLAG_LETTERS if compiled.flags & flag)
        unknown = compiled.flags & ~(re.UNICODE | re.IGNORECASE | re.MULTILINE | re.DOTALL | re.VERBOSE)
        if unknown:
            raise Unsupported("regex flags")
        token = f"(?>(?{flags}:{source}))" if flags else f"(?>{source})"
        if record and renamed:
            # Regex.parseImpl sets every named group, in pattern order, None for one that took no
            # part: a group around the whole token says whether the token matched at all.
            present = self._group("_p")
            for original, group in sorted(renamed.items(), key=lambda kv: compiled.groupindex[kv[0]]):
                self.steps.append((_GROUP, present, (group, original)))
            token = f"(?P<{present}>{token})"
        return token


def _marked_step(e: pp.ParserElement, group: str, record: bool):
    """The step for a token whose one parse action is a value_token/fields_token function, or None."""
    if len(e.parseAction) != 1:
        return None
    action = e.parseAction[0]
    value = getattr(action, "token_value", None)
    if value is not None:
        return _VALUE, group, (e.resultsName if record else None, value)
    fields = getattr(action, "token_fields", None)
    if fields is not None and not e.resultsName:
        return _FIELDS, group, (record, fields)
    return None


def _has_actions(e: pp.ParserElement) -> bool:
    if e.parseAction:
        return True
    children = getattr(e, "exprs", None) or ([e.expr] if getattr(e, "expr", None) is not None else [])
    return any(_has_actions(x) for x in children)


def _yields_its_text(e: pp.ParserElement) -> bool:
    """A token whose single result is the text it matched (so a name on it is that text)."""
    kind = type(e)
    return kind in (pp.Literal, pp.Keyword, pp.Regex) or kind.__name__ == "_SingleCharLiteral"


def compile_grammar(expr: pp.ParserElement) -> Compiled | None:
    """The compiled form of a streamlined grammar, or None when it holds what is not modelled."""
    try:
        return Compiled(expr)
    except (Unsupported, re.error, RecursionError, KeyError):
        return None
