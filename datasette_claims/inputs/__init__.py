"""Reading input files: text and its encodings, YAML/JSON with line numbers, field
validators, articles, the source registry and curated claim files."""
