"""Markup formats to the text a reader sees: Markdown (markdown-it-py) and HTML (jusText).

Both return a :class:`~policykit.corpus.layout.ReadText`: plain text with one block (blank line
between) per heading, paragraph, list item or table row, plus the spans of the headings. That
text is the document's raw text, the one all its offsets index into (as for PDF and DOCX):

* **Markdown**: headings lose their ``#`` marks and are marked as headings; emphasis, code
  spans, link and image syntax are removed (a link keeps its text); bullet items start with
  ``• `` (dropped from the sentence like any bullet), ordered items keep their number; tables
  give one line per row, cells tab-separated; thematic breaks (``---``) and HTML comments are
  dropped; a YAML front matter's ``title`` is the title, else the first level-1 heading (else
  the first heading).
* **HTML**: the visible text of block elements, then boilerplate removal. Page furniture
  that the HTML declares is dropped (``<nav>``, ``<aside>``, ``<footer>``, a page ``<header>``
  without the ``<h1>``, ARIA navigation/banner/contentinfo/search landmarks, elements whose
  id or class names a cookie/consent banner, menu, breadcrumb, share bar...: lists in
  ``data/rules/html.yaml``); the remaining blocks are classified by jusText's
  context-sensitive classifier (link density, stop-word density, length, neighbours) as
  content or boilerplate; blocks inside ``<main>``/``<article>`` and runs of short blocks
  without links next to content are kept. When the page's language has no jusText stop list (e.g. Chinese),
  or the classifier would keep less than a fifth of the text, only link-dense blocks are
  dropped. The title is the first
  ``<h1>``, else ``og:title``, else ``<title>`` without its site suffix ("Title | Site").
"""

from __future__ import annotations

import functools
import re

from .layout import ReadText

_PARA = "\x00"   # block break marker while walking the tree
_LINE = "\x01"   # line break marker (<br>)
_HEAD = "\x02"   # starts a heading block (followed by its level digit)

from .. import config

HTML_RULES_PATH = config.DATA_DIR / "rules" / "html.yaml"


@functools.lru_cache(maxsize=2)
def load_html_rules(path: str | None = None) -> dict:
    """Read ``data/rules/html.yaml`` (boilerplate elements, jusText settings, title separators)."""
    from ..yamlfile import read_yaml

    p = path or str(HTML_RULES_PATH)
    rules = read_yaml(p, what="HTML rules file", restore="restore data/rules/html.yaml from the repository") or {}
    for key in ("drop_tags", "drop_class_words", "justext", "min_kept_share", "title_separators"):
        if key not in rules:
            from ..errors import InputError
            raise InputError(p, f"HTML rules lack the key {key!r}", "restore it from the file shipped with policykit")
    rules["drop_tags_set"] = frozenset(t.lower() for t in rules["drop_tags"])
    words = "|".join(re.escape(w.lower()) for w in rules["drop_class_words"])
    rules["drop_class_re"] = re.compile(rf"(?:^|[\s_-])(?:{words})(?:$|[\s_-])")
    return rules


# --------------------------------------------------------------------------- assembling text
def _assemble(blocks: list[tuple[str, int]]) -> tuple[str, list[tuple[int, int, int]]]:
    """Join ``(text, heading_level)`` blocks with blank lines; heading spans in the result."""
    parts: list[str] = []
    heads: list[tuple[int, int, int]] = []
    pos = 0
    for text, level in blocks:
        if not text.strip():
            continue
        if parts:
            parts.append("\n\n")
            pos += 2
        if level:
            heads.append((pos, pos + len(text), level))
        parts.append(text)
        pos += len(text)
    return "".join(parts) + ("\n" if parts else ""), heads


def _title_span(text: str, heads, title: str | None):
    if not title:
        return None
    for s, e, _lvl in heads:
        if " ".join(text[s:e].split()) == " ".join(title.split()):
            return (s, e)
    return None


# --------------------------------------------------------------------------- Markdown
@functools.lru_cache(maxsize=1)
def _md_parser():
    from markdown_it import MarkdownIt
    from mdit_py_plugins.front_matter import front_matter_plugin

    return MarkdownIt("commonmark").enable("table").enable("strikethrough").use(front_matter_plugin)


def _md_inline(tok) -> str:
    out: list[str] = []
    for ch in tok.children or []:
        t = ch.type
        if t in ("text", "code_inline"):
            out.append(ch.content)
        elif t in ("softbreak", "hardbreak"):
            out.append("\n")
        elif t == "image":
            continue
        elif t == "html_inline":
            if re.fullmatch(r"\s*<br\s*/?>\s*", ch.content, re.I):
                out.append("\n")
    text = "".join(out)
    lines = [" ".join(ln.split()) for ln in text.split("\n")]
    return "\n".join(ln for ln in lines if ln)


