"""``except E, target:`` binds *target* as Python 2 does.

fissix's fix_except writes ``except E as target:``, but Python 3 deletes
that name when the handler ends, and for a tuple or attribute target it adds
lines (which would shift every later line number in tracebacks).  Here the
exception is caught under a hidden name and assigned to the target on the
handler's first line, before its first statement: the target keeps its value
after the handler, as in Python 2 (``except EOFError,KeyboardInterrupt:``
rebinds the name ``KeyboardInterrupt``), and no line moves.
"""
from fissix import fixer_base  # type: ignore
from fissix import pytree  # type: ignore
from fissix.fixer_util import Name  # type: ignore
from fissix.pgen2 import token  # type: ignore
from fissix.pygram import python_symbols as syms  # type: ignore


def _first_leaf(node):
    while not isinstance(node, pytree.Leaf):
        node = node.children[0]
    return node


class FixPy2Except(fixer_base.BaseFix):
    BM_compatible = True
    PATTERN = """
    try_stmt< 'try' ':' (simple_stmt | suite)
                  cleanup=(except_clause ':' (simple_stmt | suite))+
                  tail=(['except' ':' (simple_stmt | suite)]
                        ['else' ':' (simple_stmt | suite)]
                        ['finally' ':' (simple_stmt | suite)]) >
    """

    def start_tree(self, tree, filename):
        super().start_tree(tree, filename)
        self.count = 0

    def transform(self, node, results):
        children = results["cleanup"]
        pairs = [(children[i], children[i + 2])
                 for i in range(0, len(children), 3)]
        for clause, body in pairs:
            if len(clause.children) != 4:
                continue
            comma = clause.children[2]
            if comma.type != token.COMMA:
                continue
            target = clause.children[3]
            self.count += 1
            hidden = "_fastsock_py2_exc_%d" % self.count
            comma.replace(Name("as", prefix=" "))
            target.replace(Name(hidden, prefix=" "))
            unpack = (target.type == syms.atom and target.children[0].value
                      in "([") if isinstance(target, pytree.Node) else False
            value = hidden + (".args" if unpack else "")
            where = body
            if body.type == syms.suite:
                # suite: NEWLINE INDENT stmt...; the first statement's first
                # leaf carries the indentation in its prefix.
                where = [c for c in body.children if c.type not in
                         (token.NEWLINE, token.INDENT)][0]
            leaf = _first_leaf(where)
            text = str(target).strip()
            leaf.prefix = leaf.prefix + "%s = %s; " % (text, value)
            leaf.changed()
        return None
