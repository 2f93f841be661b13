"""Size and depth limits that keep untrusted markup from exhausting the process.

Each limit is checked where the quantity grows, and breaking it raises
:class:`~poml.PomlLimitError` (or ``PomlSandboxError`` inside expressions)
with the position that caused it.
"""

MAX_SOURCE_CHARS = 16 * 1024 * 1024   # one markup text or included file
MAX_NESTING_DEPTH = 48                 # element nesting in markup; deeper is refused: the builders recurse
                                       # (~15 frames a level) inside the interpreter's default limit, never raised
MAX_NAME_CHARS = 256                   # a tag or attribute name
MAX_PARSED_ELEMENTS = 20_000           # elements written in one markup text (data belongs in <table>/<object>)
MAX_TAG_ATTRIBUTES = 1_024              # attributes on one tag
MAX_PARSED_NODES = 200_000             # tags, attributes, text runs and entity references in one markup text
MAX_INCLUDE_DEPTH = 32                 # <include> chains
MAX_LOOP_ITEMS = 100_000               # items a single for= may iterate
MAX_EXPANDED_NODES = 1_000_000         # elements produced by expansion in total
MAX_STRING_CHARS = 16 * 1024 * 1024    # a string built inside an expression
MAX_JSON_BODY_CHARS = 4 * 1024 * 1024  # JSON written in markup (<let>, <context>, <stylesheet>, <output-schema>)
MAX_EXPRESSION_CHARS = 100_000         # the text of one {{ expression }}
MAX_EXPRESSION_DEPTH = 100             # nesting inside one expression (fits the default recursion limit)
MAX_ARRAY_ITEMS = 1_000_000            # an array built inside an expression
MAX_FILE_BYTES = 64 * 1024 * 1024      # one binary file named by markup (pdf, docx, xlsx, image, audio)
MAX_FILE_CACHE_BYTES = 256 * 1024 * 1024  # total bytes kept by the file-read cache
MAX_IMAGE_PIXELS = 4096 * 4096          # pixels of an image read or produced by <img> resizing
MAX_FOLDER_ENTRIES = 10_000            # entries a single <folder> may list
MAX_TABLE_RECORDS = 1_000_000          # records a single <table> source may hold