def _front_matter_title(content: str) -> str | None:
    import yaml

    try:
        data = yaml.safe_load(content)
    except yaml.YAMLError:
        return None
    if isinstance(data, dict) and isinstance(data.get("title"), str) and data["title"].strip():
        return " ".join(data["title"].split())
    return None


def markdown_to_text(source: str) -> tuple[ReadText, str | None]:
    """Plain text of a Markdown document, with its headings marked, and its title.

    Parameters
    ----------
    source : str
        Markdown source.

    Returns
    -------
    text, title : ReadText, str or None
    """
    tokens = _md_parser().parse(source)
    blocks: list[tuple[str, int]] = []
    fm_title = None
    stack: list[list] = []  # open lists: [kind, counter]
    row: list[str] | None = None
    pending_marker = ""
    heading_level = 0
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        t = tok.type
        if t == "front_matter":
            fm_title = _front_matter_title(tok.content)
        elif t == "heading_open":
            heading_level = int(tok.tag[1])
        elif t == "heading_close":
            heading_level = 0
        elif t in ("bullet_list_open", "ordered_list_open"):
            start = int(tok.attrGet("start") or 1) if t == "ordered_list_open" else 0
            stack.append(["ol" if t == "ordered_list_open" else "ul", start])
        elif t in ("bullet_list_close", "ordered_list_close"):
            stack.pop()
        elif t == "list_item_open":
            kind, n = stack[-1]
            pending_marker = "• " if kind == "ul" else f"{n}. "
            if kind == "ol":
                stack[-1][1] += 1
        elif t == "tr_open":
            row = []
        elif t == "tr_close":
            if row:
                blocks.append(("\t".join(row), 0))
            row = None
        elif t == "inline":
            text = _md_inline(tok)
            if row is not None:
                row.append(" ".join(text.split()))
            elif text:
                blocks.append((pending_marker + text, heading_level))
                pending_marker = ""
        elif t in ("fence", "code_block"):
            code = tok.content.rstrip("\n")
            if code.strip():
                blocks.append((pending_marker + code, 0))
                pending_marker = ""
        elif t == "html_block":
            inner, _ = html_to_text(tok.content, boilerplate=False)
            if inner.strip():
                blocks.append((inner.strip(), 0))
        i += 1
    text, heads = _assemble(blocks)
    title = fm_title
    if title is None:
        h1 = [(s, e) for s, e, lvl in heads if lvl == 1]
        first = h1[0] if h1 else (heads[0][:2] if heads else None)
        title = text[first[0]:first[1]] if first else None
    return ReadText(text, heads, _title_span(text, heads, title)), title


# --------------------------------------------------------------------------- HTML
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "head", "title", "meta", "link",
                        "svg", "canvas", "iframe", "object", "button", "select", "option", "form",
                        "nav", "input", "textarea"})
_BLOCK_TAGS = frozenset({"p", "div", "section", "article", "main", "aside", "header", "footer",
                         "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd",
                         "blockquote", "pre", "table", "thead", "tbody", "tfoot", "tr", "caption",
                         "figure", "figcaption", "address", "hr", "details", "summary", "body", "html",
                         "center", "fieldset", "legend"})
_LANDMARKS = frozenset({"navigation", "banner", "contentinfo", "search", "menu", "menubar"})


class _Block:
    """One block of visible text, with what jusText's classifier needs to know about it."""

    def __init__(self, path: str, level: int, in_content: bool = False):
        self.dom_path = path
        self.level = level
        self.in_content = in_content
        self.parts: list[str] = []
        self.chars_count_in_links = 0
        self.tags_count = 0
        self.cf_class = ""
        self.class_type = ""
        self.heading = False

    # the attributes and methods jusText's classify_paragraphs / revise_... use
    @property
    def text(self) -> str:
        return " ".join("".join(self.parts).replace(_LINE, " ").split())

    @property
    def is_heading(self) -> bool:
        return self.level > 0

    def __len__(self) -> int:
        return len(self.text)

    @property
    def words_count(self) -> int:
        return len(self.text.split())

    def stopwords_count(self, stopwords) -> int:
        return sum(w.lower() in stopwords for w in self.text.split())

    def stopwords_density(self, stopwords) -> float:
        n = self.words_count
        return self.stopwords_count(stopwords) / n if n else 0.0

    def links_density(self) -> float:
        n = len(self.text)
        return self.chars_count_in_links / n if n else 0.0


