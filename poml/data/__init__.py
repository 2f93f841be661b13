"""Data loaders: files and buffers to plain Python data, independent of components.

* :mod:`~poml.data.documents` — txt/markdown/code, PDF (pypdf), Word (python-docx)
* :mod:`~poml.data.tables` — csv, tsv, xlsx (openpyxl), json, jsonl, inline records; selection
* :mod:`~poml.data.images` — read, resize and re-encode images (pillow)
* :mod:`~poml.data.audio` — audio files and base64 with their MIME type
* :mod:`~poml.data.folders` — folder trees (filter, depth, contents)
* :mod:`~poml.data.webpages` — local HTML (or allowed URLs) as text or document nodes
* :mod:`~poml.data.sources` — ``<let src>`` values and JavaScript-like text typing
* :mod:`~poml.data.html` — the small HTML tree and the HTML → document-node mapping

Every file is read through a :class:`poml._files.FileAccess` (allowed roots,
symlinks resolved, network off unless allowed). Optional packages are imported
only when used; when one is missing the error names
``pip install "poml-native[data]"``.
"""
