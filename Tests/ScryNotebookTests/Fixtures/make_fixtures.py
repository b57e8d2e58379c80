#!/usr/bin/env python3
"""Writes written_by_nbformat.ipynb with Jupyter's own library: one cell of each kind and one
output of each type. The tests check that Scry reads it and writes it back byte for byte."""
import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

nb = new_notebook()
nb.metadata = {"kernelspec": {"name": "scry", "display_name": "Scry", "language": "scry"},
               "language_info": {"name": "scry", "file_extension": ".scry", "mimetype": "text/x-scry", "version": "0.1.0"},
               "scry": {"version": "0.1.0", "seed": 0, "threads": 2, "started": "2026-11-26T23:00:00Z"}}
c1 = new_code_cell(source="x = 1\nprint(\"héllo\\t\")", execution_count=1, id="cell-1")
c1.outputs = [new_output("stream", name="stdout", text="héllo\t\n")]
c2 = new_code_cell(source="x + 1", execution_count=2, id="cell-2")
c2.outputs = [new_output("execute_result", data={"text/plain": "2"}, execution_count=2)]
c3 = new_markdown_cell(source="# Title\nSome *text*", id="cell-3")
c4 = new_code_cell(source="show(t)", execution_count=3, id="cell-4")
c4.outputs = [new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "<picture 2×2>\nline2"},
                         metadata={"image/png": {"width": 2, "height": 2}})]
c5 = new_code_cell(source="[][0]", execution_count=4, id="cell-5")
c5.outputs = [new_output("error", ename="IndexError", evalue="list index 0 is out of range",
                         traceback=["Traceback (most recent call last):", "IndexError: list index 0 is out of range"])]
c6 = new_code_cell(source="", execution_count=None, id="cell-6")
nb.cells = [c1, c2, c3, c4, c5, c6]
nbformat.validate(nb)
nbformat.write(nb, "written_by_nbformat.ipynb")

# Outputs other tools write: JSON-valued MIME types, SVG and JavaScript (split into lines), HTML,
# and an integer above 2^63 in the metadata.
rich = new_notebook()
rich.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                 "big": 18446744073709551615}
r1 = new_code_cell(source="widget", execution_count=1, id="rich-1")
r1.outputs = [new_output("display_data", data={
    "application/json": {"a": [1, 2.5, None, True], "b": {"nested": "x"}},
    "application/vnd.custom+json": [1, 2],
    "image/svg+xml": "<svg>\n<rect/>\n</svg>",
    "application/javascript": "let a = 1;\nconsole.log(a);",
    "text/html": "<b>bold</b>\n<i>x</i>",
    "text/plain": "widget"})]
rich.cells = [r1]
nbformat.validate(rich)
nbformat.write(rich, "rich_outputs.ipynb")