class _Walker:
    """Visible text of an HTML tree as a list of :class:`_Block`."""

    def __init__(self, boilerplate: bool = True):
        self.rules = load_html_rules() if boilerplate else None
        self.in_content = 0  # depth inside <main>/<article>
        self.blocks: list[_Block] = []
        self.cur: _Block | None = None
        self.path: list[str] = []
        self.level = 0
        self.pending = ""  # a list marker waiting for its item's first text

    def _new(self):
        if self.cur is not None and "".join(self.cur.parts).strip():
            self.blocks.append(self.cur)
        self.cur = _Block(".".join(self.path), self.level, self.in_content > 0)

    def _add(self, s: str, in_link: bool):
        if self.cur is None:
            self._new()
        if self.pending and s.strip(" \t" + _LINE):
            self.cur.parts.append(self.pending)
            self.pending = ""
        self.cur.parts.append(s)
        if in_link:
            self.cur.chars_count_in_links += len(" ".join(s.replace(_LINE, " ").split()))

    def walk(self, node, pre: bool = False, in_link: bool = False) -> None:
        from bs4 import Comment, Declaration, Doctype, NavigableString, ProcessingInstruction, Tag

        for child in node.children:
            if isinstance(child, (Comment, Declaration, Doctype, ProcessingInstruction)):
                continue
            if isinstance(child, NavigableString):
                s = str(child)
                self._add(s.replace("\n", _LINE) if pre else re.sub(r"\s+", " ", s), in_link)
                continue
            if not isinstance(child, Tag):
                continue
            name = (child.name or "").lower()
            if name in _SKIP_TAGS or child.get("hidden") is not None:
                continue
            if (child.get("role") or "").lower() in _LANDMARKS or (child.get("aria-hidden") or "") == "true":
                continue
            style = (child.get("style") or "").replace(" ", "").lower()
            if "display:none" in style or "visibility:hidden" in style:
                continue
            if self.rules is not None and self._furniture(child, name):
                continue
            if self.cur is not None:
                self.cur.tags_count += 1
            link = in_link or name == "a"
            content = name in ("main", "article")
            self.in_content += content
            if name == "br":
                self._add(_LINE, in_link)
            elif name in ("td", "th"):
                self._add(" ", link)
                self.walk(child, pre, link)
                self._add(" \t", link)
            elif name in _BLOCK_TAGS:
                self.path.append(name)
                level = int(name[1]) if re.fullmatch(r"h[1-6]", name) else 0
                outer = self.level
                if level:
                    self.level = level
                self._new()
                if name == "li":
                    parent = (child.parent.name or "").lower() if child.parent is not None else ""
                    if parent == "ol":
                        siblings = child.parent.find_all("li", recursive=False)
                        try:
                            start = int(child.parent.get("start") or 1)
                        except ValueError:
                            start = 1
                        try:
                            self.pending = f"{siblings.index(child) + start}. "
                        except ValueError:
                            pass
                    else:
                        self.pending = "• "
                self.walk(child, pre or name == "pre", link)
                self.pending = ""
                self.level = outer
                self.path.pop()
                self._new()
            else:
                self.walk(child, pre, link)
            self.in_content -= content

    def _furniture(self, tag, name: str) -> bool:
        """True for page furniture that HTML declares: navigation, sidebars, footers, banners."""
        if name in self.rules["drop_tags_set"]:
            return True
        if name == "header" and not self.in_content and tag.find("h1") is None:
            return True
        ident = " ".join([tag.get("id") or ""] + list(tag.get("class") or [])).lower()
        return bool(ident) and bool(self.rules["drop_class_re"].search(ident))


def _block_text(b: _Block) -> str:
    lines = [" ".join(ln.replace("\t", " ").split()) for ln in "".join(b.parts).split(_LINE)]
    return "\n".join(ln for ln in lines if ln)


#: jusText stop lists tried to find a page's language (the one with the highest stop-word density wins).
JUSTEXT_LANGUAGES = ("English", "French", "German", "Spanish", "Italian", "Portuguese", "Dutch")


def _stoplist(text: str):
    import justext

    words = [w.lower() for w in text.split()][:5000]
    if not words:
        return None
    best, best_share = None, 0.0
    for lang in JUSTEXT_LANGUAGES:
        sl = justext.get_stoplist(lang)
        share = sum(w in sl for w in words) / len(words)
        if share > best_share:
            best, best_share = sl, share
    return best if best_share >= 0.15 else None


