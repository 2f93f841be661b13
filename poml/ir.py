"""The intermediate representation, as :mod:`renderers.ir` defines it.

The IR lives in ``renderers`` (the bottom layer) so that the writers need nothing from
``poml``; the engine imports it from there. This module keeps ``poml.ir`` importable.
"""

from renderers.ir import Element, escape, quoteattr

__all__ = ["Element", "escape", "quoteattr"]
