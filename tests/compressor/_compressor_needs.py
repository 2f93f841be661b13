"""The packages the compressor tests need, and what installs each."""

NEEDED = {"numpy": "the 'compress' extra", "torch": "the 'compress' extra", "transformers": "the 'compress' extra",
          "sentencepiece": "the 'compress' extra", "google.protobuf": "the 'test' extra (trains the test tokenizer)",
          "hypothesis": "the 'test' extra"}
