"""YAML read with bounds: a config file cannot cost more than a config file should.

PyYAML's safe loader refuses objects, not size: nine anchors each aliasing the last one nine
times (a "billion laughs") compose to a small graph of nodes, but that graph stands for 9^9
values, and whatever walks the loaded data (interpolation, merging, JSON) walks them all. So
the composed graph is measured before anything is built from it: the values it stands for with
every alias (and merge key) expanded, and how deep it nests; an alias to the collection it is
in is refused too. The measure costs one visit per node (shared nodes are counted once and
multiplied), so a bomb is refused in milliseconds.
"""

from __future__ import annotations

from typing import Any

from buildtools.errors import UserError

MAX_TEXT_BYTES = 1 << 20
MAX_VALUES = 100_000
MAX_DEPTH = 64


def load(text: str, name: str) -> Any:
    """The data of YAML `text` (from the file `name`), refused in one line when it stands for
    more than MAX_VALUES values or nests deeper than MAX_DEPTH."""
    import yaml

    if len(text) > MAX_TEXT_BYTES:
        raise UserError(f"{name}: {len(text)} bytes is more than a config file may hold "
                        f"({MAX_TEXT_BYTES}); is it the right file?")
    _check_nesting(text, name)  # before composing, which recurses as deep as the text nests
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _measure(node, name)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _check_nesting(text: str, name: str) -> None:
    import yaml

    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                _too_deep(name, event.start_mark.line if event.start_mark else 0)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _too_deep(name: str, line: int) -> None:
    raise UserError(f"{name}: line {line + 1}: nested more than {MAX_DEPTH} levels deep; a "
                    "config file is not that deep")


def _measure(root: Any, name: str) -> None:
    import yaml

    sizes: dict[int, tuple[int, int]] = {}  # id(node) -> (values, depth)
    open_nodes: set[int] = set()

    def visit(node: yaml.Node, depth: int) -> tuple[int, int]:
        if depth > MAX_DEPTH:
            _too_deep(name, node.start_mark.line)
        known = sizes.get(id(node))
        if known is not None:
            if depth + known[1] > MAX_DEPTH:
                _too_deep(name, node.start_mark.line)
            return known
        if id(node) in open_nodes:
            raise UserError(f"{name}: line {node.start_mark.line + 1}: an alias refers to the "
                            "collection it is inside; YAML configs cannot be recursive")
        values, deepest = 1, 0
        if isinstance(node, (yaml.SequenceNode, yaml.MappingNode)):
            open_nodes.add(id(node))
            children = node.value if isinstance(node, yaml.SequenceNode) else [
                part for pair in node.value for part in pair]
            for child in children:
                more, below = visit(child, depth + 1)
                values += more
                deepest = max(deepest, below + 1)
                if values > MAX_VALUES:
                    raise UserError(
                        f"{name}: line {node.start_mark.line + 1}: stands for more than "
                        f"{MAX_VALUES} values once its aliases (*name) are expanded; a config "
                        "file does not need that many: expand fewer aliases")
            open_nodes.discard(id(node))
        sizes[id(node)] = (values, deepest)
        return values, deepest

    visit(root, 0)
