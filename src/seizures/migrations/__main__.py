"""`python -m seizures.migrations "what changes"`: write the next revision file, to fill in by hand."""

import sys

from seizures.migrations import new_revision

print(new_revision(" ".join(sys.argv[1:]) or "change"))
