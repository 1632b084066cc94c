"""The deception graph: personas as nodes, one edge per finding and target (``networkx.MultiDiGraph``).

- ``build.py`` builds it (at once or run by run); ``table.py`` is its who-deceived-whom table (from a
  graph, or merged run by run at scale); ``files.py`` writes GraphML, GEXF, node-link JSON and, with
  matplotlib, ``plot.py``'s PNG.
- **A graph metric lives in** ``metrics.py`` (functions of ``G``, NetworkX style: ``G`` first,
  attribute names as keyword parameters, a doctest example) or, when it reads runs rather than the
  graph (how lies travel and get caught within runs), in ``flow.py``; export it here.
"""

from skins.analysis.graph.build import (
    DeceptionGraphBuilder,
    RunEdges,
    build_deception_graph,
    node_key,
    run_edges,
)
from skins.analysis.graph.files import GRAPH_FILES, flatten_graph, write_graph, write_graph_files
from skins.analysis.graph.flow import (
    CatchRate,
    Chain,
    catch_ways,
    caught_rate,
    interaction_counts,
    second_hand_chains,
    was_caught,
)
from skins.analysis.graph.metrics import (
    aggregate,
    deception_degree,
    deception_reciprocity,
    most_deceived,
    motive_subgraph,
    top_deceivers,
)
from skins.analysis.graph.table import DeceptionTableBuilder, RunTable, TableRow, deception_table, run_table

__all__ = [
    "GRAPH_FILES",
    "CatchRate",
    "Chain",
    "DeceptionGraphBuilder",
    "DeceptionTableBuilder",
    "RunEdges",
    "RunTable",
    "TableRow",
    "aggregate",
    "build_deception_graph",
    "catch_ways",
    "caught_rate",
    "deception_degree",
    "deception_reciprocity",
    "deception_table",
    "flatten_graph",
    "interaction_counts",
    "most_deceived",
    "motive_subgraph",
    "node_key",
    "run_edges",
    "run_table",
    "second_hand_chains",
    "top_deceivers",
    "was_caught",
    "write_graph",
    "write_graph_files",
]
