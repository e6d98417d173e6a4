"""``a / b`` divides as in Python 2: integers give the floor.

Python 3's ``/`` always gives a float and fissix does not translate it.
Every ``/`` of a module without ``from __future__ import division`` becomes
a call of the runtime's ``_fastsock_py2_div(a, b)`` (``a // b`` when both are
integers, ``a / b`` otherwise), and ``name /= b`` the assignment of it.  The
operands stay nodes of the tree, for the other fixers, and on their lines.
"""
from fissix import fixer_base  # type: ignore
from fissix import pytree  # type: ignore
from fissix.fixer_util import Call, Comma, Name  # type: ignore
from fissix.pgen2 import token  # type: ignore
from fissix.pygram import python_symbols as syms  # type: ignore

DIV = "_fastsock_py2_div"


def _div_call(left, right):
    left.prefix = ""
    if not right.prefix:
        right.prefix = " "
    return Call(Name(DIV), [left, Comma(), right])


class FixPy2Div(fixer_base.BaseFix):
    # Not for the bottom matcher, which anchors patterns on a leaf.
    BM_compatible = False
    PATTERN = "term< any+ > | expr_stmt< any '/=' any >"

    def start_tree(self, tree, filename):
        super().start_tree(tree, filename)
        self.true_division = "division" in tree.future_features

    def transform(self, node, results):
        if self.true_division:
            return None
        prefix = node.prefix
        if node.type == syms.expr_stmt:
            target, op, value = node.children
            if target.type != token.NAME:
                return None     # attribute/subscript targets: left alone
            value.remove()
            spacing = value.prefix
            op.replace(pytree.Leaf(token.EQUAL, "=", prefix=op.prefix))
            call = _div_call(target.clone(), value)
            call.prefix = spacing
            node.append_child(call)
            return None
        kids = [k for k in node.children]
        if not any(k.type == token.SLASH for k in kids[1::2]):
            return None
        for k in kids:
            k.remove()
        cur = kids[0]
        for op, operand in zip(kids[1::2], kids[2::2]):
            if op.type == token.SLASH:
                cur = _div_call(cur, operand)
            else:
                cur = pytree.Node(syms.term, [cur, op, operand])
        cur.prefix = prefix
        return cur
