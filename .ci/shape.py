#!/usr/bin/env python3
"""The house's shape, checked: what docs/architecture.md promises a newcomer.

- no product source file (crates/*/src) over 800 lines;
- no function over 120 lines (product code: unit-test modules, after `#[cfg(test)]` or in a
  `tests.rs`, are not counted);
- no import cycle among the top-level modules of any crate;
- the CLI does not depend on the web crate (they are peers over crates/app).

Prints each breach and exits 1 if there is any. Reads the files as text: string literals,
character literals and comments are blanked before braces are counted."""
import os, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_FILE, MAX_FN = 800, 120


def blank(text):
    """The text with the insides of strings, chars and comments replaced by spaces (newlines
    kept), so braces and `crate::` inside them do not count."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith('//', i):
            j = text.find('\n', i)
            j = n if j < 0 else j
            out.append(' ' * (j - i)); i = j
        elif text.startswith('/*', i):
            j = text.find('*/', i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r'[^\n]', ' ', text[i:j])); i = j
        elif c == 'r' and re.match(r'r#*"', text[i:i + 10]) and not (i and (text[i - 1].isalnum() or text[i - 1] == '_')):
            m = re.match(r'r(#*)"', text[i:])
            end = '"' + m.group(1)
            j = text.find(end, i + len(m.group(0)))
            j = n if j < 0 else j + len(end)
            out.append(re.sub(r'[^\n]', ' ', text[i:j])); i = j
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == '\\' else 1
            j += 1
            out.append(re.sub(r'[^\n]', ' ', text[i:j])); i = j
        elif c == "'":
            m = re.match(r"'(\\.[^']*|[^'\\])'", text[i:])
            if m:
                out.append(' ' * len(m.group(0))); i += len(m.group(0))
            else:
                out.append(c); i += 1
        else:
            out.append(c); i += 1
    return ''.join(out)


def functions(path, text):
    """(name, first line, length in lines) of every fn with a body."""
    clean = blank(text)
    lines = clean.split('\n')
    found = []
    for m in re.finditer(r'\bfn\s+(\w+)', clean):
        start = m.start()
        # the body's opening brace: the first `{` after the signature, unless a `;` comes first
        j = start
        depth_paren = 0
        while j < len(clean):
            ch = clean[j]
            if ch in '([<':
                depth_paren += 1 if ch != '<' else 0
            if ch == ';' and depth_paren == 0:
                j = -1
                break
            if ch == '{':
                break
            if ch in ')]':
                depth_paren -= 1
            j += 1
        if j < 0 or j >= len(clean):
            continue
        depth, k = 0, j
        while k < len(clean):
            if clean[k] == '{':
                depth += 1
            elif clean[k] == '}':
                depth -= 1
                if depth == 0:
                    break
            k += 1
        first = clean.count('\n', 0, start) + 1
        last = clean.count('\n', 0, k) + 1
        found.append((m.group(1), first, last - first + 1))
    return found


def top_module(crate_src, path):
    rel = path.relative_to(crate_src).parts
    if rel[0] in ('lib.rs', 'main.rs'):
        return None
    return rel[0][:-3] if rel[0].endswith('.rs') else rel[0]


def cycles(graph):
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]
    def visit(v):
        index[v] = low[v] = counter[0]; counter[0] += 1
        stack.append(v); on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w); low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop(); on.discard(w); comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))
    for v in list(graph):
        if v not in index:
            visit(v)
    return out


def main():
    problems = []
    for crate in sorted((ROOT / 'crates').iterdir()):
        src = crate / 'src'
        if not src.is_dir():
            continue
        graph = {}
        for path in sorted(src.rglob('*.rs')):
            text = path.read_text()
            rel = path.relative_to(ROOT)
            n = text.count('\n')
            if n > MAX_FILE:
                problems.append(f'{rel}: {n} lines (at most {MAX_FILE})')
            product = '' if path.name == 'tests.rs' else text.split('#[cfg(test)]')[0]
            for name, line, length in functions(path, product):
                if length > MAX_FN:
                    problems.append(f'{rel}:{line}: fn {name} is {length} lines (at most {MAX_FN})')
            me = top_module(src, path)
            if me is None:
                continue
            clean = blank(text)
            used = set(re.findall(r'\bcrate::(\w+)', clean))
            for group in re.findall(r'\bcrate::\{([^}]*)\}', clean):
                used |= set(re.findall(r'(?:^|,)\s*(\w+)', group))
            graph.setdefault(me, set()).update(u for u in used if u != me and (src / f'{u}.rs').exists() or (src / u).is_dir() and u != me)
        for comp in cycles(graph):
            problems.append(f'{crate.relative_to(ROOT)}: modules import each other in a cycle: {", ".join(comp)}')
    cli = (ROOT / 'crates' / 'cli' / 'Cargo.toml').read_text()
    if 'custodian-web' in cli:
        problems.append('crates/cli depends on custodian-web: the CLI and the web are peers over crates/app')
    for p in problems:
        print(p)
    print(f'shape: {len(problems)} problems')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