def remove_boilerplate(blocks: list[_Block]) -> list[_Block]:
    """The content blocks of a page, by jusText's classifier (see the module docstring)."""
    from justext.core import classify_paragraphs, revise_paragraph_classification

    rules = load_html_rules()
    jt = rules["justext"]
    total = sum(len(b) for b in blocks)

    def not_link_dense():
        return [b for b in blocks if b.links_density() <= jt["max_link_density"]]

    stoplist = _stoplist(" ".join(b.text for b in blocks))
    if stoplist is None or total == 0:
        return not_link_dense()
    classify_paragraphs(blocks, stoplist, length_low=jt["length_low"], length_high=jt["length_high"],
                        stopwords_low=jt["stopwords_low"], stopwords_high=jt["stopwords_high"],
                        max_link_density=jt["max_link_density"])
    revise_paragraph_classification(blocks, max_heading_distance=jt["max_heading_distance"])
    # declared content (<main>, <article>) is kept; so are runs of short blocks without links
    # that touch content (list items and table rows at the end of a text)
    for b in blocks:
        if b.in_content:
            b.class_type = "good"
    n = len(blocks)
    plain = [b.cf_class == "short" and b.chars_count_in_links == 0 for b in blocks]
    i = 0
    while i < n:
        if not plain[i] or blocks[i].class_type == "good":
            i += 1
            continue
        j = i
        while j < n and plain[j] and blocks[j].class_type != "good":
            j += 1
        if (i > 0 and blocks[i - 1].class_type == "good") or (j < n and blocks[j].class_type == "good"):
            for k in range(i, j):
                blocks[k].class_type = "good"
        i = j
    kept = [b for b in blocks if b.class_type == "good"]
    if sum(len(b) for b in kept) < rules["min_kept_share"] * total:
        return not_link_dense()
    return kept


def clean_title(title: str | None) -> str | None:
    """A page ``<title>`` without its site suffix or prefix ("Title | Site" → "Title")."""
    if not title:
        return None
    title = " ".join(title.split())
    for sep in load_html_rules()["title_separators"]:
        if sep in title:
            parts = [p.strip() for p in title.split(sep) if p.strip()]
            if len(parts) >= 2:
                # the title is the longest part (a site name is usually the shorter one)
                return max(parts, key=len) if len(parts[0]) < 0.5 * max(len(p) for p in parts) else parts[0]
    return title


def html_to_text(html: str, boilerplate: bool = True) -> tuple[ReadText, str | None]:
    """Visible text of an HTML document, one block element per paragraph.

    Parameters
    ----------
    html : str
        Decoded HTML.
    boilerplate : bool
        Remove navigation, banners, footers and other boilerplate (see the module docstring).

    Returns
    -------
    text, title : ReadText, str or None
        Paragraphs separated by a blank line (``<br>`` gives a line break within a paragraph,
        ordered-list items keep their number, bulleted ones start with ``• ``), headings
        marked; the title (``<h1>``, else ``og:title``, else ``<title>`` without site suffix).
    """
    from bs4 import BeautifulSoup

    try:
        soup = BeautifulSoup(html, "lxml")
    except Exception:  # lxml missing: fall back to the standard library parser
        soup = BeautifulSoup(html, "html.parser")
    walker = _Walker(boilerplate)
    try:
        walker.walk(soup)
        walker._new()
        found = walker.blocks
    except RecursionError:  # absurdly deep nesting: fall back to BeautifulSoup's own text
        for tag in soup(list(_SKIP_TAGS)):
            tag.decompose()
        found = []
        for chunk in soup.get_text(_PARA).split(_PARA):
            b = _Block("", 0)
            b.parts.append(re.sub(r"\s+", " ", chunk))
            if b.text:
                found.append(b)
    kept = remove_boilerplate(found) if boilerplate and found else found
    text, heads = _assemble([(_block_text(b), b.level) for b in kept])
    title = None
    h1 = soup.find("h1")
    if h1 is not None and h1.get_text(strip=True):
        title = " ".join(h1.get_text(" ").split())
    if title is None:
        og = soup.find("meta", attrs={"property": "og:title"})
        if og is not None and (og.get("content") or "").strip():
            title = " ".join(og["content"].split())
    if title is None and soup.title is not None and soup.title.get_text(strip=True):
        title = clean_title(soup.title.get_text())
    return ReadText(text, heads, _title_span(text, heads, title)), title
